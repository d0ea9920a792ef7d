//! The `wrapcare` binary as a user runs it: migrate, add users with a password
//! on standard input, refuse bad input by field, create and use tokens.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use wrapcare_store::testing::TestDb;

fn wrapcare(db: &TestDb, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wrapcare"))
        .arg("--database-url")
        .arg(&db.url)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run wrapcare");
    if let (Some(mut input), Some(text)) = (child.stdin.take(), stdin) {
        input.write_all(text.as_bytes()).expect("stdin");
    }
    child.wait_with_output().expect("wait")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn commands_work_on(kind: &str) {
    let db = TestDb::of(kind).await;
    let migrate = wrapcare(&db, &["migrate"], None);
    assert!(migrate.status.success(), "{}", text(&migrate.stderr));

    let bad = wrapcare(
        &db,
        &[
            "user",
            "add",
            "--email",
            "not-an-address",
            "--name",
            "X",
            "--role",
            "chief",
        ],
        Some("long-enough-password\n"),
    );
    assert!(!bad.status.success());
    let err = text(&bad.stderr);
    assert!(err.contains("--email: not a valid e-mail address"), "{err}");
    assert!(err.contains("--role: not one of"), "{err}");

    let short = wrapcare(
        &db,
        &[
            "user",
            "add",
            "--email",
            "a@example.nl",
            "--name",
            "A",
            "--role",
            "admin",
        ],
        Some("short\n"),
    );
    assert!(!short.status.success());
    assert!(text(&short.stderr).contains("--password: at least 12 characters"));

    let no_team = wrapcare(
        &db,
        &[
            "user",
            "add",
            "--email",
            "c@example.nl",
            "--name",
            "C",
            "--role",
            "coordinator",
            "--team",
            "Nowhere",
        ],
        Some("long-enough-password\n"),
    );
    assert!(!no_team.status.success());
    assert!(text(&no_team.stderr).contains("--team: no team by that name"));

    let added = wrapcare(
        &db,
        &[
            "user",
            "add",
            "--email",
            "a@example.nl",
            "--name",
            "A",
            "--role",
            "admin",
        ],
        Some("long-enough-password\n"),
    );
    assert!(added.status.success(), "{}", text(&added.stderr));
    assert!(text(&added.stdout).contains("a@example.nl"));
    let twice = wrapcare(
        &db,
        &[
            "user",
            "add",
            "--email",
            "A@example.nl",
            "--name",
            "A",
            "--role",
            "admin",
        ],
        Some("long-enough-password\n"),
    );
    assert!(text(&twice.stderr).contains("--email: already in use"));

    let token = wrapcare(&db, &["token", "create", "--email", "a@example.nl"], None);
    assert!(token.status.success());
    let secret = text(&token.stdout).trim().to_string();
    assert!(secret.starts_with("wct_") && secret.len() > 60);
    let app = wrapcare_app::App::new(db.store.clone(), wrapcare_app::Config::default());
    assert!(
        app.token_actor(&secret, None).await.is_ok(),
        "the printed token works"
    );

    let off = wrapcare(
        &db,
        &["user", "deactivate", "--email", "a@example.nl"],
        None,
    );
    assert!(off.status.success());
    assert!(
        app.token_actor(&secret, None).await.is_err(),
        "deactivation ends tokens"
    );
    let unknown = wrapcare(
        &db,
        &["token", "create", "--email", "nobody@example.nl"],
        None,
    );
    assert!(!unknown.status.success());
    db.cleanup().await;
}

#[tokio::test]
async fn commands_on_sqlite() {
    commands_work_on("sqlite").await;
}

#[tokio::test]
async fn commands_on_postgres() {
    commands_work_on("postgres").await;
}
