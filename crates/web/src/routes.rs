//! Every route of the application is added through [`Routes`], which records
//! its method and path as it builds the axum router. The authorisation matrix
//! test walks that record, so a route added later without an entry in the
//! matrix makes the test fail; a unit test below makes sure no module adds a
//! route past it.

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::MethodRouter;

use crate::AppState;

/// One method on one path pattern, as axum matches it (`/families/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
}

/// A router under construction, with the list of what it answers.
#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    table: Vec<Route>,
}

impl Routes {
    pub fn new() -> Routes {
        Routes::default()
    }

    pub fn get<H, T>(self, path: &'static str, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::GET, path, axum::routing::get(handler))
    }

    pub fn post<H, T>(self, path: &'static str, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::POST, path, axum::routing::post(handler))
    }

    fn add(
        mut self,
        method: Method,
        path: &'static str,
        endpoint: MethodRouter<AppState>,
    ) -> Routes {
        // axum merges a second method on a path already routed into its method router.
        self.router = self.router.route(path, endpoint);
        self.table.push(Route { method, path });
        self
    }

    pub fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    /// Wraps the routes so far in layers (body limits), keeping their record.
    pub fn map_router(mut self, f: impl FnOnce(Router<AppState>) -> Router<AppState>) -> Routes {
        self.router = f(self.router);
        self
    }

    pub fn table(&self) -> &[Route] {
        &self.table
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Source files of this crate, recursively.
    fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read source");
                out.push((path.display().to_string(), text));
            }
        }
    }

    #[test]
    fn no_route_is_added_past_the_record() {
        let mut files = Vec::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        assert!(files.len() > 10);
        // Spelled in two parts so this file does not match itself.
        let raw = format!(".{}(", "route");
        let nested = format!(".{}(", "nest");
        for (path, text) in files {
            if path.ends_with("routes.rs") {
                continue;
            }
            assert!(
                !text.contains(&raw) && !text.contains(&nested),
                "{path} adds a route with axum directly; use Routes so the \
                 authorisation matrix sees it"
            );
        }
    }
}
