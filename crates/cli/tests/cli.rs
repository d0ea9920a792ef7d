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

/// Raw SQL past the store, as someone holding the database would run it.
async fn tamper(db: &TestDb, sql: &str) {
    let mut tx = db.store.write().await.expect("tx");
    match &mut tx {
        wrapcare_store::Tx::Sqlite(t) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut **t)
            .await
            .map(|_| ()),
        wrapcare_store::Tx::Postgres(t) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut **t)
            .await
            .map(|_| ()),
    }
    .expect("tamper");
    tx.commit().await.expect("commit");
}

/// `audit verify` on the demo's access log: intact, then after an entry is
/// altered past the database's triggers, named; `audit head` anchors the end.
async fn audit_on(kind: &str) {
    let db = TestDb::of(kind).await;
    let demo = wrapcare(&db, &["demo"], None);
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    // Colleagues open files: the log fills.
    let app = wrapcare_app::App::new(db.store.clone(), wrapcare_app::Config::default());
    for email in ["coach1@demo.wrapcare.nl", "leider@demo.wrapcare.nl"] {
        let actor = app.cli_actor(email).await.expect("demo user");
        let lines = match actor.role {
            wrapcare_core::role::Role::Coordinator => app.my_families(&actor).await,
            _ => app.waiting_list(&actor).await,
        }
        .expect("list");
        for line in lines.iter().take(5) {
            app.family(&actor, line.family_id).await.expect("family");
        }
    }
    let verify = wrapcare(&db, &["audit", "verify"], None);
    let out = text(&verify.stdout);
    assert!(verify.status.success(), "{out}{}", text(&verify.stderr));
    assert!(out.starts_with("access log intact: "), "{out}");
    let head = wrapcare(&db, &["audit", "head"], None);
    let head = text(&head.stdout).trim().to_string();
    let (id, hash) = head.split_once(':').expect("ID:HASH");
    assert_eq!(hash.len(), 64, "{head}");
    let anchored = wrapcare(&db, &["audit", "verify", "--head", &head], None);
    assert!(anchored.status.success(), "{}", text(&anchored.stderr));
    let bad = wrapcare(&db, &["audit", "verify", "--head", "12:zz"], None);
    assert!(!bad.status.success());
    assert!(
        text(&bad.stderr).contains("--head: the hash must be 64"),
        "{}",
        text(&bad.stderr)
    );

    match kind {
        "postgres" => tamper(&db, "ALTER TABLE access_log DISABLE TRIGGER USER").await,
        _ => tamper(&db, "DROP TRIGGER access_log_no_update").await,
    }
    let victim: i64 = id.parse::<i64>().expect("id") / 2;
    tamper(
        &db,
        &format!("UPDATE access_log SET action = action || '.x' WHERE id = {victim}"),
    )
    .await;
    let broken = wrapcare(&db, &["audit", "verify"], None);
    assert_eq!(broken.status.code(), Some(1));
    let err = text(&broken.stderr);
    assert!(
        err.contains(&format!("entry {victim} was altered")),
        "{err}"
    );
    db.cleanup().await;
}

#[tokio::test]
async fn audit_on_sqlite() {
    audit_on("sqlite").await;
}

#[tokio::test]
async fn audit_on_postgres() {
    audit_on("postgres").await;
}

/// The larger demo for load tests: each team's families generated N times over.
#[tokio::test]
async fn the_demo_scales_for_load_tests() {
    let db = TestDb::of("sqlite").await;
    let zero = wrapcare(&db, &["demo", "--scale", "0"], None);
    assert!(!zero.status.success());
    assert!(
        text(&zero.stderr).contains("--scale"),
        "{}",
        text(&zero.stderr)
    );
    let one = TestDb::of("sqlite").await;
    let single = wrapcare(&one, &["demo"], None);
    let families = |out: &Output| -> usize {
        text(&out.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("Demo loaded: "))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let scaled = wrapcare(&db, &["demo", "--scale", "3"], None);
    assert!(scaled.status.success(), "{}", text(&scaled.stderr));
    assert!(families(&single) > 0);
    assert_eq!(families(&scaled), 3 * families(&single));
    one.cleanup().await;
    db.cleanup().await;
}
