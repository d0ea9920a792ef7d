//! wrapcare's HTTP layer: server-rendered pages, the JSON API and its OpenAPI
//! description. Handlers turn requests into application-service calls and the
//! results into pages or JSON; they hold no business rules.

// Page helpers return a finished `Response` as their error, as axum handlers do;
// boxing it would only add an allocation on the error path.
#![allow(clippy::result_large_err)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use wrapcare_app::App;

pub mod api;
pub mod forms;
pub mod i18n;
pub mod pages;
pub mod problem;
pub mod routes;
pub mod session;
pub mod table;

pub use i18n::{I18n, Lang};

/// Largest request body we read: a referral of twenty persons fits many times over.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub i18n: Arc<I18n>,
    /// Mark cookies `Secure` (behind HTTPS).
    pub secure_cookies: bool,
}

impl AppState {
    pub fn new(app: App, secure_cookies: bool) -> AppState {
        AppState {
            app,
            i18n: Arc::new(I18n::load()),
            secure_cookies,
        }
    }
}

static STYLE: &str = include_str!("../assets/style.css");
static LINK_STYLE: &str = include_str!("../assets/link.css");

async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
}

/// The one-time link page's stylesheet: small, for a phone on a weak connection.
async fn link_style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        LINK_STYLE,
    )
}

async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> impl IntoResponse {
    if state.app.healthy().await {
        (axum::http::StatusCode::OK, "ok")
    } else {
        (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "database unavailable",
        )
    }
}

/// Every route: pages, API, assets and health check, each group with its body limit.
fn application() -> routes::Routes {
    // Imports may be large; everything else is held to a small body.
    let imports = api::import::routes().map_router(|r| {
        r.layer(DefaultBodyLimit::max(api::import::MAX_IMPORT_BYTES))
            .layer(RequestBodyLimitLayer::new(api::import::MAX_IMPORT_BYTES))
    });
    let rest = routes::Routes::new()
        .get("/healthz", healthz)
        .get("/assets/style.css", style)
        .get("/assets/link.css", link_style)
        .merge(pages::routes())
        .merge(api::routes())
        .map_router(|r| {
            r.layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
                .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        });
    imports.merge(rest)
}

/// What the router answers, method and path pattern, in the order added.
pub fn route_table() -> Vec<routes::Route> {
    application().table().to_vec()
}

/// The whole application: pages, API, assets and health check.
pub fn router(state: AppState) -> Router {
    let security_headers = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    let mut router = application()
        .into_router()
        .fallback(pages::not_found)
        .with_state(state);
    for (name, value) in security_headers {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router.layer(
        // Log the route pattern, never the concrete path or query: they can hold names.
        TraceLayer::new_for_http().make_span_with(|request: &Request| {
            let route = request
                .extensions()
                .get::<MatchedPath>()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "unmatched".to_string());
            tracing::info_span!("request", method = %request.method(), route)
        }),
    )
}

/// Serves until Ctrl-C or SIGTERM.
pub async fn serve(state: AppState, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    // Give in-flight requests a moment.
    tokio::time::sleep(Duration::from_millis(100)).await;
}
