//! Requests against the real router with a real database (SQLite and
//! PostgreSQL), loaded with the demo: pages per role, access, CSRF, the API
//! sequence, problem+json errors and the OpenAPI description.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use wrapcare_app::{Actor, App, Config};
use wrapcare_store::Store;
use wrapcare_web::{AppState, router};

const PASSWORD: &str = "router-test-password";

struct T {
    app: App,
    router: Router,
}

struct Session {
    cookie: String,
    csrf: String,
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
    bytes: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

async fn setup(store: Store) -> T {
    let app = App::new(
        store,
        Config {
            login_attempts_per_minute: 3,
            ..Config::default()
        },
    );
    app.load_demo(PASSWORD)
        .await
        .expect("demo")
        .expect("empty database");
    let router = router(AppState::new(app.clone(), false));
    T { app, router }
}

impl T {
    async fn send(&self, request: Request<Body>) -> Answer {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("response");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    /// The user as use cases see them, for calling the application directly.
    async fn actor(&self, email: &str) -> Actor {
        self.app
            .cli_actor(email)
            .await
            .unwrap_or_else(|e| panic!("{email}: {e:?}"))
    }

    async fn session(&self, email: &str) -> Session {
        let s = self.app.login(email, PASSWORD, None).await.expect("login");
        Session {
            cookie: format!("wc_session={}", s.secret),
            csrf: s.csrf_token,
        }
    }

    async fn get(&self, path: &str, session: Option<&Session>) -> Answer {
        let mut request = Request::get(path);
        if let Some(s) = session {
            request = request.header(header::COOKIE, &s.cookie);
        }
        self.send(request.body(Body::empty()).expect("request"))
            .await
    }

    async fn post_form(
        &self,
        path: &str,
        session: &Session,
        pairs: &[(&str, &str)],
        with_csrf: bool,
    ) -> Answer {
        let mut all: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if with_csrf {
            all.push(("csrf".into(), session.csrf.clone()));
        }
        let body = all
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let request = Request::post(path)
            .header(header::COOKIE, &session.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        self.send(request).await
    }

    async fn api(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = match body {
            Some(v) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).expect("request")).await
    }

    async fn token(&self, email: &str) -> String {
        self.app.create_token(email).await.expect("token")
    }
}

/// The text of a PDF, read back with pdftotext (poppler-utils, installed by .ci/run).
fn pdf_text(bytes: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!(
        "wrapcare-test-{}-{}.pdf",
        std::process::id(),
        bytes.len()
    ));
    std::fs::write(&path, bytes).expect("write pdf");
    let output = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext must be installed (apt-get install poppler-utils)");
    let _ = std::fs::remove_file(&path);
    assert!(output.status.success(), "pdftotext could not read the PDF");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn today(t: &T) -> String {
    t.app.today().format("%Y-%m-%d").to_string()
}

fn days_ago(t: &T, days: i64) -> String {
    (t.app.today() - chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

async fn health_assets_and_login(store: Store) {
    let t = setup(store).await;
    assert_eq!(t.get("/healthz", None).await.status, StatusCode::OK);
    let css = t.get("/assets/style.css", None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.content_type().starts_with("text/css"));
    // Pages need a session: to the login page, keeping where one was going.
    let redirect = t.get("/waiting-list", None).await;
    assert_eq!(redirect.status, StatusCode::SEE_OTHER);
    assert_eq!(redirect.location(), "/login?next=/waiting-list");
    let login = t.get("/login", None).await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.body.contains("name=\"csrf\""));
    let csrf_cookie = login
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("wc_login="))
        .expect("login csrf cookie")
        .to_string();
    assert!(csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Lax"));
    let token = csrf_cookie
        .trim_start_matches("wc_login=")
        .split(';')
        .next()
        .unwrap_or_default()
        .to_string();
    let post = |password: &'static str, token: String| {
        let body = format!("email=leider%40demo.wrapcare.nl&password={password}&csrf={token}");
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("wc_login={token}"))
            .body(Body::from(body))
            .expect("request")
    };
    let wrong = t.send(post("wrong-password", token.clone())).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("Onjuist e-mailadres of wachtwoord"));
    let ok = t.send(post("router-test-password", token.clone())).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location(), "/waiting-list");
    let session_cookie = ok
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("wc_session="))
        .expect("session cookie")
        .to_string();
    assert!(session_cookie.contains("HttpOnly"));
    // Without the login form's token the post is refused.
    let forged = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(
            "email=leider%40demo.wrapcare.nl&password=router-test-password",
        ))
        .expect("request");
    assert_eq!(t.send(forged).await.status, StatusCode::FORBIDDEN);
    // Defect 5: after login, only a path of this site is followed.
    for next in [
        "/%09/evil.example",
        "//evil.example",
        "/%5Cevil.example",
        "https://evil.example",
        "/%20/evil.example",
    ] {
        let body = format!(
            "email=leider%40demo.wrapcare.nl&password=router-test-password&csrf={token}&next={next}"
        );
        let answer = t
            .send(
                Request::post("/login")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::COOKIE, format!("wc_login={token}"))
                    .body(Body::from(body))
                    .expect("request"),
            )
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{next}");
        assert_eq!(answer.location(), "/waiting-list", "{next} is not followed");
    }
    let page = t.get("/login?next=/%09/evil.example", None).await;
    assert!(!page.body.contains("evil.example"), "not even offered");
    // Defect 6: locked after three failures, from any address, and the owner is told how long.
    for _ in 0..3 {
        t.send(post("wrong-again", token.clone())).await;
    }
    let locked = t.send(post("router-test-password", token)).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        locked
            .body
            .contains("Te veel mislukte pogingen voor dit account")
    );
    assert!(
        locked.body.contains("seconden opnieuw proberen"),
        "{}",
        locked.body
    );
    assert!(matches!(
        t.app
            .login("leider@demo.wrapcare.nl", PASSWORD, Some("192.0.2.7"))
            .await,
        Err(wrapcare_app::AppError::Throttled { account: true, .. })
    ));
}

