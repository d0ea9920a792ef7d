//! `wrapcare import modules` as a provider's file reaches it: all or nothing,
//! every bad line named with its column, on SQLite and PostgreSQL.

use std::process::{Command, Output};

use wrapcare_core::module::{ModuleType, ReferralState, reference};
use wrapcare_store::module;
use wrapcare_store::testing::TestDb;

fn wrapcare(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wrapcare"))
        .arg("--database-url")
        .arg(&db.url)
        .args(args)
        .env("RUST_LOG", "warn")
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("run wrapcare")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A started demo referral that counts delivered units, with its provider and code.
async fn started_delivery_referral(db: &TestDb) -> (module::ModuleReferral, module::Module) {
    let mut tx = db.store.write().await.expect("tx");
    for id in 1..200 {
        let Some(r) = module::get_referral(&mut tx, id).await.expect("referral") else {
            continue;
        };
        let m = module::get(&mut tx, r.module_id)
            .await
            .expect("module")
            .expect("known module");
        if r.state == ReferralState::Started && m.module_type != ModuleType::Residential {
            tx.rollback().await.expect("rollback");
            return (r, m);
        }
    }
    panic!("the demo has no started day-treatment or ambulatory module");
}

async fn deliveries_of(db: &TestDb, referral: i64) -> usize {
    let mut tx = db.store.write().await.expect("tx");
    let rows = module::deliveries(&mut tx, &[referral])
        .await
        .expect("deliveries");
    tx.rollback().await.expect("rollback");
    rows.len()
}

async fn imports_on(kind: &str) {
    let db = TestDb::of(kind).await;
    let demo = wrapcare(&db, &["demo"]);
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    let (r, m) = started_delivery_referral(&db).await;
    let started = r.started_on.expect("started");
    let before = deliveries_of(&db, r.id).await;
    let dir = std::env::temp_dir().join(format!("wrapcare-import-{}-{kind}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let line = |date: String, units: &str| {
        format!(
            "\"{}\",{},{},delivered,{date},{units},\n",
            m.organisation_name,
            m.code,
            reference(r.id)
        )
    };
    let header = "provider,module,reference,event,date,units,reason\n";

    // One good line and three bad ones: nothing is stored, each bad line is named.
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        format!(
            "{header}{}{}{}Nobody,X,{},start,2026-01-01,,\n",
            line(started.to_string(), "1"),
            line((started - chrono::Duration::days(1)).to_string(), "1"),
            line("2026-02-30".into(), "1"),
            reference(r.id)
        ),
    )
    .expect("write");
    let out = wrapcare(
        &db,
        &[
            "import",
            "modules",
            bad.to_str().expect("path"),
            "--as",
            "admin@demo.wrapcare.nl",
        ],
    );
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("nothing was imported"), "{err}");
    assert!(err.contains("line 3, date:"), "{err}");
    assert!(err.contains("line 4, date: Enter a date"), "{err}");
    assert!(err.contains("line 5, provider: Unknown provider"), "{err}");
    assert!(
        !err.contains("line 2,"),
        "the good line is not blamed: {err}"
    );
    assert_eq!(deliveries_of(&db, r.id).await, before, "nothing stored");

    // Only an admin or supervisor imports.
    let good = dir.join("good.csv");
    std::fs::write(&good, format!("{header}{}", line(started.to_string(), "1"))).expect("write");
    let coach = wrapcare(
        &db,
        &[
            "import",
            "modules",
            good.to_str().expect("path"),
            "--as",
            "coach1@demo.wrapcare.nl",
        ],
    );
    assert!(!coach.status.success());
    assert!(text(&coach.stderr).contains("may not import"));

    // The good file imports; importing it again replaces the day instead of doubling it.
    for _ in 0..2 {
        let ok = wrapcare(
            &db,
            &[
                "import",
                "modules",
                good.to_str().expect("path"),
                "--as",
                "admin@demo.wrapcare.nl",
            ],
        );
        assert!(ok.status.success(), "{}", text(&ok.stderr));
        assert!(
            text(&ok.stdout).contains("imported 1 lines"),
            "{}",
            text(&ok.stdout)
        );
    }
    let after = deliveries_of(&db, r.id).await;
    assert!(
        after == before || after == before + 1,
        "one day at most: {before} → {after}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    db.cleanup().await;
}

#[tokio::test]
async fn import_on_sqlite() {
    imports_on("sqlite").await;
}

#[tokio::test]
async fn import_on_postgres() {
    imports_on("postgres").await;
}