async fn every_page_answers_for_its_role(store: Store) {
    let t = setup(store).await;
    let leider = t.session("leider@demo.wrapcare.nl").await;
    let waiting = t
        .app
        .waiting_list(&t.actor("leider@demo.wrapcare.nl").await)
        .await
        .expect("list");
    let waiting_family = waiting[0].family_id;
    let to_screen = t
        .app
        .referrals_to_screen(&t.actor("leider@demo.wrapcare.nl").await)
        .await
        .expect("screen");
    let coach = t.actor("coach1@demo.wrapcare.nl").await;
    let own = t.app.my_families(&coach).await.expect("mine");
    let intake_actor = t.actor("intake@demo.wrapcare.nl").await;
    let submitted = t.app.my_referrals(&intake_actor).await.expect("mine");
    let pages: Vec<(&str, String)> = vec![
        ("admin@demo.wrapcare.nl", "/admin/users".into()),
        ("admin@demo.wrapcare.nl", "/admin/users/1".into()),
        ("admin@demo.wrapcare.nl", "/admin/organisations".into()),
        ("admin@demo.wrapcare.nl", "/admin/programmes".into()),
        ("admin@demo.wrapcare.nl", "/admin/programmes/1".into()),
        ("admin@demo.wrapcare.nl", "/admin/teams".into()),
        ("admin@demo.wrapcare.nl", "/admin/workers".into()),
        ("admin@demo.wrapcare.nl", "/figures".into()),
        ("leider@demo.wrapcare.nl", "/screening".into()),
        ("leider@demo.wrapcare.nl", "/waiting-list".into()),
        ("leider@demo.wrapcare.nl", "/families".into()),
        ("leider@demo.wrapcare.nl", "/families?q=a".into()),
        ("leider@demo.wrapcare.nl", "/caseloads".into()),
        ("leider@demo.wrapcare.nl", "/signals".into()),
        (
            "leider@demo.wrapcare.nl",
            "/signals?kind=goal_unchanged&urgency=watch".into(),
        ),
        ("coach1@demo.wrapcare.nl", "/signals".into()),
        ("leider@demo.wrapcare.nl", "/figures".into()),
        (
            "leider@demo.wrapcare.nl",
            format!("/families/{waiting_family}"),
        ),
        (
            "leider@demo.wrapcare.nl",
            format!("/families/{waiting_family}/assign"),
        ),
        (
            "leider@demo.wrapcare.nl",
            format!("/referrals/{}", to_screen[0].id),
        ),
        ("coach1@demo.wrapcare.nl", "/my-families".into()),
        (
            "coach1@demo.wrapcare.nl",
            format!("/families/{}", own[0].family_id),
        ),
        ("coach1@demo.wrapcare.nl", "/caseloads".into()),
        ("intake@demo.wrapcare.nl", "/referrals".into()),
        ("intake@demo.wrapcare.nl", "/referrals/new".into()),
        (
            "intake@demo.wrapcare.nl",
            format!("/referrals/{}", submitted[0].id),
        ),
        ("analist@demo.wrapcare.nl", "/figures".into()),
        ("privacy@demo.wrapcare.nl", "/access-log".into()),
        (
            "privacy@demo.wrapcare.nl",
            "/access-log/emergency-accesses".into(),
        ),
        ("leider@demo.wrapcare.nl", "/access-log".into()),
    ];
    for (email, path) in &pages {
        let s = t.session(email).await;
        let page = t.get(path, Some(&s)).await;
        assert_eq!(
            page.status,
            StatusCode::OK,
            "{email} {path}: {}",
            &page.body[..page.body.len().min(400)]
        );
        assert!(page.content_type().starts_with("text/html"), "{path}");
        assert!(
            page.body.contains("<html lang=\"nl\""),
            "{path} is Dutch by default"
        );
        for prefix in [">error-", ">field-", ">col-", ">nav-", ">hint-", ">notice-"] {
            assert!(
                !page.body.contains(prefix),
                "{path} shows a raw message key ({prefix})"
            );
        }
    }
    // Wrong roles: forbidden pages and files; another's family answers 404.
    let analyst = t.session("analist@demo.wrapcare.nl").await;
    assert_eq!(
        t.get("/waiting-list", Some(&analyst)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.get(&format!("/families/{waiting_family}"), Some(&analyst))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let coach2 = t.session("coach2@demo.wrapcare.nl").await;
    assert_eq!(
        t.get(&format!("/families/{}", own[0].family_id), Some(&coach2))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let intake = t.session("intake@demo.wrapcare.nl").await;
    assert_eq!(
        t.get("/admin/users", Some(&intake)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.get(&format!("/families/{waiting_family}"), Some(&intake))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.get("/no/such/page", Some(&leider)).await.status,
        StatusCode::NOT_FOUND
    );
    // Home sends each role to its own start page.
    for (email, home) in [
        ("admin@demo.wrapcare.nl", "/admin/users"),
        ("coach1@demo.wrapcare.nl", "/day"),
        ("intake@demo.wrapcare.nl", "/referrals"),
        ("analist@demo.wrapcare.nl", "/figures"),
        ("privacy@demo.wrapcare.nl", "/access-log"),
    ] {
        let s = t.session(email).await;
        assert_eq!(t.get("/", Some(&s)).await.location(), home);
    }
}

async fn english_is_complete_on_pages(store: Store) {
    let t = setup(store).await;
    let s = t.session("leider@demo.wrapcare.nl").await;
    let switched = t.get("/lang/en", Some(&s)).await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    let english = Session {
        cookie: format!("{}; wc_lang=en", s.cookie),
        csrf: s.csrf.clone(),
    };
    let page = t.get("/waiting-list", Some(&english)).await;
    assert!(page.body.contains("<html lang=\"en\""));
    assert!(page.body.contains("Waiting list"));
    assert!(!page.body.contains("Wachtlijst"));
    // The access-log review, in English too.
    for (path, english_text, dutch_text) in [
        (
            "/access-log",
            "Who viewed or changed",
            "Wie welk gezinsdossier",
        ),
        (
            "/access-log/emergency-accesses",
            "Emergency accesses",
            "Noodtoegangen",
        ),
    ] {
        let page = t.get(path, Some(&english)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains(english_text), "{path}");
        assert!(!page.body.contains(dutch_text), "{path}");
        assert_no_raw_keys(path, &page);
    }
}

async fn forms_need_csrf_and_show_errors_by_the_field(store: Store) {
    let t = setup(store).await;
    let intake = t.session("intake@demo.wrapcare.nl").await;
    let before = t
        .app
        .my_referrals(&t.actor("intake@demo.wrapcare.nl").await)
        .await
        .expect("list")
        .len();
    let fields = [
        ("programme_id", "1"),
        ("source", "cjg"),
        ("urgency", "normal"),
        ("received_on", "2026-13-45"),
        ("referrer_name", "X"),
        ("referrer_contact", "Y"),
        ("reason", "Z"),
        ("members[0].given_name", "Sem"),
        ("members[0].family_name", "de Wit"),
        ("members[0].role", "child"),
        ("members[0].bsn", "123456789"),
    ];
    let no_csrf = t.post_form("/referrals", &intake, &fields, false).await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    let refused = t.post_form("/referrals", &intake, &fields, true).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Vul een datum in als jjjj-mm-dd."),
        "date error by the field"
    );
    assert!(
        refused.body.contains("Dit is geen geldig BSN"),
        "bsn error by the field"
    );
    assert!(refused.body.contains("id=\"members-0-bsn-error\""));
    assert!(
        refused.body.contains("value=\"de Wit\""),
        "what was typed stays"
    );
    let after = t
        .app
        .my_referrals(&t.actor("intake@demo.wrapcare.nl").await)
        .await
        .expect("list")
        .len();
    assert_eq!(before, after, "nothing stored");
    // With valid input the referral is stored and intake sees its status.
    let mut good: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(k, _)| *k != "received_on" && *k != "members[0].bsn")
        .copied()
        .collect();
    let received = days_ago(&t, 3);
    good.push(("received_on", &received));
    good.push(("members[0].birth_date", "2014-02-03"));
    let created = t.post_form("/referrals", &intake, &good, true).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert!(created.location().starts_with("/referrals/"));
    let status_page = t.get(created.location(), Some(&intake)).await;
    assert!(status_page.body.contains("ingediend"));
    // Logging out needs the token as well.
    assert_eq!(
        t.post_form("/logout", &intake, &[], false).await.location(),
        "/"
    );
    assert_eq!(
        t.get("/referrals", Some(&intake)).await.status,
        StatusCode::OK,
        "still logged in"
    );
    assert_eq!(
        t.post_form("/logout", &intake, &[], true).await.location(),
        "/login"
    );
    assert_eq!(
        t.get("/referrals", Some(&intake)).await.status,
        StatusCode::SEE_OTHER,
        "logged out"
    );
}

async fn page_journey_accept_assign_start(store: Store) {
    let t = setup(store).await;
    let leider = t.session("leider@demo.wrapcare.nl").await;
    let supervisor = t.actor("leider@demo.wrapcare.nl").await;
    let referral = t
        .app
        .referrals_to_screen(&supervisor)
        .await
        .expect("screen")[0]
        .clone();
    let accepted = t
        .post_form(
            &format!("/referrals/{}/accept", referral.id),
            &leider,
            &[
                ("family_id", ""),
                ("version", &referral.version.to_string()),
            ],
            true,
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    let family_path = accepted
        .location()
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string();
    let family_id: i64 = family_path
        .trim_start_matches("/families/")
        .parse()
        .expect("family id");
    let loads = t.app.caseloads(&supervisor).await.expect("loads");
    let free = loads.iter().find(|l| l.has_room).expect("someone has room");
    let full = loads.iter().find(|l| !l.has_room).expect("someone is full");
    // Assigning to the full coordinator without a reason is refused by the field.
    let refused = t
        .post_form(
            &format!("/families/{family_id}/assign"),
            &leider,
            &[("worker_id", &full.worker_id.to_string())],
            true,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("zit vol"));
    let assigned = t
        .post_form(
            &format!("/families/{family_id}/assign"),
            &leider,
            &[("worker_id", &free.worker_id.to_string())],
            true,
        )
        .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER, "{}", assigned.body);
    let before_accept = t
        .post_form(
            &format!("/families/{family_id}/start"),
            &leider,
            &[("started_on", "2000-01-01")],
            true,
        )
        .await;
    assert_eq!(before_accept.status, StatusCode::UNPROCESSABLE_ENTITY);
    let started = t
        .post_form(
            &format!("/families/{family_id}/start"),
            &leider,
            &[("started_on", &today(&t))],
            true,
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    let page = t.get(&family_path, Some(&leider)).await;
    assert!(page.body.contains("in zorg"));
    assert!(page.body.contains("id=\"waiting-time\""));
}

async fn api_sequence_referral_to_start(store: Store) {
    let t = setup(store).await;
    let intake = t.token("intake@demo.wrapcare.nl").await;
    let leider = t.token("leider@demo.wrapcare.nl").await;
    let indication = days_ago(&t, 20);
    let body = json!({
        "programme_id": 1, "source": "indication_body", "referrer_name": "R", "referrer_contact": "033",
        "received_on": days_ago(&t, 10), "urgency": "high", "reason": "Vastgelopen", "city": "Leusden",
        "members": [
            {"given_name": "Iris", "family_name": "Zwart", "role": "parent", "parental_authority": true},
            {"given_name": "Tim", "family_name": "Zwart", "role": "child", "birth_date": "2016-05-05", "bsn": "111222333",
             "indications": [{"number": "IND-9", "product": "IPT", "starts_on": indication, "ends_on": "2027-12-31", "issuer": "Intervence"}]}
        ]
    });
    let keyed = |body: Value| {
        Request::post("/api/v1/referrals")
            .header(header::AUTHORIZATION, format!("Bearer {intake}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header("Idempotency-Key", "abc-123")
            .body(Body::from(body.to_string()))
            .expect("request")
    };
    let created = t.send(keyed(body.clone())).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let repeated = t.send(keyed(body.clone())).await;
    assert_eq!(repeated.status, StatusCode::OK);
    let id = created.json()["id"].as_i64().expect("id");
    assert_eq!(
        repeated.json()["id"].as_i64(),
        Some(id),
        "one referral per key"
    );
    assert!(
        created.json()["detail"].is_null(),
        "intake sees status only"
    );
    let read = t
        .api(
            "GET",
            &format!("/api/v1/referrals/{id}"),
            Some(&leider),
            None,
        )
        .await;
    assert_eq!(
        read.json()["detail"]["members"][1]["bsn"],
        "••••••333",
        "masked"
    );
    let accepted = t
        .api(
            "POST",
            &format!("/api/v1/referrals/{id}/accept"),
            Some(&leider),
            Some(json!({})),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.body);
    let family_id = accepted.json()["family_id"].as_i64().expect("family");
    let loads = t
        .api("GET", "/api/v1/caseloads", Some(&leider), None)
        .await
        .json();
    let worker = loads
        .as_array()
        .expect("list")
        .iter()
        .find(|l| l["has_room"] == true)
        .expect("room")["worker_id"]
        .as_i64()
        .expect("id");
    let assigned = t
        .api(
            "POST",
            &format!("/api/v1/families/{family_id}/assignment"),
            Some(&leider),
            Some(json!({"worker_id": worker})),
        )
        .await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.body);
    let start = today(&t);
    let started = t
        .api(
            "POST",
            &format!("/api/v1/families/{family_id}/start"),
            Some(&leider),
            Some(json!({"started_on": start})),
        )
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    let family = t
        .api(
            "GET",
            &format!("/api/v1/families/{family_id}"),
            Some(&leider),
            None,
        )
        .await
        .json();
    let episode = &family["episode"];
    assert_eq!(episode["state"], "in_care");
    assert_eq!(episode["reference_date"], indication);
    assert_eq!(episode["started_on"], start);
    assert_eq!(episode["waiting_days"], 20, "start − indication");
    assert_eq!(episode["coordinator"]["worker_id"].as_i64(), Some(worker));
    assert_eq!(episode["phase"], 1);
    // A phase change on a closed episode is a 409 problem.
    t.api(
        "POST",
        &format!("/api/v1/families/{family_id}/close"),
        Some(&leider),
        Some(json!({"closed_on": start, "reason": "moved"})),
    )
    .await;
    let phase = t
        .api(
            "POST",
            &format!("/api/v1/families/{family_id}/phase"),
            Some(&leider),
            Some(json!({"phase": 2})),
        )
        .await;
    assert_eq!(phase.status, StatusCode::CONFLICT);
    assert!(phase.content_type().starts_with("application/problem+json"));
}

async fn api_errors_are_problems(store: Store) {
    let t = setup(store).await;
    let no_token = t.api("GET", "/api/v1/waiting-list", None, None).await;
    assert_eq!(no_token.status, StatusCode::UNAUTHORIZED);
    assert!(
        no_token
            .content_type()
            .starts_with("application/problem+json")
    );
    assert_eq!(no_token.json()["status"], 401);
    let bad_token = t
        .api("GET", "/api/v1/waiting-list", Some("wct_nope"), None)
        .await;
    assert_eq!(bad_token.status, StatusCode::UNAUTHORIZED);
    let intake = t.token("intake@demo.wrapcare.nl").await;
    let invalid = t
        .api(
            "POST",
            "/api/v1/referrals",
            Some(&intake),
            Some(json!({"programme_id": "77", "members": []})),
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problem = invalid.json();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    for f in [
        "programme_id",
        "members",
        "received_on",
        "source",
        "urgency",
    ] {
        assert!(fields.contains(&f), "{f} missing in {fields:?}");
    }
    let syntax = t
        .send(
            Request::post("/api/v1/referrals")
                .header(header::AUTHORIZATION, format!("Bearer {intake}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{not json"))
                .expect("request"),
        )
        .await;
    assert_eq!(syntax.status, StatusCode::BAD_REQUEST);
    assert!(
        syntax
            .content_type()
            .starts_with("application/problem+json")
    );
    let wrong_type = t
        .send(
            Request::post("/api/v1/referrals")
                .header(header::AUTHORIZATION, format!("Bearer {intake}"))
                .header(header::CONTENT_TYPE, "text/plain")
                .body(Body::from("{}"))
                .expect("request"),
        )
        .await;
    assert_eq!(wrong_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = format!("{{\"reason\": \"{}\"}}", "x".repeat(400_000));
    let too_large = t
        .send(
            Request::post("/api/v1/referrals")
                .header(header::AUTHORIZATION, format!("Bearer {intake}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(huge))
                .expect("request"),
        )
        .await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    let data = t
        .api(
            "POST",
            "/api/v1/families/1/phase",
            Some(&intake),
            Some(json!({"phase": "two"})),
        )
        .await;
    assert_eq!(data.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Another coordinator's family is 404, the same as a missing one, and the refusal is logged.
    let coach2 = t.token("coach2@demo.wrapcare.nl").await;
    let coach1 = t.actor("coach1@demo.wrapcare.nl").await;
    let theirs = t.app.my_families(&coach1).await.expect("mine")[0].family_id;
    let refused = t
        .api(
            "GET",
            &format!("/api/v1/families/{theirs}"),
            Some(&coach2),
            None,
        )
        .await;
    let missing = t
        .api("GET", "/api/v1/families/999999", Some(&coach2), None)
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(refused.json()["type"], missing.json()["type"]);
    let log = wrapcare_store::testing::access_log(t.app.store(), Some(theirs), 50).await;
    let coach2_id = t.actor("coach2@demo.wrapcare.nl").await.user_id;
    assert!(
        log.iter()
            .any(|e| e.user_id == Some(coach2_id) && e.outcome == "refused" && e.channel == "api")
    );
    let dutch = t
        .send(
            Request::get("/api/v1/waiting-list")
                .header(header::ACCEPT_LANGUAGE, "nl-NL")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(dutch.json()["title"], "U bent niet (meer) ingelogd.");
    assert_eq!(
        t.api("GET", "/api/v1/nothing-here", Some(&intake), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn openapi_describes_every_api_route(store: Store) {
    let t = setup(store).await;
    let doc = t.get("/api/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    let spec = doc.json();
    assert!(
        spec["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1"))
    );
    let paths = spec["paths"].as_object().expect("paths");
    let routes: Vec<&str> = wrapcare_web::route_table()
        .iter()
        .map(|r| r.path)
        .filter(|p| p.starts_with("/api/v1/"))
        .filter(|p| !p.contains('*'))
        .collect();
    assert!(routes.len() >= 27);
    for route in routes {
        assert!(
            paths.contains_key(route),
            "{route} is not in the OpenAPI description"
        );
    }
    for required in [
        "/api/v1/referrals",
        "/api/v1/referrals/{id}/accept",
        "/api/v1/families/{id}/assignment",
        "/api/v1/caseloads",
    ] {
        assert!(paths.contains_key(required));
    }
}

async fn admin_forms_manage_users_and_reference_data(store: Store) {
    let t = setup(store).await;
    let admin = t.session("admin@demo.wrapcare.nl").await;
    // A new user gets a password shown once; a bad one is refused by the field.
    let created = t
        .post_form(
            "/admin/users",
            &admin,
            &[
                ("name", "Nieuwe Coach"),
                ("email", "nieuw@demo.wrapcare.nl"),
                ("role", "coordinator"),
                ("team_id", "1"),
            ],
            true,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert!(created.body.contains("id=\"issued-password\""));
    let refused = t
        .post_form(
            "/admin/users",
            &admin,
            &[
                ("name", ""),
                ("email", "geen-adres"),
                ("role", "coordinator"),
            ],
            true,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Vul een geldig e-mailadres in."));
    assert!(
        refused
            .body
            .contains("Werkbegeleiders en gezinscoaches horen bij een team.")
    );
    let id = t.actor("nieuw@demo.wrapcare.nl").await.user_id;
    let reset = t
        .post_form(&format!("/admin/users/{id}/reset"), &admin, &[], true)
        .await;
    assert!(reset.body.contains("id=\"issued-password\""));
    let role = t
        .post_form(
            &format!("/admin/users/{id}"),
            &admin,
            &[("role", "analyst"), ("team_id", ""), ("version", "2")],
            true,
        )
        .await;
    assert_eq!(role.status, StatusCode::SEE_OTHER, "{}", role.body);
    let stale = t
        .post_form(
            &format!("/admin/users/{id}"),
            &admin,
            &[("role", "intake"), ("team_id", ""), ("version", "1")],
            true,
        )
        .await;
    assert_eq!(
        stale.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a stale version is refused"
    );
    assert_eq!(
        t.post_form(&format!("/admin/users/{id}/deactivate"), &admin, &[], true)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert!(
        t.app.cli_actor("nieuw@demo.wrapcare.nl").await.is_err(),
        "deactivated"
    );
    assert_eq!(
        t.post_form(&format!("/admin/users/{id}/activate"), &admin, &[], true)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    // Organisations, programmes (norms must fit), teams, workers and secondments.
    assert_eq!(
        t.post_form(
            "/admin/organisations",
            &admin,
            &[("name", "Stichting Nieuw")],
            true
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let taken = t
        .post_form("/admin/organisations", &admin, &[("name", "Juvent")], true)
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    let programme = [
        ("name", "Pilot Noord"),
        ("starts_on", "2026-01-01"),
        ("ends_on", ""),
        ("families_per_fte", "8"),
        ("budget_hours_per_family", "200"),
        ("weekly_hours_per_family", "7"),
        ("start_within_weeks", "9"),
        ("full_time_hours_per_week", "36"),
    ];
    let misfit = t
        .post_form("/admin/programmes", &admin, &programme, true)
        .await;
    assert_eq!(misfit.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(misfit.body.contains("De normen passen niet samen"));
    let mut fitting = programme.to_vec();
    fitting[5] = ("weekly_hours_per_family", "4,5");
    assert_eq!(
        t.post_form("/admin/programmes", &admin, &fitting, true)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let team = t
        .post_form(
            "/admin/teams",
            &admin,
            &[("name", "Team Noord"), ("programme_id", "3")],
            true,
        )
        .await;
    assert_eq!(team.status, StatusCode::SEE_OTHER, "{}", team.body);
    let no_programme = t
        .post_form(
            "/admin/teams",
            &admin,
            &[("name", "Team Zuid"), ("programme_id", "99")],
            true,
        )
        .await;
    assert_eq!(no_programme.status, StatusCode::UNPROCESSABLE_ENTITY);
    let worker = t
        .post_form(
            "/admin/workers",
            &admin,
            &[
                ("name", "Kim Noord"),
                ("job", "coordinator"),
                ("team_id", "3"),
                ("home_organisation_id", "1"),
                ("hours_per_week", "24"),
                ("starts_on", "2026-02-01"),
                ("user_email", ""),
            ],
            true,
        )
        .await;
    assert_eq!(worker.status, StatusCode::SEE_OTHER, "{}", worker.body);
    let workers = t
        .app
        .workers(&t.actor("admin@demo.wrapcare.nl").await, Some(3))
        .await
        .expect("workers");
    let kim = workers
        .iter()
        .find(|w| w.name == "Kim Noord")
        .expect("kim")
        .id;
    let change = t
        .post_form(
            &format!("/admin/workers/{kim}/secondment"),
            &admin,
            &[("hours_per_week", "16"), ("starts_on", "2026-06-01")],
            true,
        )
        .await;
    assert_eq!(change.status, StatusCode::SEE_OTHER, "{}", change.body);
    let backwards = t
        .post_form(
            &format!("/admin/workers/{kim}/secondment"),
            &admin,
            &[("hours_per_week", "20"), ("starts_on", "2026-03-01")],
            true,
        )
        .await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ended = t
        .post_form(
            &format!("/admin/workers/{kim}/end"),
            &admin,
            &[("ends_on", "2026-09-01")],
            true,
        )
        .await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    let history = t
        .app
        .workers(&t.actor("admin@demo.wrapcare.nl").await, Some(3))
        .await
        .expect("workers");
    let kim = history.iter().find(|w| w.name == "Kim Noord").expect("kim");
    assert_eq!(
        kim.secondments.len(),
        2,
        "a change is history, not an overwrite"
    );
    assert!(kim.secondments.iter().all(|s| s.ends_on.is_some()));
    // A supervisor may not use the admin forms.
    let leider = t.session("leider@demo.wrapcare.nl").await;
    assert_eq!(
        t.post_form("/admin/organisations", &leider, &[("name", "X")], true)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

async fn episode_forms_withdraw_phase_close(store: Store) {
    let t = setup(store).await;
    let leider = t.session("leider@demo.wrapcare.nl").await;
    let supervisor = t.actor("leider@demo.wrapcare.nl").await;
    let waiting = t.app.waiting_list(&supervisor).await.expect("list")[0].family_id;
    let no_reason = t
        .post_form(
            &format!("/families/{waiting}/withdraw"),
            &leider,
            &[("reason", "")],
            true,
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let withdrawn = t
        .post_form(
            &format!("/families/{waiting}/withdraw"),
            &leider,
            &[("reason", "Verhuisd naar Utrecht")],
            true,
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
    let coach = t.session("coach1@demo.wrapcare.nl").await;
    let coach_actor = t.actor("coach1@demo.wrapcare.nl").await;
    let mine = t.app.my_families(&coach_actor).await.expect("mine");
    let family = mine
        .iter()
        .find(|l| l.phase.is_some_and(|p| p < 4))
        .expect("in care")
        .clone();
    let next = (family.phase.unwrap_or(1) + 1).to_string();
    let bad = t
        .post_form(
            &format!("/families/{}/phase", family.family_id),
            &coach,
            &[("phase", "7")],
            true,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Kies fase 1, 2, 3 of 4."));
    let moved = t
        .post_form(
            &format!("/families/{}/phase", family.family_id),
            &coach,
            &[("phase", &next), ("starts_on", &today(&t))],
            true,
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let future = (t.app.today() + chrono::Duration::days(5))
        .format("%Y-%m-%d")
        .to_string();
    let early = t
        .post_form(
            &format!("/families/{}/close", family.family_id),
            &coach,
            &[("closed_on", &future), ("reason", "goals_reached")],
            true,
        )
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(early.body.contains("Deze datum ligt in de toekomst."));
    let closed = t
        .post_form(
            &format!("/families/{}/close", family.family_id),
            &coach,
            &[("closed_on", &today(&t)), ("reason", "goals_reached")],
            true,
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    // Closed: the family leaves the coordinator's list and file.
    assert_eq!(
        t.get(&format!("/families/{}", family.family_id), Some(&coach))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn api_lists_answer_per_role(store: Store) {
    let t = setup(store).await;
    let leider = t.token("leider@demo.wrapcare.nl").await;
    let coach = t.token("coach1@demo.wrapcare.nl").await;
    let intake = t.token("intake@demo.wrapcare.nl").await;
    let analyst = t.token("analist@demo.wrapcare.nl").await;
    for (token, path, expected) in [
        (&leider, "/api/v1/screening", StatusCode::OK),
        (&leider, "/api/v1/waiting-list", StatusCode::OK),
        (&leider, "/api/v1/families?q=a", StatusCode::OK),
        (&leider, "/api/v1/caseloads", StatusCode::OK),
        (&leider, "/api/v1/figures/waiting", StatusCode::OK),
        (&coach, "/api/v1/my-families", StatusCode::OK),
        (&coach, "/api/v1/caseloads", StatusCode::OK),
        (&intake, "/api/v1/referrals", StatusCode::OK),
        (
            &analyst,
            "/api/v1/figures/waiting?from=2026-01-01",
            StatusCode::OK,
        ),
        (
            &analyst,
            "/api/v1/figures/waiting?from=1-1-2026",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (&analyst, "/api/v1/waiting-list", StatusCode::FORBIDDEN),
        (&intake, "/api/v1/screening", StatusCode::FORBIDDEN),
        (&coach, "/api/v1/families", StatusCode::FORBIDDEN),
    ] {
        let answer = t.api("GET", path, Some(token), None).await;
        assert_eq!(answer.status, expected, "{path}: {}", answer.body);
        if expected != StatusCode::OK {
            assert!(
                answer
                    .content_type()
                    .starts_with("application/problem+json"),
                "{path}"
            );
        }
    }
    let waiting = t
        .api("GET", "/api/v1/waiting-list", Some(&leider), None)
        .await
        .json();
    let first = &waiting.as_array().expect("list")[0];
    assert!(first["waited_days"].as_i64().is_some());
    let figures = t
        .api("GET", "/api/v1/figures/waiting", Some(&analyst), None)
        .await;
    assert!(!figures.body.contains("surname"), "no names in figures");
    // Screening through the API: matches, then decline with a reason.
    let to_screen = t
        .api("GET", "/api/v1/screening", Some(&leider), None)
        .await
        .json();
    let id = to_screen.as_array().expect("list")[0]["id"]
        .as_i64()
        .expect("id");
    assert_eq!(
        t.api(
            "GET",
            &format!("/api/v1/referrals/{id}/matches"),
            Some(&leider),
            None
        )
        .await
        .status,
        StatusCode::OK
    );
    let declined = t
        .api(
            "POST",
            &format!("/api/v1/referrals/{id}/decline"),
            Some(&leider),
            Some(json!({"reason": "Buiten de doelgroep"})),
        )
        .await;
    assert_eq!(declined.status, StatusCode::OK, "{}", declined.body);
    assert_eq!(declined.json()["status"], "declined");
    let again = t
        .api(
            "POST",
            &format!("/api/v1/referrals/{id}/accept"),
            Some(&leider),
            Some(json!({})),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    // Withdraw through the API.
    let family = first["family_id"].as_i64().expect("family");
    let withdrawn = t
        .api(
            "POST",
            &format!("/api/v1/families/{family}/withdraw"),
            Some(&leider),
            Some(json!({"reason": "Gezin wil geen hulp meer"})),
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.body);
    assert_eq!(withdrawn.json()["episode"]["state"], "withdrawn");
}

async fn api_admin_matches_the_pages(store: Store) {
    let t = setup(store).await;
    let admin = t.token("admin@demo.wrapcare.nl").await;
    let created = t
        .api(
            "POST",
            "/api/v1/admin/users",
            Some(&admin),
            Some(json!({"email": "api@demo.wrapcare.nl", "name": "Api", "role": "analyst"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert!(
        created.json()["password"]
            .as_str()
            .is_some_and(|p| p.len() >= 12)
    );
    let id = created.json()["user"]["id"].as_i64().expect("id");
    let version = created.json()["user"]["version"].as_i64().expect("version");
    let role = t
        .api(
            "POST",
            &format!("/api/v1/admin/users/{id}/role"),
            Some(&admin),
            Some(json!({"role": "intake", "version": version})),
        )
        .await;
    assert_eq!(role.status, StatusCode::NO_CONTENT, "{}", role.body);
    let stale = t
        .api(
            "POST",
            &format!("/api/v1/admin/users/{id}/role"),
            Some(&admin),
            Some(json!({"role": "analyst", "version": version})),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(
        t.api(
            "POST",
            &format!("/api/v1/admin/users/{id}/deactivate"),
            Some(&admin),
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        t.api(
            "POST",
            &format!("/api/v1/admin/users/{id}/activate"),
            Some(&admin),
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert!(
        t.api(
            "POST",
            &format!("/api/v1/admin/users/{id}/reset-password"),
            Some(&admin),
            None
        )
        .await
        .json()["password"]
            .is_string()
    );
    let programme = json!({"name": "API-programma", "starts_on": "2026-01-01", "families_per_fte": 8, "budget_hours_per_family": 150,
        "weekly_hours_per_family": 7, "start_within_weeks": 9, "full_time_hours_per_week": 36});
    let misfit = t
        .api(
            "POST",
            "/api/v1/admin/programmes",
            Some(&admin),
            Some(programme.clone()),
        )
        .await;
    assert_eq!(misfit.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(misfit.json()["errors"][0]["key"], "error-norms-do-not-fit");
    let mut fitting = programme.clone();
    fitting["weekly_hours_per_family"] = json!(4.5);
    let programme_id = t
        .api(
            "POST",
            "/api/v1/admin/programmes",
            Some(&admin),
            Some(fitting.clone()),
        )
        .await
        .json()["id"]
        .as_i64()
        .expect("id");
    let listed = t
        .api("GET", "/api/v1/admin/programmes", Some(&admin), None)
        .await
        .json();
    let mine = listed
        .as_array()
        .expect("list")
        .iter()
        .find(|p| p["id"].as_i64() == Some(programme_id))
        .expect("listed")
        .clone();
    assert_eq!(mine["weekly_hours_per_family"], 4.5);
    let mut update = fitting.clone();
    update["name"] = json!("API-programma 2");
    update["version"] = mine["version"].clone();
    assert_eq!(
        t.api(
            "POST",
            &format!("/api/v1/admin/programmes/{programme_id}"),
            Some(&admin),
            Some(update)
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    let team = t
        .api(
            "POST",
            "/api/v1/admin/teams",
            Some(&admin),
            Some(json!({"name": "API-team", "programme_id": programme_id})),
        )
        .await;
    assert_eq!(team.status, StatusCode::CREATED, "{}", team.body);
    let team_id = team.json()["id"].as_i64().expect("team");
    let org = t
        .api(
            "POST",
            "/api/v1/admin/organisations",
            Some(&admin),
            Some(json!({"name": "API-organisatie"})),
        )
        .await
        .json()["id"]
        .as_i64()
        .expect("org");
    let worker = t
        .api(
            "POST",
            "/api/v1/admin/workers",
            Some(&admin),
            Some(
                json!({"name": "Api Werker", "team_id": team_id, "home_organisation_id": org,
            "job": "coordinator", "hours_per_week": 24, "starts_on": "2026-02-01"}),
            ),
        )
        .await;
    assert_eq!(worker.status, StatusCode::CREATED, "{}", worker.body);
    let worker_id = worker.json()["id"].as_i64().expect("worker");
    let change = t
        .api(
            "POST",
            &format!("/api/v1/admin/workers/{worker_id}/secondment"),
            Some(&admin),
            Some(json!({"hours_per_week": "16", "starts_on": "2026-05-01"})),
        )
        .await;
    assert_eq!(change.status, StatusCode::NO_CONTENT, "{}", change.body);
    assert_eq!(
        t.api(
            "POST",
            &format!("/api/v1/admin/workers/{worker_id}/end"),
            Some(&admin),
            Some(json!({"ends_on": "2026-08-01"}))
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    let workers = t
        .api("GET", "/api/v1/admin/workers", Some(&admin), None)
        .await
        .json();
    let w = workers
        .as_array()
        .expect("list")
        .iter()
        .find(|w| w["id"].as_i64() == Some(worker_id))
        .expect("worker")
        .clone();
    assert_eq!(w["secondments"].as_array().map(Vec::len), Some(2));
    for path in [
        "/api/v1/admin/users",
        "/api/v1/admin/organisations",
        "/api/v1/admin/teams",
        "/api/v1/admin/programmes",
    ] {
        assert_eq!(
            t.api("GET", path, Some(&admin), None).await.status,
            StatusCode::OK,
            "{path}"
        );
    }
    // Nobody but an admin administers.
    let leider = t.token("leider@demo.wrapcare.nl").await;
    for path in [
        "/api/v1/admin/users",
        "/api/v1/admin/organisations",
        "/api/v1/admin/programmes",
        "/api/v1/admin/teams",
    ] {
        assert_eq!(
            t.api("GET", path, Some(&leider), None).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    assert_eq!(
        t.api(
            "POST",
            "/api/v1/admin/organisations",
            Some(&leider),
            Some(json!({"name": "X"}))
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}

async fn plan_pages_and_api(store: Store) {
    let t = setup(store).await;
    // A family in care whose plan has not been started yet.
    let mut found = None;
    for email in [
        "coach1", "coach2", "coach3", "coach4", "coach5", "ipt1", "ipt2", "ipt3", "ipt4",
    ]
    .map(|c| format!("{c}@demo.wrapcare.nl"))
    {
        let actor = t.app.cli_actor(&email).await.expect("coach");
        for line in t.app.my_families(&actor).await.expect("mine") {
            if t.app
                .plan(&actor, line.family_id)
                .await
                .expect("plan")
                .current
                .is_none()
            {
                found = Some((email.clone(), line.family_id));
            }
        }
    }
    let (email, family) = found.expect("the demo has a family without a plan");
    let coach = t.session(&email).await;
    for path in [
        format!("/families/{family}/plan"),
        format!("/families/{family}/plan/edit"),
    ] {
        let page = t.get(&path, Some(&coach)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
    }
    // A goal without description and a baseline off the scale are refused by the field.
    let refused = t
        .post_form(
            &format!("/families/{family}/plan/edit"),
            &coach,
            &[
                ("version", "0"),
                ("goals[0].domain", "school"),
                ("goals[0].levels[2]", "x"),
                ("goals[0].baseline", "-1"),
            ],
            true,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("id=\"goals-0-description-error\""));
    let saved = t
        .post_form(
            &format!("/families/{family}/plan/edit"),
            &coach,
            &[
                ("version", "0"),
                ("vision", "Rust"),
                ("goals[0].description", "Naar school"),
                ("goals[0].domain", "school"),
                ("goals[0].baseline", "-1"),
            ],
            true,
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    // The same stale version again: a conflict page that keeps the typed text.
    let stale = t
        .post_form(
            &format!("/families/{family}/plan/edit"),
            &coach,
            &[
                ("version", "0"),
                ("vision", "Mijn eigen tekst"),
                ("goals[0].description", "Ander doel"),
                ("goals[0].domain", "housing"),
            ],
            true,
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(
        stale.body.contains("Mijn eigen tekst"),
        "nothing typed is lost"
    );
    assert!(
        stale.body.contains("Naar school"),
        "the other's saved goals are shown"
    );
    // The PDF opens and has the goal in it (pdftotext reads it back).
    let pdf = t
        .get(&format!("/families/{family}/plan/pdf"), Some(&coach))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.content_type(), "application/pdf");
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf.bytes);
    assert!(
        text.contains("Naar school"),
        "goal missing from the PDF text: {text}"
    );
    assert!(text.contains("Handtekeningen"));
    let english = t
        .send(
            Request::get(format!("/api/v1/families/{family}/plan/pdf"))
                .header(
                    header::AUTHORIZATION,
                    format!("Bearer {}", t.token(&email).await),
                )
                .header(header::ACCEPT_LANGUAGE, "en")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(english.status, StatusCode::OK);
    assert!(
        pdf_text(&english.bytes).contains("Signatures"),
        "the API PDF follows Accept-Language"
    );
    let print = t
        .get(&format!("/families/{family}/plan/print"), Some(&coach))
        .await;
    assert_eq!(print.status, StatusCode::OK);
    assert!(print.body.contains("Naar school"));
    // A returning family's earlier plan stays readable from its earlier episode.
    let leider = t.session("leider@demo.wrapcare.nl").await;
    let supervisor = t.actor("leider@demo.wrapcare.nl").await;
    let mut earlier = None;
    for line in t
        .app
        .search_families(&supervisor, "")
        .await
        .expect("families")
    {
        let f = t
            .app
            .family(&supervisor, line.family_id)
            .await
            .expect("family");
        if let Some(e) = f.earlier_episodes.iter().find(|e| e.started_on.is_some()) {
            earlier = Some((f.id, e.id));
            break;
        }
    }
    let (returning, old_episode) = earlier.expect("the demo has a returning family");
    let old_plan = t
        .get(
            &format!("/families/{returning}/plan?episode={old_episode}"),
            Some(&leider),
        )
        .await;
    assert_eq!(old_plan.status, StatusCode::OK);
    assert!(old_plan.body.contains("eerder traject"));
    // Over the API: read, agree, and the agreed version cannot be saved over.
    let token = t.token(&email).await;
    let plan = t
        .api(
            "GET",
            &format!("/api/v1/families/{family}/plan"),
            Some(&token),
            None,
        )
        .await
        .json();
    let version = plan["current"]["version"].as_i64().expect("version");
    let agreed = t
        .api("POST", &format!("/api/v1/families/{family}/plan/agree"), Some(&token), Some(json!({"agreed_by": "Moeder", "agreed_on": today(&t), "how": "digital", "version": version})))
        .await;
    assert_eq!(agreed.status, StatusCode::OK, "{}", agreed.body);
    assert_eq!(agreed.json()["current"]["status"], "agreed");
    let over = t
        .api(
            "POST",
            &format!("/api/v1/families/{family}/plan"),
            Some(&token),
            Some(json!({"vision": "x", "version": agreed.json()["current"]["version"]})),
        )
        .await;
    assert_eq!(over.status, StatusCode::CONFLICT);
    let key = agreed.json()["current"]["content"]["goals"][0]["key"]
        .as_str()
        .expect("key")
        .to_string();
    let scored = t
        .api(
            "POST",
            &format!("/api/v1/families/{family}/plan/scores"),
            Some(&token),
            Some(json!({"goal_key": key, "level": 1})),
        )
        .await;
    assert_eq!(scored.status, StatusCode::OK, "{}", scored.body);
    assert!(scored.json()["t_score"].as_f64().is_some_and(|t| t > 50.0));
    let bad_score = t
        .api(
            "POST",
            &format!("/api/v1/families/{family}/plan/scores"),
            Some(&token),
            Some(json!({"goal_key": key, "level": 3})),
        )
        .await;
    assert_eq!(bad_score.status, StatusCode::UNPROCESSABLE_ENTITY);
    let draft = t
        .api(
            "POST",
            &format!("/api/v1/families/{family}/plan/new-draft"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(draft.json()["current"]["number"], 2);
    let v1 = t
        .api(
            "GET",
            &format!("/api/v1/families/{family}/plan/versions/1"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(v1.json()["version"]["status"], "agreed");
    // Another coordinator: 404 for the plan as for the family.
    let other = t
        .token(if email.starts_with("coach2") {
            "coach1@demo.wrapcare.nl"
        } else {
            "coach2@demo.wrapcare.nl"
        })
        .await;
    assert_eq!(
        t.api(
            "GET",
            &format!("/api/v1/families/{family}/plan"),
            Some(&other),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

async fn contact_pages_and_api(store: Store) {
    let t = setup(store).await;
    let coach = t.session("coach2@demo.wrapcare.nl").await;
    let actor = t.actor("coach2@demo.wrapcare.nl").await;
    let family = t
        .app
        .my_families(&actor)
        .await
        .expect("mine")
        .iter()
        .find(|l| l.started_on.is_some())
        .expect("in care")
        .family_id;
    let page = t
        .get(&format!("/families/{family}/contacts"), Some(&coach))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let today = today(&t);
    let zero = t
        .post_form(
            &format!("/families/{family}/contacts"),
            &coach,
            &[
                ("contact_on", &today),
                ("minutes", "0"),
                ("kind", "home_visit"),
            ],
            true,
        )
        .await;
    assert_eq!(zero.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(zero.body.contains("id=\"minutes-error\""));
    let logged = t
        .post_form(
            &format!("/families/{family}/contacts"),
            &coach,
            &[
                ("contact_on", &today),
                ("minutes", "75"),
                ("kind", "home_visit"),
                ("participants", "moeder"),
                ("note", "Eerste gesprek"),
            ],
            true,
        )
        .await;
    assert_eq!(logged.status, StatusCode::SEE_OTHER, "{}", logged.body);
    let token = t.token("coach2@demo.wrapcare.nl").await;
    let list = t
        .api(
            "GET",
            &format!("/api/v1/families/{family}/contacts"),
            Some(&token),
            None,
        )
        .await
        .json();
    let entry = list["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["note"] == "Eerste gesprek")
        .expect("logged")
        .clone();
    let id = entry["id"].as_i64().expect("id");
    let corrected = t
        .api("POST", &format!("/api/v1/families/{family}/contacts/{id}/correct"), Some(&token),
            Some(json!({"contact_on": today, "minutes": 60, "kind": "home_visit", "note": "Eerste gesprek", "reason": "Was korter", "version": entry["version"]})))
        .await;
    assert_eq!(corrected.status, StatusCode::OK, "{}", corrected.body);
    let entries = corrected.json()["entries"]
        .as_array()
        .expect("entries")
        .clone();
    assert!(entries.iter().any(|e| e["id"].as_i64() == Some(id)
        && e["status"] == "corrected"
        && e["change_reason"] == "Was korter"));
    let too_long = t
        .api(
            "POST",
            &format!("/api/v1/families/{family}/contacts"),
            Some(&token),
            Some(json!({"contact_on": today, "minutes": 1500, "kind": "travel"})),
        )
        .await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = t
        .get(&format!("/families/{family}/contacts"), Some(&coach))
        .await;
    assert!(
        page.body.contains("gecorrigeerd") && page.body.contains("Was korter"),
        "the correction stays visible"
    );
    let stranger = t.token("coach3@demo.wrapcare.nl").await;
    assert_eq!(
        t.api(
            "GET",
            &format!("/api/v1/families/{family}/contacts"),
            Some(&stranger),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

/// Fails when a page shows a message key instead of its text.
fn assert_no_raw_keys(path: &str, page: &Answer) {
    for prefix in [
        ">error-",
        ">field-",
        ">col-",
        ">nav-",
        ">hint-",
        ">notice-",
        ">module-",
        ">modules-",
        ">timeline-",
        ">costs-",
        ">access-log-",
        ">emergency-review-",
        ">outcome-",
        ">channel-",
        ">role-",
    ] {
        assert!(
            !page.body.contains(prefix),
            "{path} shows a raw message key ({prefix})"
        );
    }
}

async fn module_pages_and_api(store: Store) {
    let t = setup(store).await;
    let admin = t.session("admin@demo.wrapcare.nl").await;
    let coach = t.session("coach1@demo.wrapcare.nl").await;
    let actor = t.actor("coach1@demo.wrapcare.nl").await;
    // A family in care for a while, so its timeline has contacts.
    let long_ago = t.app.today() - chrono::Duration::days(60);
    let family = t
        .app
        .my_families(&actor)
        .await
        .expect("mine")
        .iter()
        .find(|l| l.started_on.is_some_and(|s| s < long_ago))
        .expect("in care for two months")
        .family_id;
    let admin_token = t.token("admin@demo.wrapcare.nl").await;
    let catalogue = t
        .api("GET", "/api/v1/modules", Some(&admin_token), None)
        .await;
    assert_eq!(catalogue.status, StatusCode::OK, "{}", catalogue.body);
    let modules = catalogue.json().as_array().expect("modules").clone();
    assert_eq!(modules.len(), 5);
    let id_of = |name: &str| {
        modules
            .iter()
            .find(|m| m["name"] == name)
            .and_then(|m| m["id"].as_i64())
            .expect("demo module")
    };
    let boomgaard = id_of("Logeerhuis De Boomgaard");
    let activity = id_of("Vrijetijdsbegeleiding");

    // The catalogue: admins may add to it, coordinators read it, intake and analysts do not.
    let page = t.get("/modules", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Logeerhuis De Boomgaard"));
    assert!(page.body.contains("id=\"create-module\""));
    assert_no_raw_keys("/modules", &page);
    let page = t.get("/modules", Some(&coach)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Logeerhuis De Boomgaard"));
    assert!(
        !page.body.contains("id=\"create-module\""),
        "only admins add modules"
    );
    for email in ["intake@demo.wrapcare.nl", "analist@demo.wrapcare.nl"] {
        let s = t.session(email).await;
        assert_eq!(
            t.get("/modules", Some(&s)).await.status,
            StatusCode::FORBIDDEN,
            "{email}"
        );
    }
    for s in [&admin, &coach] {
        let path = format!("/modules/{boomgaard}");
        let page = t.get(&path, Some(s)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains("ZB-VERBL"));
        assert_no_raw_keys(&path, &page);
    }
    assert_eq!(
        t.get("/modules/999999", Some(&coach)).await.status,
        StatusCode::NOT_FOUND
    );
    // An admin's form with a tariff that is not whole cents keeps what was typed.
    let provider = modules
        .iter()
        .find(|m| m["id"].as_i64() == Some(boomgaard))
        .and_then(|m| m["organisation_id"].as_i64())
        .expect("provider")
        .to_string();
    let refused = t
        .post_form(
            "/modules",
            &admin,
            &[
                ("organisation_id", &provider),
                ("name", "Gezinshuis"),
                ("code", "ZB-GH"),
                ("module_type", "residential"),
                ("unit", "night"),
                ("places", "4"),
                ("valid_from", &today(&t)),
                ("tariff_euros", "185,505"),
            ],
            true,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Een tarief is een heel aantal centen: hooguit twee decimalen."),
        "the tariff's error by the field"
    );
    assert!(refused.body.contains("value=\"Gezinshuis\""));
    let created = t
        .post_form(
            "/modules",
            &admin,
            &[
                ("organisation_id", &provider),
                ("name", "Gezinshuis"),
                ("code", "ZB-GH"),
                ("module_type", "residential"),
                ("unit", "night"),
                ("places", "4"),
                ("valid_from", &today(&t)),
                ("tariff_euros", "185,50"),
            ],
            true,
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert!(created.location().starts_with("/modules/"));
    let shown = t.get(created.location(), Some(&admin)).await;
    assert!(shown.body.contains("185,50"), "the tariff in Dutch money");

    // The family's modules, timeline and costs.
    for path in [
        format!("/families/{family}/modules"),
        format!("/families/{family}/timeline"),
        format!("/families/{family}/costs"),
    ] {
        let page = t.get(&path, Some(&coach)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert!(page.content_type().starts_with("text/html"));
        assert_no_raw_keys(&path, &page);
    }
    // The latest events first; the earliest page (one beyond it shows the
    // same) starts with the referral.
    let latest = t
        .get(&format!("/families/{family}/timeline"), Some(&coach))
        .await;
    assert!(latest.body.contains("id=\"timeline\""));
    assert!(latest.body.contains("timeline__item--contact"));
    assert!(!latest.body.contains("id=\"timeline-later\""));
    let earliest = t
        .get(
            &format!("/families/{family}/timeline?page=9999"),
            Some(&coach),
        )
        .await;
    assert_eq!(earliest.status, StatusCode::OK);
    assert!(earliest.body.contains("timeline__item--referral_received"));
    assert!(!earliest.body.contains("id=\"timeline-earlier\""));
    let nonsense = t
        .get(
            &format!("/families/{family}/timeline?page=abc"),
            Some(&coach),
        )
        .await;
    assert_eq!(
        nonsense.status,
        StatusCode::OK,
        "a bad page number shows the latest"
    );
    assert_eq!(
        nonsense.body.contains("id=\"timeline-earlier\""),
        latest.body.contains("id=\"timeline-earlier\"")
    );
    let main_steps = t
        .get(
            &format!("/families/{family}/timeline?without=contacts"),
            Some(&coach),
        )
        .await;
    assert_eq!(main_steps.status, StatusCode::OK);
    assert!(
        main_steps
            .body
            .contains("timeline__item--referral_received")
    );
    assert!(
        !main_steps.body.contains("timeline__item--contact"),
        "contacts left out"
    );
    let costs = t
        .get(&format!("/families/{family}/costs"), Some(&coach))
        .await;
    assert!(costs.body.contains("id=\"costs-total\""));
    let backwards = t
        .get(
            &format!(
                "/families/{family}/costs?from={}&to={}",
                days_ago(&t, 1),
                days_ago(&t, 10)
            ),
            Some(&coach),
        )
        .await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    let stranger = t.session("coach3@demo.wrapcare.nl").await;
    for path in [
        format!("/families/{family}/modules"),
        format!("/families/{family}/timeline"),
        format!("/families/{family}/costs"),
    ] {
        assert_eq!(
            t.get(&path, Some(&stranger)).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }

    // A request without a child: 422 with the error by the field, nothing stored.
    let token = t.token("coach1@demo.wrapcare.nl").await;
    let listed = t
        .api(
            "GET",
            &format!("/api/v1/families/{family}/modules"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let listed = listed.json();
    let before = listed["referrals"].as_array().expect("referrals").len();
    let child = listed["children"][0]["person_id"]
        .as_i64()
        .expect("a child")
        .to_string();
    let module_id = activity.to_string();
    let requested_on = days_ago(&t, 3);
    let no_child = t
        .post_form(
            &format!("/families/{family}/modules"),
            &coach,
            &[("module_id", &module_id), ("requested_on", &requested_on)],
            true,
        )
        .await;
    assert_eq!(no_child.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_child.body.contains("Kies ten minste één kind."),
        "the error by the children"
    );
    let no_csrf = t
        .post_form(
            &format!("/families/{family}/modules"),
            &coach,
            &[
                ("module_id", &module_id),
                ("children", &child),
                ("requested_on", &requested_on),
            ],
            false,
        )
        .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    let count = |view: &Value| view["referrals"].as_array().expect("referrals").len();
    let after = t
        .api(
            "GET",
            &format!("/api/v1/families/{family}/modules"),
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(count(&after), before, "nothing stored");
    let requested = t
        .post_form(
            &format!("/families/{family}/modules"),
            &coach,
            &[
                ("module_id", &module_id),
                ("children", &child),
                ("requested_on", &requested_on),
                ("note", "Voetbal op zaterdag"),
            ],
            true,
        )
        .await;
    assert_eq!(
        requested.status,
        StatusCode::SEE_OTHER,
        "{}",
        requested.body
    );
    assert_eq!(
        requested.location(),
        format!("/families/{family}/modules?notice=notice-module-requested")
    );
    let after = t
        .api(
            "GET",
            &format!("/api/v1/families/{family}/modules"),
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(count(&after), before + 1);
    let new = after["referrals"]
        .as_array()
        .expect("referrals")
        .iter()
        .find(|r| r["note"] == "Voetbal op zaterdag")
        .expect("the request")
        .clone();
    let referral = new["id"].as_i64().expect("id");
    let version = new["version"].as_i64().expect("version").to_string();
    let early = days_ago(&t, 4);
    let too_early = t
        .post_form(
            &format!("/families/{family}/modules/{referral}/start"),
            &coach,
            &[("on", &early), ("version", &version)],
            true,
        )
        .await;
    assert_eq!(too_early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        too_early
            .body
            .contains("De start kan niet voor de aanvraag liggen."),
        "the start's error"
    );
    let started = t
        .post_form(
            &format!("/families/{family}/modules/{referral}/start"),
            &coach,
            &[("on", &days_ago(&t, 2)), ("version", &version)],
            true,
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let stale = t
        .post_form(
            &format!("/families/{family}/modules/{referral}/end"),
            &coach,
            &[
                ("on", &today(&t)),
                ("reason", "completed"),
                ("version", &version),
            ],
            true,
        )
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        stale
            .body
            .contains("Iemand anders heeft dit intussen gewijzigd.")
    );
    let costs_path = format!(
        "/api/v1/families/{family}/costs?from={}&to={}",
        days_ago(&t, 2),
        today(&t)
    );
    let activity_units = |costs: &Value| {
        costs["modules"]
            .as_array()
            .expect("lines")
            .iter()
            .filter(|l| l["module_id"].as_i64() == Some(activity))
            .map(|l| {
                (
                    l["units"].as_i64().expect("units"),
                    l["cents"].as_i64().expect("cents"),
                )
            })
            .fold((0, 0), |(u, c), (lu, lc)| (u + lu, c + lc))
    };
    let before_delivery = t.api("GET", &costs_path, Some(&token), None).await.json();
    let delivered = t
        .api(
            "POST",
            &format!("/api/v1/families/{family}/modules/{referral}/deliveries"),
            Some(&token),
            Some(json!({"delivered_on": days_ago(&t, 1), "units": 2})),
        )
        .await;
    assert_eq!(delivered.status, StatusCode::OK, "{}", delivered.body);
    let view = delivered.json();
    let line = view["referrals"]
        .as_array()
        .expect("referrals")
        .iter()
        .find(|r| r["id"].as_i64() == Some(referral))
        .expect("the referral")
        .clone();
    assert_eq!(line["state"], "started");
    assert_eq!(line["units"], 2);
    assert_eq!(line["cost_cents"], 2 * 4_500);

    // Bad JSON types are problems, not crashes.
    for body in [
        json!({"module_id": activity, "children": "Sem", "requested_on": requested_on}),
        json!({"module_id": activity, "children": ["Sem"], "requested_on": requested_on}),
        json!({"module_id": [activity], "children": [1], "requested_on": requested_on}),
    ] {
        let bad = t
            .api(
                "POST",
                &format!("/api/v1/families/{family}/modules"),
                Some(&token),
                Some(body.clone()),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            bad.content_type().starts_with("application/problem+json"),
            "{body}"
        );
    }
    let invalid = t
        .api(
            "POST",
            &format!("/api/v1/families/{family}/modules"),
            Some(&token),
            Some(json!({"module_id": boomgaard, "children": [], "requested_on": requested_on})),
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        invalid.json()["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .any(|e| e["field"] == "children")
    );

    // Timeline and costs as JSON.
    let timeline = t
        .api(
            "GET",
            &format!("/api/v1/families/{family}/timeline"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(timeline.status, StatusCode::OK, "{}", timeline.body);
    assert!(timeline.content_type().starts_with("application/json"));
    let timeline = timeline.json();
    assert_eq!(timeline["family_id"], family);
    let entries = timeline["entries"].as_array().expect("entries");
    assert_eq!(entries[0]["kind"], "referral_received");
    let dates: Vec<&str> = entries
        .iter()
        .map(|e| e["on"].as_str().expect("date"))
        .collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "in date order");
    assert!(entries.iter().any(|e| e["kind"] == "module_started"
        && e["module"] == "Vrijetijdsbegeleiding"
        && e["on"] == days_ago(&t, 2).as_str()));
    let costs = t.api("GET", &costs_path, Some(&token), None).await;
    assert_eq!(costs.status, StatusCode::OK, "{}", costs.body);
    let costs = costs.json();
    assert_eq!(costs["hourly_rate_cents"], 9_500);
    assert_eq!(costs["families"], 1);
    let total = costs["total_cents"].as_i64().expect("total");
    let parts = costs["coordinator_cents"].as_i64().expect("coordinator")
        + costs["module_cents"].as_i64().expect("modules");
    assert_eq!(total, parts);
    let (units, cents) = activity_units(&costs);
    let (units_before, cents_before) = activity_units(&before_delivery);
    assert_eq!(
        (units - units_before, cents - cents_before),
        (2, 2 * 4_500),
        "two sessions at the tariff of the day"
    );
    let backwards = t
        .api(
            "GET",
            &format!(
                "/api/v1/families/{family}/costs?from={}&to={}",
                today(&t),
                days_ago(&t, 2)
            ),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        backwards
            .content_type()
            .starts_with("application/problem+json")
    );
    let programme = costs["programme_id"].as_i64().expect("programme");
    let analyst = t.token("analist@demo.wrapcare.nl").await;
    let figures = t
        .api(
            "GET",
            &format!("/api/v1/programmes/{programme}/costs"),
            Some(&analyst),
            None,
        )
        .await;
    assert_eq!(figures.status, StatusCode::OK, "{}", figures.body);
    assert!(figures.json()["families"].as_i64().expect("families") > 0);
    assert_eq!(
        t.api(
            "GET",
            &format!("/api/v1/programmes/{programme}/costs"),
            Some(&token),
            None
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let analyst_page = t.session("analist@demo.wrapcare.nl").await;
    let page = t
        .get(
            &format!("/programmes/{programme}/costs"),
            Some(&analyst_page),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_no_raw_keys("/programmes/{id}/costs", &page);
    assert_eq!(
        t.get(&format!("/programmes/{programme}/costs"), Some(&coach))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let stranger = t.token("coach3@demo.wrapcare.nl").await;
    for path in ["timeline", "costs", "modules"] {
        assert_eq!(
            t.api(
                "GET",
                &format!("/api/v1/families/{family}/{path}"),
                Some(&stranger),
                None
            )
            .await
            .status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

async fn module_api_takes_its_documented_json_types(store: Store) {
    let t = setup(store).await;
    let admin = t.token("admin@demo.wrapcare.nl").await;
    let modules = t
        .api("GET", "/api/v1/modules", Some(&admin), None)
        .await
        .json();
    let provider = modules[0]["organisation_id"].as_i64().expect("provider");
    // Numbers where the description says integer.
    let created = t
        .api(
            "POST",
            "/api/v1/modules",
            Some(&admin),
            Some(
                json!({"organisation_id": provider, "name": "Gezinshuis", "code": "GH-1",
                "module_type": "residential", "unit": "night", "places": 4}),
            ),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let id = created.json()["id"].as_i64().expect("id");
    let tariff = t
        .api(
            "POST",
            &format!("/api/v1/modules/{id}/tariffs"),
            Some(&admin),
            Some(json!({"valid_from": today(&t), "tariff_cents": 18_550})),
        )
        .await;
    assert_eq!(tariff.status, StatusCode::OK, "{}", tariff.body);
    let occupancy = tariff.json();
    assert_eq!(occupancy["module"]["current_tariff_cents"], 18_550);
    assert_eq!(occupancy["module"]["places"], 4);
    let fraction = t
        .api(
            "POST",
            &format!("/api/v1/modules/{id}/tariffs"),
            Some(&admin),
            Some(json!({"valid_from": days_ago(&t, 1), "tariff_cents": 185.5})),
        )
        .await;
    assert_eq!(fraction.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        fraction.json()["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .any(|e| e["field"] == "tariff_cents")
    );
    let coach = t.token("coach1@demo.wrapcare.nl").await;
    assert_eq!(
        t.api(
            "POST",
            "/api/v1/modules",
            Some(&coach),
            Some(
                json!({"organisation_id": provider, "name": "X", "code": "X",
                "module_type": "other", "unit": "hour"})
            ),
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    // `active` is documented as a boolean, and a JSON boolean is taken as one.
    let spec = t.get("/api/openapi.json", None).await.json();
    let documented = &spec["components"]["schemas"]["ModuleInput"]["properties"]["active"];
    assert!(documented.to_string().contains("boolean"), "{documented}");
    let inactive = t
        .api(
            "POST",
            "/api/v1/modules",
            Some(&admin),
            Some(
                json!({"organisation_id": provider, "name": "Opvoedondersteuning", "code": "OO-1",
                "module_type": "ambulatory", "unit": "hour", "active": false}),
            ),
        )
        .await;
    assert_eq!(
        inactive.status,
        StatusCode::OK,
        "a boolean `active` as documented: {}",
        inactive.body
    );
    let id = inactive.json()["id"].as_i64().expect("id");
    let listed = t
        .api("GET", "/api/v1/modules", Some(&admin), None)
        .await
        .json();
    let stored = listed
        .as_array()
        .expect("modules")
        .iter()
        .find(|m| m["id"].as_i64() == Some(id))
        .expect("stored")
        .clone();
    assert_eq!(stored["active"], false);
}

/// A provider's CSV over the API: only text/csv, all or nothing, each bad line
/// named `lines[N].column`, and a report of what was stored.
async fn module_import_api(store: Store) {
    let t = setup(store).await;
    let admin = t.token("admin@demo.wrapcare.nl").await;
    let coach = t.token("coach1@demo.wrapcare.nl").await;
    let modules = t
        .api("GET", "/api/v1/modules", Some(&admin), None)
        .await
        .json();
    let boomgaard = modules
        .as_array()
        .expect("modules")
        .iter()
        .find(|m| m["module_type"] == "residential")
        .expect("a residential module")
        .clone();
    let provider = boomgaard["provider"]
        .as_str()
        .expect("provider")
        .to_string();
    let code = boomgaard["code"].as_str().expect("code").to_string();
    let post = |token: &str, content_type: &str, body: String| {
        Request::post("/api/v1/imports/modules")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, content_type.to_string())
            .body(Body::from(body))
            .expect("request")
    };
    let header = "provider,module,reference,event,date,units,reason\n";

    let json = t.send(post(&admin, "application/json", "{}".into())).await;
    assert_eq!(
        json.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        json.body
    );
    assert!(
        json.headers[header::CONTENT_TYPE]
            .to_str()
            .expect("type")
            .starts_with("application/problem+json")
    );

    let bad = format!(
        "{header}\"{provider}\",{code},M-999999,start,2026-01-01,,\nNobody,X,M-1,jump,01-01-2026,,\n"
    );
    let refused = t.send(post(&admin, "text/csv", bad)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let fields: Vec<String> = refused.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str().map(str::to_string))
        .collect();
    for expected in [
        "lines[2].reference",
        "lines[3].provider",
        "lines[3].event",
        "lines[3].date",
    ] {
        assert!(
            fields.iter().any(|f| f == expected),
            "{expected} in {fields:?}"
        );
    }

    let missing = t
        .send(post(
            &admin,
            "text/csv",
            "provider,module,event,date\nA,B,start,2026-01-01\n".into(),
        ))
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        missing.body.contains("lines[1].reference"),
        "{}",
        missing.body
    );

    let forbidden = t.send(post(&coach, "text/csv", header.to_string())).await;
    assert_eq!(
        forbidden.status,
        StatusCode::FORBIDDEN,
        "{}",
        forbidden.body
    );
}

/// The privacy officer's review: the demo's emergency access with its reason,
/// per family and per user, refusals, the filters, the export, paging; a
/// supervisor's review of their own team's families; and no file content.
async fn access_log_review_pages_and_api(store: Store) {
    let t = setup(store).await;
    let privacy = t.session("privacy@demo.wrapcare.nl").await;
    let token = t.token("privacy@demo.wrapcare.nl").await;
    let privacy_id = t.actor("privacy@demo.wrapcare.nl").await.user_id;

    // The demo's emergency access, found with its reason.
    let accesses = t
        .api(
            "GET",
            "/api/v1/access-log/emergency-accesses",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(accesses.status, StatusCode::OK, "{}", accesses.body);
    let first = accesses.json()["accesses"][0].clone();
    let family = first["family_id"].as_i64().expect("family");
    let breaker = first["user_id"].as_i64().expect("user");
    assert!(
        first["reason"]
            .as_str()
            .expect("reason")
            .contains("Crisisdienst")
    );
    assert_eq!(first["entries"], 3, "{first}");
    let page = t
        .get("/access-log/emergency-accesses", Some(&privacy))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Crisisdienst Veiligheidshuis"));
    assert!(page.body.contains("Corrie Minderhoud"));

    // Nothing of the file shows on the review, though its number does.
    let leider = t.actor("leider@demo.wrapcare.nl").await;
    let file = t.app.family(&leider, family).await.expect("file");
    let street = file.address.clone().expect("street");
    for path in [
        format!("/access-log?family={family}"),
        format!("/access-log?user={breaker}"),
        "/access-log".to_string(),
        "/access-log/emergency-accesses".to_string(),
    ] {
        let page = t.get(&path, Some(&privacy)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        for secret in [file.surname.as_str(), street.as_str()] {
            assert!(!page.body.contains(secret), "{path} shows {secret}");
        }
    }
    let csv = t.get("/access-log/export", Some(&privacy)).await;
    assert!(
        !csv.body.contains(&file.surname),
        "the export shows the surname"
    );

    // The privacy officer opens no file, and the refusal is logged.
    assert_eq!(
        t.get(&format!("/families/{family}"), Some(&privacy))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let api_file = t
        .api(
            "GET",
            &format!("/api/v1/families/{family}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(api_file.status, StatusCode::FORBIDDEN);
    assert!(!api_file.body.contains(&file.surname));
    let glass = t
        .api(
            "POST",
            &format!("/api/v1/families/{family}/emergency-access"),
            Some(&token),
            Some(json!({ "reason": "Ik wil het dossier zien voor de controle." })),
        )
        .await;
    assert_eq!(glass.status, StatusCode::FORBIDDEN);
    let refused = t
        .api(
            "GET",
            &format!("/api/v1/access-log?user={privacy_id}&outcome=refused"),
            Some(&token),
            None,
        )
        .await
        .json();
    let refusals: Vec<&str> = refused["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or(""))
        .collect();
    assert!(refusals.contains(&"family.read"), "{refusals:?}");
    assert!(
        refusals.contains(&"family.emergency_access"),
        "{refusals:?}"
    );

    // Per family: who opened it; per user: which families they opened.
    let of_family = t
        .api(
            "GET",
            &format!("/api/v1/access-log?family={family}"),
            Some(&token),
            None,
        )
        .await
        .json();
    let who: Vec<i64> = of_family["users"]
        .as_array()
        .expect("users")
        .iter()
        .filter_map(|u| u["id"].as_i64())
        .collect();
    assert!(who.contains(&breaker), "{who:?}");
    // A review is no look at the file: its entry names no family.
    let log = wrapcare_store::testing::access_log(t.app.store(), None, 500).await;
    assert!(
        log.iter()
            .filter(|e| e.action.starts_with("access_log."))
            .all(|e| e.family_id.is_none())
    );
    assert!(
        of_family["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .all(|e| e["family_id"] == family)
    );
    let of_user = t
        .api(
            "GET",
            &format!("/api/v1/access-log?user={breaker}"),
            Some(&token),
            None,
        )
        .await
        .json();
    let families: Vec<i64> = of_user["families"]
        .as_array()
        .expect("families")
        .iter()
        .filter_map(|f| f["id"].as_i64())
        .collect();
    assert!(
        families.contains(&family) && families.len() >= 2,
        "{families:?}"
    );
    let page = t
        .get(&format!("/access-log?user={breaker}"), Some(&privacy))
        .await;
    assert!(page.body.contains("Gezinnen die deze gebruiker opende"));

    // Filters: refusals, emergency only, an action prefix, a period.
    let only = |q: &str| {
        let q = q.to_string();
        let t = &t;
        let token = token.clone();
        async move {
            let a = t
                .api(
                    "GET",
                    &format!("/api/v1/access-log?{q}"),
                    Some(&token),
                    None,
                )
                .await;
            assert_eq!(a.status, StatusCode::OK, "{q}: {}", a.body);
            a.json()["entries"].as_array().expect("entries").clone()
        }
    };
    let refusals = only("outcome=refused").await;
    assert!(refusals.len() >= 3);
    assert!(refusals.iter().all(|e| e["outcome"] == "refused"));
    let emergency = only("emergency=on").await;
    assert_eq!(emergency.len(), 3);
    assert!(emergency.iter().all(|e| {
        e["emergency_reason"]
            .as_str()
            .is_some_and(|r| r.contains("Crisisdienst"))
    }));
    let plan = only("action=plan.").await;
    assert!(
        !plan.is_empty()
            && plan
                .iter()
                .all(|e| e["action"].as_str().is_some_and(|a| a.starts_with("plan.")))
    );
    // The underscore in an action is no wildcard.
    assert!(only("action=family_read").await.is_empty());
    let today = today(&t);
    assert!(
        only(&format!(
            "from={today}&until={today}&action=family.emergency&outcome=allowed"
        ))
        .await
        .is_empty()
    );
    assert_eq!(
        only(&format!(
            "from={}&action=family.emergency&outcome=allowed",
            days_ago(&t, 7)
        ))
        .await
        .len(),
        1
    );

    // Bad filters: the page names each field, the API lists them; nothing is logged as a review.
    let before = wrapcare_store::testing::access_log(t.app.store(), None, 1).await[0].id;
    let bad = t
        .get(
            "/access-log?from=gisteren&family=drie&outcome=misschien",
            Some(&privacy),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["from", "family", "outcome"] {
        assert!(
            bad.body.contains(&format!("id=\"{field}-error\"")),
            "{field}"
        );
    }
    assert!(
        bad.body.contains("value=\"gisteren\""),
        "keeps what was typed"
    );
    let bad = t
        .api(
            "GET",
            "/api/v1/access-log?from=2026-02-01&until=2026-01-01&user=-3&action=x%27%3Bdrop",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.content_type().starts_with("application/problem+json"));
    let fields: Vec<String> = bad.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(fields, ["from", "user", "action"]);
    assert_eq!(
        wrapcare_store::testing::access_log(t.app.store(), None, 1).await[0].id,
        before,
        "a refused filter is no review"
    );

    // The export: every entry the filters select, with the reason, formulas defused.
    let coach = t.actor("ipt1@demo.wrapcare.nl").await;
    t.app
        .break_glass(
            &coach,
            family,
            &wrapcare_app::access::EmergencyInput {
                reason: "=HYPERLINK(\"http://example.invalid\") crisis in de nacht".into(),
            },
        )
        .await
        .expect("emergency access");
    let csv = t
        .get("/access-log/export?emergency=on", Some(&privacy))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.content_type().starts_with("text/csv"));
    assert!(
        csv.headers
            .get(header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("attachment; filename=\"access-log-"))
    );
    let mut lines = csv.body.lines();
    assert_eq!(
        lines.next(),
        Some(wrapcare_app::access_log::EXPORT_COLUMNS.join(",").as_str())
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 4, "{}", csv.body);
    assert!(
        rows.iter()
            .any(|r| r.contains("Crisisdienst Veiligheidshuis"))
    );
    assert!(
        rows.iter().any(|r| r.contains("\"'=HYPERLINK(")),
        "{}",
        csv.body
    );
    let api_csv = t
        .api(
            "GET",
            "/api/v1/access-log/export?emergency=on",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(api_csv.status, StatusCode::OK);
    assert_eq!(api_csv.body.lines().count(), 5);
    let exported = wrapcare_store::testing::access_log(t.app.store(), None, 5).await;
    assert!(exported.iter().any(|e| {
        e.action == "access_log.export"
            && e.user_id == Some(privacy_id)
            && e.detail
                .as_deref()
                .is_some_and(|d| d.contains("\"emergency_only\":true"))
    }));

    // Paging: a hundred entries a page, then the older ones.
    for _ in 0..100 {
        t.app.family(&leider, family).await.expect("read");
    }
    let page1 = t
        .api("GET", "/api/v1/access-log", Some(&token), None)
        .await
        .json();
    let entries1 = page1["entries"].as_array().expect("entries");
    assert_eq!(entries1.len(), 100);
    let older = page1["older"].as_i64().expect("an older page");
    let page2 = t
        .api(
            "GET",
            &format!("/api/v1/access-log?before={older}"),
            Some(&token),
            None,
        )
        .await
        .json();
    let entries2 = page2["entries"].as_array().expect("entries");
    assert!(!entries2.is_empty());
    assert!(entries2.iter().all(|e| e["id"].as_i64() < Some(older)));
    let html = t.get("/access-log", Some(&privacy)).await;
    assert!(html.body.contains("?before="));

    // A supervisor reviews their own team's families only.
    let amersfoort = t.token("leider@demo.wrapcare.nl").await;
    let theirs = t
        .api(
            "GET",
            &format!("/api/v1/access-log?family={family}"),
            Some(&amersfoort),
            None,
        )
        .await
        .json();
    assert!(theirs["team_id"].is_number());
    assert!(!theirs["entries"].as_array().expect("entries").is_empty());
    let zeeland = t.token("zeeland-leider@demo.wrapcare.nl").await;
    let not_theirs = t
        .api(
            "GET",
            &format!("/api/v1/access-log?family={family}"),
            Some(&zeeland),
            None,
        )
        .await
        .json();
    assert_eq!(not_theirs["entries"], json!([]), "another team's family");
    let zeeland_all = t
        .api("GET", "/api/v1/access-log", Some(&zeeland), None)
        .await
        .json();
    assert!(
        zeeland_all["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .all(|e| e["family_id"] != family && e["family_id"].is_number())
    );
    let zeeland_emergency = t
        .api(
            "GET",
            "/api/v1/access-log/emergency-accesses",
            Some(&zeeland),
            None,
        )
        .await
        .json();
    assert_eq!(zeeland_emergency["accesses"], json!([]));
    let amersfoort_emergency = t
        .api(
            "GET",
            "/api/v1/access-log/emergency-accesses",
            Some(&amersfoort),
            None,
        )
        .await
        .json();
    assert_eq!(
        amersfoort_emergency["accesses"].as_array().map(Vec::len),
        Some(2)
    );

    // Other roles do not review, and their attempt is logged.
    let coach1 = t.token("coach1@demo.wrapcare.nl").await;
    for token in [&coach1, &t.token("admin@demo.wrapcare.nl").await] {
        let answer = t.api("GET", "/api/v1/access-log", Some(token), None).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
    }
    let last = wrapcare_store::testing::access_log(t.app.store(), None, 1).await;
    assert_eq!(
        (last[0].action.as_str(), last[0].outcome.as_str()),
        ("access_log.review", "refused")
    );
}

/// A family page kept as rendered serves again only to the session it was
/// rendered for: each session's forms carry that session's own CSRF token.
async fn a_kept_family_page_is_each_sessions_own(store: Store) {
    let t = setup(store).await;
    let actor = t.actor("coach2@demo.wrapcare.nl").await;
    let family = t.app.my_families(&actor).await.expect("mine")[0].family_id;
    let first = t.session("coach2@demo.wrapcare.nl").await;
    let second = t.session("coach2@demo.wrapcare.nl").await;
    assert_ne!(first.csrf, second.csrf);
    let path = format!("/families/{family}");
    for _ in 0..2 {
        for (own, other) in [(&first, &second), (&second, &first)] {
            let page = t.get(&path, Some(own)).await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(page.body.contains(&format!("value=\"{}\"", own.csrf)));
            assert!(!page.body.contains(&other.csrf), "another session's token");
        }
    }
    let noticed = t
        .get(&format!("{path}?notice=notice-assigned"), Some(&first))
        .await;
    let plain = t.get(&path, Some(&first)).await;
    assert_ne!(
        noticed.body, plain.body,
        "the notice is part of what is kept"
    );
}

/// A family's contacts page shows the latest fifty, and the rest a page
/// further each: long-running families do not put years on one page.
async fn contacts_page_by_page(store: Store) {
    let t = setup(store).await;
    let coach = t.session("coach1@demo.wrapcare.nl").await;
    let actor = t.actor("coach1@demo.wrapcare.nl").await;
    let mut long = None;
    for line in t.app.my_families(&actor).await.expect("mine") {
        let id = line.family_id;
        let first = t
            .get(&format!("/families/{id}/contacts"), Some(&coach))
            .await;
        assert_eq!(first.status, StatusCode::OK);
        assert!(!first.body.contains("id=\"contacts-newer\""));
        if first.body.contains("id=\"contacts-older\"") {
            long = Some((id, first));
        }
    }
    let (id, first) = long.expect("a demo family with more than fifty contacts");
    // Rows of the entries' table (the norms above it have a table too).
    let rows = |body: &str| {
        body.split_once("id=\"entries\"")
            .map_or(0, |(_, entries)| entries.matches("<tr").count())
    };
    assert_eq!(rows(&first.body), 51, "a header and fifty entries");
    let second = t
        .get(&format!("/families/{id}/contacts?page=2"), Some(&coach))
        .await;
    assert!(second.body.contains("id=\"contacts-newer\""));
    let last = t
        .get(&format!("/families/{id}/contacts?page=9999"), Some(&coach))
        .await;
    assert_eq!(last.status, StatusCode::OK);
    assert!(
        !last.body.contains("id=\"contacts-older\""),
        "the last page"
    );
    let nonsense = t
        .get(&format!("/families/{id}/contacts?page=-3"), Some(&coach))
        .await;
    assert_eq!(
        nonsense.status,
        StatusCode::OK,
        "a bad page number shows the first"
    );
    assert_eq!(rows(&nonsense.body), 51);
}

async fn signals_page_and_api(store: Store) {
    let t = setup(store).await;
    let leider = t.session("leider@demo.wrapcare.nl").await;
    let page = t.get("/signals", Some(&leider)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Aandacht nodig"));
    assert!(page.body.contains("class=\"signal "), "signal cards");
    let bad = t.get("/signals?kind=everything", Some(&leider)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    let actor = t.actor("leider@demo.wrapcare.nl").await;
    let view = t
        .app
        .attention(&actor, &Default::default())
        .await
        .expect("signals");
    let first = view.signals[0].clone();
    // Without a note: the form again, the error by the field, nothing stored.
    let refused = t
        .post_form(
            "/signals/acknowledge",
            &leider,
            &[
                ("key", &first.key),
                ("cause", &first.cause),
                ("note", ""),
                ("back", "/signals"),
            ],
            true,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("field--error"));
    assert!(refused.body.contains("Vul dit veld in."));
    assert!(!refused.body.contains("Gezien door"));
    // Somewhere else to go back to is not followed.
    let done = t
        .post_form(
            "/signals/acknowledge",
            &leider,
            &[
                ("key", &first.key),
                ("cause", &first.cause),
                ("note", "Besproken in het teamoverleg"),
                ("back", "https://example.org/"),
            ],
            true,
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        done.location(),
        "/signals?notice=notice-signal-acknowledged"
    );
    let after = t.get(done.location(), Some(&leider)).await;
    assert!(after.body.contains("Gezien door"));
    assert!(after.body.contains("Besproken in het teamoverleg"));

    // The API: the same signals, figures by name; an outdated cause is a 409.
    let token = t.token("leider@demo.wrapcare.nl").await;
    let listed = t.api("GET", "/api/v1/signals", Some(&token), None).await;
    assert_eq!(listed.status, StatusCode::OK);
    let json = listed.json();
    let signals = json["signals"].as_array().expect("signals");
    assert_eq!(signals.len(), view.signals.len());
    assert!(signals[0]["figures"].is_object());
    let acknowledged = signals
        .iter()
        .find(|s| s["key"] == first.key.as_str())
        .expect("still listed");
    assert_eq!(
        acknowledged["acknowledged"]["note"],
        "Besproken in het teamoverleg"
    );
    let gone = t
        .api(
            "POST",
            "/api/v1/signals/acknowledge",
            Some(&token),
            Some(json!({"key": first.key, "cause": "1999-01-01", "note": "x"})),
        )
        .await;
    assert_eq!(gone.status, StatusCode::CONFLICT);
    assert!(gone.content_type().starts_with("application/problem+json"));
    let filtered = t
        .api("GET", "/api/v1/signals?urgency=soon", Some(&token), None)
        .await;
    assert!(
        filtered.json()["signals"]
            .as_array()
            .expect("signals")
            .iter()
            .all(|s| s["urgency"] == "soon")
    );
    assert_eq!(
        t.api("GET", "/api/v1/signals?urgency=later", Some(&token), None)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Intake sees no signals.
    let intake = t.token("intake@demo.wrapcare.nl").await;
    assert_eq!(
        t.api("GET", "/api/v1/signals", Some(&intake), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

/// A coordinator plans appointments (an end before the start and an
/// unconfirmed overlap are refused by the field), confirms a past one as a
/// contact in one step (more than 24 hours that day is refused and stores
/// nothing), sees it on their day, and subscribes to a calendar feed that
/// parses as iCalendar and names no family.
async fn appointments_day_and_calendar_feed(store: Store) {
    let t = setup(store).await;
    let email = "coach2@demo.wrapcare.nl";
    let actor = t.actor(email).await;
    let line = t
        .app
        .my_families(&actor)
        .await
        .expect("mine")
        .into_iter()
        .find(|l| l.started_on.is_some())
        .expect("in care");
    let family = line.family_id;
    let token = t.token(email).await;
    let tomorrow = (t.app.today() + chrono::Duration::days(1)).to_string();
    let plan = |body: Value| {
        let token = token.clone();
        let t = &t;
        async move {
            t.api(
                "POST",
                &format!("/api/v1/families/{family}/appointments"),
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    let backwards = plan(
        json!({"on": tomorrow, "starts_at": "11:00", "ends_at": "10:00", "kind": "home_visit"}),
    )
    .await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(backwards.body.contains("ends_at"), "{}", backwards.body);
    let planned = plan(json!({"on": tomorrow, "starts_at": "10:00", "ends_at": "11:00", "kind": "home_visit", "place": "Thuis", "participants": "moeder"})).await;
    assert_eq!(planned.status, StatusCode::OK, "{}", planned.body);
    let overlapping = json!({"on": tomorrow, "starts_at": "10:30", "ends_at": "11:30", "kind": "network_meeting"});
    let warned = plan(overlapping.clone()).await;
    assert_eq!(warned.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(warned.body.contains("starts_at"), "{}", warned.body);
    let mut anyway = overlapping;
    anyway["confirm_overlap"] = json!(true);
    assert_eq!(plan(anyway).await.status, StatusCode::OK);

    // One that took place yesterday, planned then: straight into the store.
    let yesterday = t.app.today() - chrono::Duration::days(1);
    let mut tx = t.app.store().write().await.expect("tx");
    let episode = line.episode_id;
    let past = wrapcare_store::appointment::insert(
        &mut tx,
        &wrapcare_store::appointment::NewAppointment {
            episode_id: episode,
            worker_id: actor.worker_id.expect("worker"),
            slot: wrapcare_core::appointment::Slot {
                on: yesterday,
                starts_minute: 9 * 60,
                ends_minute: 10 * 60 + 30,
            },
            kind: wrapcare_core::contact::ContactKind::HomeVisit,
            place: "Thuis",
            participants: "moeder, oma",
            purpose: "Doelen doornemen",
            created_by: actor.user_id,
        },
        t.app.now(),
    )
    .await
    .expect("past appointment");
    tx.commit().await.expect("commit");

    let coach = t.session(email).await;
    let day = t.get("/day", Some(&coach)).await;
    assert_eq!(day.status, StatusCode::OK);
    assert!(
        day.body.contains(&format!("/appointments/{past}/settle")),
        "to settle on the day"
    );
    let form = t
        .get(&format!("/appointments/{past}/settle"), Some(&coach))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("value=\"90\""), "minutes prefilled");
    assert!(
        form.body.contains("Doelen doornemen"),
        "the purpose becomes the note"
    );

    let other = t.token("coach3@demo.wrapcare.nl").await;
    let confirm = json!({"contact_on": yesterday.to_string(), "minutes": 90, "kind": "home_visit", "note": "Doelen doorgenomen", "version": 1});
    let by_other = t
        .api(
            "POST",
            &format!("/api/v1/appointments/{past}/confirm"),
            Some(&other),
            Some(confirm.clone()),
        )
        .await;
    assert_eq!(
        by_other.status,
        StatusCode::NOT_FOUND,
        "another coordinator's family"
    );
    let mut too_much = confirm.clone();
    too_much["minutes"] = json!(1500);
    let refused = t
        .api(
            "POST",
            &format!("/api/v1/appointments/{past}/confirm"),
            Some(&token),
            Some(too_much),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let no_reason = t
        .api(
            "POST",
            &format!("/api/v1/appointments/{past}/not-happened"),
            Some(&token),
            Some(json!({"reason": " ", "version": 1})),
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let still = t
        .app
        .family_appointments(&actor, family)
        .await
        .expect("list");
    assert!(
        still
            .appointments
            .iter()
            .any(|a| a.id == past && a.to_settle),
        "nothing stored"
    );

    let confirmed = t
        .post_form(
            &format!("/appointments/{past}/confirm"),
            &coach,
            &[
                ("contact_on", &yesterday.to_string()),
                ("minutes", "80"),
                ("kind", "home_visit"),
                ("participants", "moeder, oma"),
                ("note", "Doelen doorgenomen"),
                ("version", "1"),
            ],
            true,
        )
        .await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.body
    );
    let contacts = t.app.contacts(&actor, family).await.expect("contacts");
    let contact = contacts
        .entries
        .iter()
        .find(|c| c.note == "Doelen doorgenomen")
        .expect("the contact is logged");
    assert_eq!(contact.minutes, 80);
    let list = t
        .api(
            "GET",
            &format!("/api/v1/families/{family}/appointments"),
            Some(&token),
            None,
        )
        .await
        .json();
    let settled = list["appointments"]
        .as_array()
        .expect("appointments")
        .iter()
        .find(|a| a["id"].as_i64() == Some(past))
        .expect("listed")
        .clone();
    assert_eq!(settled["status"], "confirmed");
    assert_eq!(settled["contact_id"].as_i64(), Some(contact.id));
    let again = t
        .api(
            "POST",
            &format!("/api/v1/appointments/{past}/not-happened"),
            Some(&token),
            Some(json!({"reason": "Afgezegd", "version": 2})),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "settled once");
    let api_day = t.api("GET", "/api/v1/day", Some(&token), None).await;
    assert_eq!(api_day.status, StatusCode::OK);
    assert!(api_day.json()["week_minutes"].as_i64().is_some());
    // The day was read (and kept) before the appointment was settled: what
    // it shows now is the settled state, not the kept copy.
    assert!(
        api_day.json()["to_settle"]
            .as_array()
            .expect("to settle")
            .iter()
            .all(|a| a["id"].as_i64() != Some(past)),
        "a settled appointment leaves the day: {}",
        api_day.body
    );

    // The calendar feed: a secret shown once, iCalendar without names.
    let renewed = t.post_form("/calendar/renew", &coach, &[], true).await;
    assert_eq!(renewed.status, StatusCode::OK);
    let secret = renewed
        .body
        .split("/ical/")
        .nth(1)
        .and_then(|rest| rest.split(".ics").next())
        .expect("the feed's address")
        .to_string();
    let feed = t.get(&format!("/ical/{secret}.ics"), None).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(
        feed.headers[header::CONTENT_TYPE]
            .to_str()
            .expect("type")
            .starts_with("text/calendar")
    );
    let calendar: icalendar::Calendar = feed.body.parse().expect("parses as iCalendar");
    let events: Vec<&icalendar::Event> = calendar
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .collect();
    assert!(
        events.len() >= 3,
        "the planned and the confirmed ones: {}",
        events.len()
    );
    use icalendar::Component as _;
    let reference = format!("G-{family:05}");
    assert!(
        events
            .iter()
            .any(|e| e.get_summary().is_some_and(|s| s.contains(&reference)))
    );
    assert!(
        !feed.body.contains(&line.surname),
        "no family name in the feed"
    );
    assert!(!feed.body.contains("Thuis"), "no place in the feed");
    let renewed_again = t.post_form("/calendar/renew", &coach, &[], true).await;
    assert_eq!(renewed_again.status, StatusCode::OK);
    assert_eq!(
        t.get(&format!("/ical/{secret}.ics"), None).await.status,
        StatusCode::NOT_FOUND,
        "the old address stops working"
    );
}

/// The weekly meeting: a coordinator puts a family forward with a question,
/// the supervisor opens the meeting with the proposed agenda (signals first,
/// the question on its family), records the discussion and a decision as an
/// action item (refused without an owner or due date, nothing stored), which
/// comes back on the next meeting's agenda until done. Only the team reads
/// the notes: intake, analysts, admins and privacy officers are refused, the
/// other team's supervisor finds nothing, and every read is in the access log.
async fn meetings_agenda_decisions_and_who_reads_them(store: Store) {
    let t = setup(store).await;
    let coach = t.session("coach1@demo.wrapcare.nl").await;
    let coach_actor = t.actor("coach1@demo.wrapcare.nl").await;
    let family = t
        .app
        .my_families(&coach_actor)
        .await
        .expect("mine")
        .into_iter()
        .find(|l| l.started_on.is_some())
        .expect("in care")
        .family_id;
    let empty = t
        .post_form(
            &format!("/families/{family}/intervision"),
            &coach,
            &[("question", " ")],
            true,
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("id=\"question-error\""));
    let asked = t
        .post_form(
            &format!("/families/{family}/intervision"),
            &coach,
            &[
                ("question", "Hoe betrekken we de school bij het plan?"),
                ("domains", "school"),
                ("domains", "mental_health"),
            ],
            true,
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);

    let leider = t.session("leider@demo.wrapcare.nl").await;
    let list = t.get("/meetings", Some(&leider)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("Hoe betrekken we de school"),
        "the question is on the proposal"
    );
    let lead = t.token("leider@demo.wrapcare.nl").await;
    let today = today(&t);
    let coach_token = t.token("coach1@demo.wrapcare.nl").await;
    assert_eq!(
        t.api(
            "POST",
            "/api/v1/meetings",
            Some(&coach_token),
            Some(json!({"held_on": today}))
        )
        .await
        .status,
        StatusCode::FORBIDDEN,
        "a coordinator does not open the meeting"
    );
    let opened = t
        .api(
            "POST",
            "/api/v1/meetings",
            Some(&lead),
            Some(json!({"held_on": today})),
        )
        .await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
    let meeting = opened.json();
    let id = meeting["id"].as_i64().expect("id");
    let items = meeting["items"].as_array().expect("items").clone();
    assert!(items.len() >= 2, "families with signals and the question");
    assert!(
        !items[0]["signals"].as_array().expect("signals").is_empty(),
        "families with signals first"
    );
    let ours = items
        .iter()
        .find(|i| i["family_id"].as_i64() == Some(family))
        .expect("the family put forward is on the agenda");
    assert_eq!(ours["question"], "Hoe betrekken we de school bij het plan?");
    let item = ours["id"].as_i64().expect("item");
    let again = t
        .api(
            "POST",
            "/api/v1/meetings",
            Some(&lead),
            Some(json!({"held_on": today})),
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "one meeting a day"
    );
    // The meetings page was read (and kept) before the meeting opened; now
    // it lists the meeting, and the question taken onto its agenda is no
    // longer proposed.
    let list = t.get("/meetings", Some(&leider)).await;
    assert!(
        list.body.contains(&format!("href=\"/meetings/{id}\"")),
        "the new meeting is listed"
    );
    assert!(
        !list.body.contains("Hoe betrekken we de school"),
        "the question went onto the meeting's agenda"
    );

    let saved = t
        .post_form(
            &format!("/meetings/{id}/items/{item}/discussion"),
            &leider,
            &[
                ("question", "Hoe betrekken we de school bij het plan?"),
                ("notes", "Mentor is nog niet gesproken."),
                ("advice", "Samen met moeder een gesprek op school plannen."),
                ("version", &ours["version"].to_string()),
            ],
            true,
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let decide = |body: Value| {
        let t = &t;
        let lead = lead.clone();
        async move {
            t.api(
                "POST",
                &format!("/api/v1/meetings/{id}/items/{item}/actions"),
                Some(&lead),
                Some(body),
            )
            .await
        }
    };
    let ownerless =
        decide(json!({"description": "Gesprek op school plannen", "due_on": today})).await;
    assert_eq!(ownerless.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(ownerless.body.contains("owner_worker_id"));
    let worker = coach_actor.worker_id.expect("worker");
    let undated =
        decide(json!({"description": "Gesprek op school plannen", "owner_worker_id": worker}))
            .await;
    assert_eq!(undated.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(undated.body.contains("due_on"));
    let zeeland_worker = t
        .actor("ipt1@demo.wrapcare.nl")
        .await
        .worker_id
        .expect("worker");
    let stranger =
        decide(json!({"description": "X", "owner_worker_id": zeeland_worker, "due_on": today}))
            .await;
    assert_eq!(
        stranger.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an owner outside the team"
    );
    let view = t
        .api("GET", &format!("/api/v1/meetings/{id}"), Some(&lead), None)
        .await
        .json();
    assert!(
        view["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|i| i["actions"].as_array().is_some_and(|a| a.is_empty())),
        "nothing stored"
    );
    let due = (t.app.today() + chrono::Duration::days(5)).to_string();
    let decided = decide(json!({"description": "Gesprek op school plannen", "owner_worker_id": worker, "due_on": due})).await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);
    let page = t.get(&format!("/meetings/{id}"), Some(&leider)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Mentor is nog niet gesproken.")
            && page.body.contains("Gesprek op school plannen")
    );
    let print = t.get(&format!("/meetings/{id}/print"), Some(&coach)).await;
    assert_eq!(print.status, StatusCode::OK, "the team reads the minutes");
    assert!(
        print
            .body
            .contains("Samen met moeder een gesprek op school plannen.")
    );
    let pdf = t.get(&format!("/meetings/{id}/pdf"), Some(&coach)).await;
    assert_eq!(pdf.status, StatusCode::OK, "the team prints the minutes");
    let text = pdf_text(&pdf.bytes);
    assert!(
        text.contains("Gesprek op school plannen")
            && text.contains("Mentor is nog niet gesproken."),
        "the PDF holds the decision and the discussion: {text}"
    );

    // Next week's meeting: the open action comes back until done.
    let next_week = (t.app.today() + chrono::Duration::days(7)).to_string();
    let next = t
        .api(
            "POST",
            "/api/v1/meetings",
            Some(&lead),
            Some(json!({"held_on": next_week})),
        )
        .await
        .json();
    let returning = next["open_actions"].as_array().expect("open").clone();
    let action = returning
        .iter()
        .find(|a| a["description"] == "Gesprek op school plannen")
        .expect("the action returns on the next agenda")
        .clone();
    let done = t
        .api(
            "POST",
            &format!("/api/v1/actions/{}/done", action["id"]),
            Some(&coach_token),
            Some(json!({"version": action["version"]})),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let next_id = next["id"].as_i64().expect("id");
    let after = t
        .api(
            "GET",
            &format!("/api/v1/meetings/{next_id}"),
            Some(&lead),
            None,
        )
        .await
        .json();
    assert!(
        after["open_actions"]
            .as_array()
            .expect("open")
            .iter()
            .all(|a| a["id"] != action["id"]),
        "done: it no longer returns"
    );

    // Only the team reads meeting notes.
    for email in [
        "intake@demo.wrapcare.nl",
        "analist@demo.wrapcare.nl",
        "admin@demo.wrapcare.nl",
        "privacy@demo.wrapcare.nl",
    ] {
        let s = t.session(email).await;
        assert_eq!(
            t.get(&format!("/meetings/{id}"), Some(&s)).await.status,
            StatusCode::FORBIDDEN,
            "{email}"
        );
        assert_eq!(
            t.get(&format!("/meetings/{id}/print"), Some(&s))
                .await
                .status,
            StatusCode::FORBIDDEN,
            "{email}"
        );
        assert_eq!(
            t.get(&format!("/meetings/{id}/pdf"), Some(&s)).await.status,
            StatusCode::FORBIDDEN,
            "{email}"
        );
        let token = t.token(email).await;
        assert_eq!(
            t.api("GET", &format!("/api/v1/meetings/{id}"), Some(&token), None)
                .await
                .status,
            StatusCode::FORBIDDEN,
            "{email}"
        );
    }
    let other_team = t.token("zeeland-leider@demo.wrapcare.nl").await;
    assert_eq!(
        t.api(
            "GET",
            &format!("/api/v1/meetings/{id}"),
            Some(&other_team),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let privacy = t.token("privacy@demo.wrapcare.nl").await;
    let reads = t
        .api(
            "GET",
            "/api/v1/access-log?action=meeting.read",
            Some(&privacy),
            None,
        )
        .await
        .json();
    let reads = reads["entries"].as_array().expect("entries").clone();
    assert!(
        reads.iter().any(|e| e["outcome"] == "allowed"),
        "reads are logged"
    );
    assert!(
        reads.iter().any(|e| e["outcome"] == "refused"),
        "refusals too"
    );
}

/// The admin records a worker's expertise and an organisation's field; the
/// meeting suggests that worker for a question in that domain; an unknown
/// domain is refused with nothing changed, and only admins record them.
async fn backgrounds_are_recorded_and_suggest_colleagues(store: Store) {
    let t = setup(store).await;
    let admin = t.session("admin@demo.wrapcare.nl").await;
    let lead = t.actor("leider@demo.wrapcare.nl").await;
    let workers = t.app.workers(&lead, None).await.expect("workers");
    let koopman = workers
        .iter()
        .find(|w| w.name == "Miriam Koopman")
        .expect("coach5");
    let path = format!("/admin/workers/{}/expertise", koopman.id);
    let saved = t
        .post_form(
            &path,
            &admin,
            &[("domains", "justice"), ("domains", "housing")],
            true,
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let refused = t
        .post_form(&path, &admin, &[("domains", "astrology")], true)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let coach = t.session("coach1@demo.wrapcare.nl").await;
    assert_eq!(
        t.post_form(&path, &coach, &[("domains", "justice")], true)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let after = t.app.workers(&lead, None).await.expect("workers");
    let own = &after
        .iter()
        .find(|w| w.id == koopman.id)
        .expect("coach5")
        .expertise;
    assert_eq!(own, &vec!["housing".to_string(), "justice".to_string()]);
    let page = t.get("/admin/workers", Some(&admin)).await;
    assert!(page.body.contains("Huisvesting, Justitie"), "shown by name");

    // The field of an organisation, shown on its page.
    let orgs = t
        .app
        .organisations(&t.actor("admin@demo.wrapcare.nl").await)
        .await
        .expect("orgs");
    let juvent = orgs.iter().find(|o| o.name == "Juvent").expect("Juvent");
    let field = t
        .post_form(
            &format!("/admin/organisations/{}/field", juvent.id),
            &admin,
            &[("domains", "substance_use")],
            true,
        )
        .await;
    assert_eq!(field.status, StatusCode::SEE_OTHER, "{}", field.body);
    let page = t.get("/admin/organisations", Some(&admin)).await;
    assert!(page.body.contains("Middelengebruik"));

    // A question about justice suggests her (not the family's own coordinator).
    let coach_actor = t.actor("coach1@demo.wrapcare.nl").await;
    let family = t
        .app
        .my_families(&coach_actor)
        .await
        .expect("mine")
        .into_iter()
        .find(|l| l.started_on.is_some())
        .expect("in care")
        .family_id;
    let asked = t
        .post_form(
            &format!("/families/{family}/intervision"),
            &coach,
            &[
                (
                    "question",
                    "Vader heeft een taakstraf; hoe past die in het plan?",
                ),
                ("domains", "justice"),
            ],
            true,
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    let token = t.token("leider@demo.wrapcare.nl").await;
    let today = t.app.today().to_string();
    let opened = t
        .api(
            "POST",
            "/api/v1/meetings",
            Some(&token),
            Some(json!({"held_on": today})),
        )
        .await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
    let meeting = opened.json();
    let ours = meeting["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["family_id"].as_i64() == Some(family))
        .expect("on the agenda")
        .clone();
    let suggested: Vec<i64> = ours["suggestions"]
        .as_array()
        .expect("suggestions")
        .iter()
        .filter_map(|s| s["worker_id"].as_i64())
        .collect();
    assert!(suggested.contains(&koopman.id), "{ours}");
}

/// A team three times the demo has more signals than a page holds: the
/// attention page shows them by the page, the day the most urgent with a way
/// to all of them, the API all of them.
async fn signals_page_by_page(store: Store) {
    let app = App::new(store, Config::default());
    app.load_demo_scaled(PASSWORD, 3)
        .await
        .expect("demo")
        .expect("empty database");
    let t = T {
        router: router(AppState::new(app.clone(), false)),
        app,
    };
    let cards = |body: &str| body.matches("<li class=\"signal ").count();
    let lead = t.token("leider@demo.wrapcare.nl").await;
    let all = t.api("GET", "/api/v1/signals", Some(&lead), None).await;
    let total = usize::try_from(all.json()["total"].as_u64().expect("total")).expect("total");
    assert!(total > 50, "more than a page: {total}");
    assert_eq!(all.json()["signals"].as_array().expect("signals").len(), 50);
    assert_eq!(all.json()["page"], 1);
    let rest = t
        .api("GET", "/api/v1/signals?page=2", Some(&lead), None)
        .await;
    assert_eq!(
        rest.json()["signals"].as_array().expect("signals").len(),
        (total - 50).min(50)
    );
    let nonsense = t
        .api("GET", "/api/v1/signals?page=zero", Some(&lead), None)
        .await;
    assert_eq!(nonsense.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        nonsense.json()["errors"][0]["field"],
        "page",
        "{}",
        nonsense.body
    );

    let leider = t.session("leider@demo.wrapcare.nl").await;
    let first = t.get("/signals", Some(&leider)).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(cards(&first.body), 50);
    assert!(first.body.contains("id=\"signals-next\""));
    assert!(!first.body.contains("id=\"signals-previous\""));
    let second = t.get("/signals?page=2", Some(&leider)).await;
    assert_eq!(cards(&second.body), (total - 50).min(50));
    assert!(second.body.contains("id=\"signals-previous\""));
    assert!(
        second
            .body
            .contains("name=\"back\" value=\"/signals?page=2\""),
        "an acknowledgement comes back to its page"
    );
    // Out of range is the nearest page, never an error.
    let beyond = t.get("/signals?page=999", Some(&leider)).await;
    assert_eq!(beyond.status, StatusCode::OK);
    assert!(cards(&beyond.body) > 0);
    let filtered = t.get("/signals?urgency=now&page=1", Some(&leider)).await;
    assert_eq!(filtered.status, StatusCode::OK);

    let coach_token = t.token("coach1@demo.wrapcare.nl").await;
    let day = t.api("GET", "/api/v1/day", Some(&coach_token), None).await;
    let mine = usize::try_from(day.json()["signals_total"].as_u64().expect("all")).expect("all");
    assert_eq!(
        day.json()["signals"].as_array().expect("signals").len(),
        mine.min(10)
    );
    let coach = t.session("coach1@demo.wrapcare.nl").await;
    let page = t.get("/day", Some(&coach)).await;
    assert_eq!(cards(&page.body), mine.min(10));
    assert_eq!(
        page.body.contains("id=\"day-signals-all\""),
        mine > 10,
        "the way to all of them when the day shows only some"
    );
}

/// Questionnaires: the family's page and the form, a refused answer shown by
/// its item, the API, and a one-time link that opens without an account,
/// weighs little, stores one response and refuses a second, a guessed or
/// expired secret alike.
async fn questionnaires_and_one_time_links(store: Store) {
    let t = setup(store).await;
    // Two families of the demo, of any coach: one with the family's
    // appreciation due (the link), one with fidelity and self-sufficiency
    // due (the form, the API and a link that expires).
    let mut appreciation_due = None;
    let mut rounds_due = None;
    for n in 1..=5 {
        let email = format!("coach{n}@demo.wrapcare.nl");
        let token = t.token(&email).await;
        let mine = t
            .api("GET", "/api/v1/my-families", Some(&token), None)
            .await;
        let families: Vec<i64> = mine
            .json()
            .as_array()
            .expect("list")
            .iter()
            .filter(|f| f["state"] == "in_care")
            .map(|f| f["family_id"].as_i64().expect("id"))
            .collect();
        for id in families {
            let view = t
                .api(
                    "GET",
                    &format!("/api/v1/families/{id}/questionnaires"),
                    Some(&token),
                    None,
                )
                .await;
            assert_eq!(view.status, StatusCode::OK, "{}", view.body);
            let due = view.json()["due"].as_array().expect("due").clone();
            let has = |i: &str, r: &str| {
                due.iter()
                    .any(|d| d["instrument"] == i && d["respondent"] == r)
            };
            if appreciation_due.is_none() && has("appreciation", "parent") {
                appreciation_due = Some((id, email.clone(), token.clone()));
            }
            if rounds_due.is_none()
                && has("fidelity_parent", "parent")
                && has("fidelity_coordinator", "coordinator")
                && has("self_sufficiency", "coordinator")
            {
                rounds_due = Some((id, email.clone(), token.clone()));
            }
        }
    }
    let (id, email, coach_token) = appreciation_due.expect("a family with the appreciation due");
    let (other, other_email, other_token) =
        rounds_due.expect("a family with fidelity and self-sufficiency due");
    let coach = t.session(&email).await;
    let other_coach = t.session(&other_email).await;

    let page = t
        .get(&format!("/families/{id}/questionnaires"), Some(&coach))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Wat vindt u van de hulp?"),
        "{}",
        page.body
    );
    let form = t
        .get(
            &format!("/families/{other}/questionnaires/self_sufficiency?respondent=coordinator"),
            Some(&other_coach),
        )
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("Groeiende schulden"),
        "the levels are described"
    );

    // Out of the scale: shown by the item, nothing stored.
    let refused = t
        .post_form(
            &format!("/families/{other}/questionnaires/self_sufficiency"),
            &other_coach,
            &[("respondent", "coordinator"), ("answers.financial", "9")],
            true,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("buiten de schaal"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("id=\"answers-financial-error\""));
    let saved = t
        .post_form(
            &format!("/families/{other}/questionnaires/self_sufficiency"),
            &other_coach,
            &[
                ("respondent", "coordinator"),
                ("answers.financial", "2"),
                ("answers.housing", "4"),
            ],
            true,
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    // The API takes numbers; a refusal is a problem naming the field.
    let bad = t.api("POST", &format!("/api/v1/families/{other}/questionnaires"), Some(&other_token),
        Some(json!({"instrument": "fidelity_coordinator", "respondent": "coordinator", "answers": {"fv_decide": 7}}))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("answers.fv_decide"), "{}", bad.body);
    let instruments = t
        .api("GET", "/api/v1/questionnaires", Some(&coach_token), None)
        .await;
    assert_eq!(instruments.status, StatusCode::OK);
    assert_eq!(instruments.json().as_array().expect("list").len(), 4);

    // A link for the parent.
    let made = t
        .api(
            "POST",
            &format!("/api/v1/families/{id}/questionnaire-links"),
            Some(&coach_token),
            Some(json!({"instrument": "appreciation", "respondent": "parent"})),
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let secret = made.json()["token"].as_str().expect("token").to_string();
    assert_eq!(secret.len(), 64);
    let open = t.get(&format!("/q/{secret}"), None).await;
    assert_eq!(open.status, StatusCode::OK, "{}", open.body);
    assert!(open.bytes.len() < 50 * 1024, "{} bytes", open.bytes.len());
    assert!(!open.body.contains("<script"), "no script");
    assert!(!open.body.contains("/families/"), "nothing of the file");
    assert_eq!(
        open.headers
            .get(header::REFERRER_POLICY)
            .and_then(|v| v.to_str().ok()),
        Some("no-referrer")
    );
    let css = t.get("/assets/link.css", None).await;
    assert!(open.bytes.len() + css.bytes.len() < 50 * 1024);

    let post = |answers: &'static [(&'static str, &'static str)]| {
        let body = answers
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        Request::post(format!("/q/{secret}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request")
    };
    let wrong = t.send(post(&[("answers.heard", "6")])).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("buiten de schaal"), "{}", wrong.body);
    let answers: &'static [(&'static str, &'static str)] = &[
        ("answers.heard", "5"),
        ("answers.one_coordinator", "5"),
        ("answers.quick_start", "3"),
        ("answers.our_plan", "4"),
        ("answers.goals_clear", "4"),
        ("answers.network_involved", "3"),
        ("answers.coordinated", "4"),
        ("answers.too_many", "2"),
        ("answers.reachable", "5"),
        ("answers.respect", "5"),
        ("answers.mark", "8"),
        ("answers.comment", "Fijn"),
    ];
    let first = t.send(post(answers)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    // The double tap: stored once, the second told so.
    let second = t.send(post(answers)).await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert_eq!(
        t.get(&format!("/q/{secret}"), None).await.status,
        StatusCode::CONFLICT
    );
    let after = t
        .api(
            "GET",
            &format!("/api/v1/families/{id}/questionnaires"),
            Some(&coach_token),
            None,
        )
        .await
        .json();
    let via_link: Vec<&Value> = after["measurements"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|m| m["via_link"] == true)
        .collect();
    assert_eq!(via_link.len(), 1, "one response stored");
    let mark = via_link[0]["scores"]
        .as_array()
        .expect("scores")
        .iter()
        .find(|s| s["subscale"] == "mark")
        .expect("mark")["value"]
        .as_f64();
    assert_eq!(mark, Some(8.0));
    // 10 of 13 statements, just enough for a valid mean; "too many" (2) reversed to 4.
    let appreciation = via_link[0]["scores"]
        .as_array()
        .expect("scores")
        .iter()
        .find(|s| s["subscale"] == "appreciation")
        .expect("appreciation")["value"]
        .as_f64()
        .expect("valid");
    assert!((appreciation - 42.0 / 10.0).abs() < 1e-9, "{appreciation}");

    // Guessed, malformed and expired secrets look alike.
    let guessed = "ab".repeat(32);
    assert_eq!(
        t.get(&format!("/q/{guessed}"), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get("/q/not-a-secret", None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.send(
            Request::post(format!("/q/{guessed}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("answers.heard=5"))
                .expect("request")
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let expired = t
        .api(
            "POST",
            &format!("/api/v1/families/{other}/questionnaire-links"),
            Some(&other_token),
            Some(json!({"instrument": "fidelity_parent", "respondent": "parent", "lang": "en"})),
        )
        .await;
    // The other family has the parents' fidelity due.
    assert_eq!(expired.status, StatusCode::OK, "{}", expired.body);
    let secret = expired.json()["token"].as_str().expect("token").to_string();
    let english = t.get(&format!("/q/{secret}"), None).await;
    assert!(
        english.body.contains("lang=\"en\""),
        "opens in the link's language"
    );
    // Withdrawn by hand (handed to the wrong person): it no longer opens,
    // stays listed, and cannot be withdrawn twice; another family's link
    // is not found through this file.
    let link_id = expired.json()["link"]["id"].as_i64().expect("link id");
    let withdrawn = t
        .post_form(
            &format!("/families/{other}/questionnaire-links/{link_id}/withdraw"),
            &other_coach,
            &[],
            true,
        )
        .await;
    assert_eq!(
        withdrawn.status,
        StatusCode::SEE_OTHER,
        "{}",
        withdrawn.body
    );
    assert_eq!(
        t.get(&format!("/q/{secret}"), None).await.status,
        StatusCode::NOT_FOUND
    );
    let page = t
        .get(
            &format!("/families/{other}/questionnaires"),
            Some(&other_coach),
        )
        .await;
    assert!(page.body.contains("Ingetrokken"), "{}", page.body);
    let again = t
        .api(
            "POST",
            &format!("/api/v1/families/{other}/questionnaire-links/{link_id}/withdraw"),
            Some(&other_token),
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(again.body.contains("error-link-not-open"), "{}", again.body);
    if id != other {
        let elsewhere = t
            .api(
                "POST",
                &format!("/api/v1/families/{id}/questionnaire-links/{link_id}/withdraw"),
                Some(&coach_token),
                None,
            )
            .await;
        assert_eq!(
            elsewhere.status,
            StatusCode::NOT_FOUND,
            "{}",
            elsewhere.body
        );
    }
    let expired = t
        .api(
            "POST",
            &format!("/api/v1/families/{other}/questionnaire-links"),
            Some(&other_token),
            Some(json!({"instrument": "fidelity_parent", "respondent": "parent"})),
        )
        .await;
    assert_eq!(expired.status, StatusCode::OK, "{}", expired.body);
    let secret = expired.json()["token"].as_str().expect("token").to_string();
    wrapcare_store::testing::execute(
        t.app.store(),
        "UPDATE questionnaire_links SET expires_at = created_at WHERE used_at IS NULL",
    )
    .await;
    assert_eq!(
        t.get(&format!("/q/{secret}"), None).await.status,
        StatusCode::NOT_FOUND
    );
    // Who made which link, and every use, is in the access log.
    let log = wrapcare_store::testing::access_log(t.app.store(), None, 200).await;
    assert!(
        log.iter()
            .any(|e| e.action == "questionnaire.link_create" && e.family_id == Some(id))
    );
    assert!(log.iter().any(|e| e.action == "questionnaire.link_answer"
        && e.family_id == Some(id)
        && e.outcome == "allowed"));
    assert!(log.iter().any(|e| e.action == "questionnaire.link_open"
        && e.family_id.is_none()
        && e.outcome == "refused"));
    assert!(log.iter().any(|e| e.action == "questionnaire.link_withdraw"
        && e.family_id == Some(other)
        && e.outcome == "allowed"));
    assert!(
        log.iter().any(|e| e.action == "questionnaire.link_withdraw"
            && e.family_id == Some(other)
            && e.outcome == "refused"),
        "the second withdrawal is logged as refused"
    );

    // A supervisor reads; intake, analysts and admins do not.
    let lead_token = t.token("leider@demo.wrapcare.nl").await;
    let read = t
        .api(
            "GET",
            &format!("/api/v1/families/{id}/questionnaires"),
            Some(&lead_token),
            None,
        )
        .await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json()["may_record"], false);
    for outsider in [
        "intake@demo.wrapcare.nl",
        "analist@demo.wrapcare.nl",
        "admin@demo.wrapcare.nl",
    ] {
        let token = t.token(outsider).await;
        let answer = t
            .api(
                "GET",
                &format!("/api/v1/families/{id}/questionnaires"),
                Some(&token),
                None,
            )
            .await;
        assert!(
            matches!(answer.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{outsider}: {}",
            answer.status
        );
        assert!(
            !answer.body.contains("appreciation"),
            "{outsider} sees nothing"
        );
    }
}

/// The administrator sets which questionnaires a programme asks when: the
/// page's grid and the API, errors by their field with nothing stored, a
/// stale version refused, and no other role may.
async fn programme_questionnaire_schedule(store: Store) {
    let t = setup(store).await;
    let admin = t.session("admin@demo.wrapcare.nl").await;
    let token = t.token("admin@demo.wrapcare.nl").await;
    let programmes = t
        .api("GET", "/api/v1/admin/programmes", Some(&token), None)
        .await;
    let id = programmes.json()[0]["id"].as_i64().expect("a programme");
    let path = format!("/admin/programmes/{id}/questionnaires");
    let api = format!("/api/v1/admin/programmes/{id}/questionnaire-schedule");
    let read = |answer: &Answer| answer.json();
    let before = read(&t.api("GET", &api, Some(&token), None).await);
    assert_eq!(before["grace_days"], 14);
    let lines = before["schedule"].as_array().expect("lines").len();
    assert_eq!(lines, 7, "the default schedule: {before}");

    let page = t.get(&path, Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(r#"name="self_sufficiency.coordinator.every" type="number" value="13""#),
        "the grid shows the schedule: {}",
        page.body
    );
    let version = before["version"].to_string();
    // Not a number, and a repeat of 0 weeks: each by its field, nothing stored.
    let refused = t
        .post_form(
            &path,
            &admin,
            &[
                ("version", &version),
                ("grace_days", "14"),
                ("self_sufficiency.coordinator.every", "vaak"),
                ("appreciation.parent.every", "0"),
            ],
            true,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains(r#"id="self-sufficiency-coordinator-every-error""#)
    );
    let domain = t
        .post_form(
            &path,
            &admin,
            &[
                ("version", &version),
                ("grace_days", "14"),
                ("appreciation.parent.every", "0"),
            ],
            true,
        )
        .await;
    assert_eq!(domain.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        domain
            .body
            .contains(r#"id="appreciation-parent-every-error""#),
        "the domain's schedule[i] error shows by its field: {}",
        domain.body
    );
    assert_eq!(read(&t.api("GET", &api, Some(&token), None).await), before);

    // Saved: the appreciation every 13 weeks and at closure, a week's grace.
    let saved = t
        .post_form(
            &path,
            &admin,
            &[
                ("version", &version),
                ("grace_days", "7"),
                ("appreciation.parent.every", "13"),
                ("appreciation.parent.closure", "on"),
            ],
            true,
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let after = read(&t.api("GET", &api, Some(&token), None).await);
    assert_eq!(after["grace_days"], 7);
    assert_eq!(
        after["schedule"],
        serde_json::json!([
            { "instrument": "appreciation", "respondent": "parent", "when": { "at": "every", "weeks": 13 } },
            { "instrument": "appreciation", "respondent": "parent", "when": { "at": "closure" } },
        ])
    );
    // The form read before the change is out of date now.
    let stale = t
        .post_form(
            &path,
            &admin,
            &[("version", &version), ("grace_days", "7")],
            true,
        )
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        stale
            .body
            .contains("Iemand anders heeft dit intussen gewijzigd")
    );

    // The API: a respondent the instrument is not for, a grace too long.
    let wrong = t
        .api(
            "POST",
            &api,
            Some(&token),
            Some(serde_json::json!({
                "version": after["version"],
                "grace_days": 200,
                "schedule": [{ "instrument": "fidelity_coordinator", "respondent": "parent", "when": { "at": "start" } }],
            })),
        )
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.body
    );
    let fields: Vec<String> = wrong.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(fields, ["schedule[0].respondent", "grace_days"]);
    let empty = t
        .api("POST", &api, Some(&token), Some(serde_json::json!({})))
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let missing: Vec<String> = empty.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(missing, ["version", "grace_days", "schedule"]);
    let back = t
        .api(
            "POST",
            &api,
            Some(&token),
            Some(serde_json::json!({
                "version": after["version"],
                "grace_days": 14,
                "schedule": before["schedule"],
            })),
        )
        .await;
    assert_eq!(back.status, StatusCode::NO_CONTENT, "{}", back.body);
    let restored = read(&t.api("GET", &api, Some(&token), None).await);
    assert_eq!(restored["schedule"], before["schedule"]);
    let stale = t
        .api(
            "POST",
            &api,
            Some(&token),
            Some(serde_json::json!({ "version": after["version"], "grace_days": 14, "schedule": [] })),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);

    for email in ["leider@demo.wrapcare.nl", "coach1@demo.wrapcare.nl"] {
        let other = t.session(email).await;
        assert_eq!(
            t.get(&path, Some(&other)).await.status,
            StatusCode::FORBIDDEN
        );
        let other_token = t.token(email).await;
        assert_eq!(
            t.api("GET", &api, Some(&other_token), None).await.status,
            StatusCode::FORBIDDEN
        );
    }
}

/// Every count a reader outside the team sees is 0, 5 or more, or marked.
fn no_small_number_shown(report: &Value) {
    let mut counts: Vec<&Value> = vec![&report["total"]["count"]];
    for p in report["periods"].as_array().expect("periods") {
        counts.push(&p["stats"]["count"]);
    }
    for band in ["distribution", "waiting_list"] {
        for b in report[band].as_array().expect("bands") {
            counts.push(&b["count"]);
        }
    }
    for c in counts {
        if c["kind"] == "exact" {
            let n = c["value"].as_i64().expect("a number");
            assert!(n == 0 || n >= 5, "{n} shown: {report}");
        } else {
            assert!(
                c["kind"] == "fewer_than_five" || c["kind"] == "withheld",
                "{c}"
            );
        }
    }
}

async fn dashboard_figures_for_each_reader(store: Store) {
    let t = setup(store).await;
    let analyst = t.token("analist@demo.wrapcare.nl").await;
    let whole = t
        .api(
            "GET",
            "/api/v1/reports/waiting?grain=year",
            Some(&analyst),
            None,
        )
        .await;
    assert_eq!(whole.status, StatusCode::OK, "{}", whole.body);
    let j = whole.json();
    assert_eq!(j["audience"]["kind"], "aggregates");
    assert_eq!(j["waiting"]["grain"], "year");
    assert_eq!(j["waiting"]["grain_chosen"], false);
    no_small_number_shown(&j["waiting"]);
    assert!(!whole.body.contains("surname"), "no names");

    // The same totals a second way: every started episode as a row, the
    // statistics of the rows (not of the counts the dashboard groups).
    let day = |v: &Value| {
        chrono::NaiveDate::parse_from_str(v.as_str().expect("date"), "%Y-%m-%d").expect("date")
    };
    let (from, until) = (day(&j["from"]), day(&j["until"]));
    let mut tx = t.app.store().read_only().await.expect("read");
    let rows = wrapcare_store::report::started_episodes(&mut tx, from, until)
        .await
        .expect("rows");
    let programmes = wrapcare_store::programme::list(&mut tx)
        .await
        .expect("programmes");
    tx.commit().await.expect("commit");
    let days: Vec<i64> = rows.iter().map(|r| r.waiting_days).collect();
    let within = rows
        .iter()
        .filter(|r| {
            programmes
                .iter()
                .any(|p| p.id == r.programme_id && r.waiting_days <= p.norms().start_within_days())
        })
        .count();
    assert!(days.len() >= 5, "the demo has started families");
    let by_rows = wrapcare_core::waiting::WaitingStats::of(&days, i64::MAX);
    let total = &j["waiting"]["total"];
    assert_eq!(total["count"]["value"].as_u64(), Some(days.len() as u64));
    for (field, expected) in [
        ("mean_days", by_rows.mean_days),
        ("median_days", by_rows.median_days),
        ("p90_days", by_rows.p90_days),
        ("within_norm_share", Some(within as f64 / days.len() as f64)),
    ] {
        let got = total[field].as_f64().expect(field);
        assert!(
            (got - expected.expect(field)).abs() < 1e-9,
            "{field}: {got} vs {expected:?}"
        );
    }
    // The years add up to the whole where all are shown.
    let years: Vec<Option<u64>> = j["waiting"]["periods"]
        .as_array()
        .expect("periods")
        .iter()
        .map(|p| p["stats"]["count"]["value"].as_u64())
        .collect();
    if years.iter().all(Option::is_some) {
        assert_eq!(years.iter().flatten().sum::<u64>(), days.len() as u64);
    }

    // By default the grain is chosen, and every filter keeps small numbers out.
    let chosen = t
        .api("GET", "/api/v1/reports/waiting", Some(&analyst), None)
        .await
        .json();
    assert_eq!(chosen["waiting"]["grain_chosen"], true);
    no_small_number_shown(&chosen["waiting"]);
    let teams = chosen["choices"]["teams"]
        .as_array()
        .expect("teams")
        .clone();
    for team in &teams {
        let id = team["id"].as_i64().expect("id");
        for query in [
            format!("team={id}"),
            format!("team={id}&source=cjg"),
            format!("team={id}&grain=month"),
        ] {
            let part = t
                .api(
                    "GET",
                    &format!("/api/v1/reports/waiting?{query}"),
                    Some(&analyst),
                    None,
                )
                .await;
            assert_eq!(part.status, StatusCode::OK, "{}", part.body);
            let part = part.json();
            no_small_number_shown(&part["waiting"]);
            // Beside the whole, the rest is never a small group.
            if let (Some(n), Some(all)) = (
                part["waiting"]["total"]["count"]["value"].as_i64(),
                chosen["waiting"]["total"]["count"]["value"].as_i64(),
            ) && query == format!("team={id}")
            {
                let rest = all - n;
                assert!(rest == 0 || rest >= 5, "{query}: the rest is {rest}");
            }
        }
    }

    // Bad input: by the field, nothing else.
    for (query, field) in [
        ("grain=week", "grain"),
        ("from=1-1-2026", "from"),
        ("from=2026-06-01&until=2026-01-01", "from"),
        ("programme=999999", "programme"),
        ("team=abc", "team"),
        ("source=school", "source"),
        ("organisation=999999", "organisation"),
    ] {
        let bad = t
            .api(
                "GET",
                &format!("/api/v1/reports/waiting?{query}"),
                Some(&analyst),
                None,
            )
            .await;
        assert_eq!(
            bad.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            bad.body
        );
        assert!(
            bad.body.contains(&format!("\"field\":\"{field}\"")),
            "{query}: {}",
            bad.body
        );
    }

    // A supervisor sees the team's families in full, and only the team's.
    let leider = t.token("leider@demo.wrapcare.nl").await;
    let team = t
        .api("GET", "/api/v1/reports/waiting", Some(&leider), None)
        .await
        .json();
    assert_eq!(team["audience"]["kind"], "team");
    let own_team = team["audience"]["team_id"].as_i64().expect("team");
    assert_eq!(team["filter"]["team_id"].as_i64(), Some(own_team));
    if let Some(other) = teams
        .iter()
        .filter_map(|t| t["id"].as_i64())
        .find(|id| *id != own_team)
    {
        let asked = t
            .api(
                "GET",
                &format!("/api/v1/reports/waiting?team={other}"),
                Some(&leider),
                None,
            )
            .await
            .json();
        assert_eq!(
            asked["filter"]["team_id"].as_i64(),
            Some(own_team),
            "held to the own team"
        );
    }
    // A coordinator: their own families.
    let coach = t.token("coach1@demo.wrapcare.nl").await;
    let own = t
        .api("GET", "/api/v1/reports/waiting", Some(&coach), None)
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert_eq!(own.json()["audience"]["kind"], "own");
    for email in ["intake@demo.wrapcare.nl", "privacy@demo.wrapcare.nl"] {
        let token = t.token(email).await;
        let refused = t
            .api("GET", "/api/v1/reports/waiting", Some(&token), None)
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{email}");
        assert!(
            refused
                .content_type()
                .starts_with("application/problem+json")
        );
    }

    // The page: the figures, and an error by its field.
    let page_user = t.session("analist@demo.wrapcare.nl").await;
    let page = t.get("/figures", Some(&page_user)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Wachttijd tot de start van de hulp"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<svg"), "a chart");
    let bad = t.get("/figures?grain=week", Some(&page_user)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"grain-error\""), "{}", bad.body);
    // Each table downloads as CSV and XLSX with the figures of the page.
    let page = t.get("/figures?grain=year", Some(&page_user)).await;
    assert!(
        page.body
            .contains("/figures/tables/waiting?format=xlsx&amp;from="),
        "download links"
    );
    let csv_answer = t
        .get(
            "/figures/tables/waiting?format=csv&grain=year",
            Some(&page_user),
        )
        .await;
    assert_eq!(csv_answer.status, StatusCode::OK);
    assert!(csv_answer.content_type().starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(csv_answer.bytes.as_slice());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    assert_eq!(header[0], "Periode");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let total_row = rows.last().expect("a total");
    assert_eq!(&total_row[0], "Totaal");
    assert_eq!(total_row[1].parse::<usize>().ok(), Some(days.len()));
    let xlsx = t
        .get("/figures/tables/distribution?format=xlsx", Some(&page_user))
        .await;
    assert_eq!(xlsx.status, StatusCode::OK, "{}", xlsx.body);
    use calamine::{DataType as _, Reader as _};
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes.clone()))
            .expect("a workbook");
    let sheet = book.worksheet_range("distribution").expect("the sheet");
    let cells: Vec<String> = sheet
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(cells.iter().any(|c| c == "Weken gewacht"), "{cells:?}");
    let counted: f64 = sheet
        .rows()
        .filter_map(|r| r.get(1).and_then(|c| c.get_float()))
        .sum();
    assert!(counted > 0.0 && counted <= days.len() as f64, "{counted}");
    for (path, status) in [
        ("/figures/tables/nothing?format=csv", StatusCode::NOT_FOUND),
        (
            "/figures/tables/waiting?format=pdf",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/figures/tables/waiting?format=csv&grain=week",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        assert_eq!(t.get(path, Some(&page_user)).await.status, status, "{path}");
    }
    let intake = t.session("intake@demo.wrapcare.nl").await;
    assert_eq!(
        t.get("/figures/tables/waiting?format=csv", Some(&intake))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let log = wrapcare_store::testing::access_log(t.app.store(), None, 400).await;
    assert!(
        log.iter()
            .any(|e| e.action == "report.dashboard" && e.outcome == "allowed")
    );
    assert!(
        log.iter()
            .any(|e| e.action == "report.dashboard" && e.outcome == "refused")
    );
}

wrapcare_store::on_both_databases!(
    dashboard_figures_for_each_reader,
    signals_page_and_api,
    questionnaires_and_one_time_links,
    programme_questionnaire_schedule,
    signals_page_by_page,
    appointments_day_and_calendar_feed,
    meetings_agenda_decisions_and_who_reads_them,
    backgrounds_are_recorded_and_suggest_colleagues,
    a_kept_family_page_is_each_sessions_own,
    contacts_page_by_page,
    health_assets_and_login,
    every_page_answers_for_its_role,
    english_is_complete_on_pages,
    forms_need_csrf_and_show_errors_by_the_field,
    page_journey_accept_assign_start,
    api_sequence_referral_to_start,
    api_errors_are_problems,
    openapi_describes_every_api_route,
    admin_forms_manage_users_and_reference_data,
    episode_forms_withdraw_phase_close,
    api_lists_answer_per_role,
    api_admin_matches_the_pages,
    plan_pages_and_api,
    contact_pages_and_api,
    module_pages_and_api,
    module_api_takes_its_documented_json_types,
    module_import_api,
    access_log_review_pages_and_api,
);
