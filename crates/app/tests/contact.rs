//! Contacts and hours through the application layer, on SQLite and PostgreSQL.

use chrono::Duration;
use wrapcare_app::contact::{ContactInput, CorrectInput, RemoveInput};
use wrapcare_app::{AppError, Config};
use wrapcare_core::contact::{BudgetFlag, EntryStatus};
use wrapcare_store::Store;

fn iso(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

async fn contacts_are_logged_checked_and_never_vanish(store: Store) {
    let app = wrapcare_app::App::new(store, Config::default());
    app.load_demo("contact-test-password")
        .await
        .expect("demo")
        .expect("empty");
    let coach = app
        .cli_actor("coach2@demo.wrapcare.nl")
        .await
        .expect("coach");
    let mine = app.my_families(&coach).await.expect("mine");
    let family = mine
        .iter()
        .find(|l| l.started_on.is_some())
        .expect("in care")
        .family_id;
    let other_family = mine
        .iter()
        .find(|l| l.family_id != family)
        .expect("second family")
        .family_id;
    let today = app.today();
    let entry = |minutes: &str, on: chrono::NaiveDate| ContactInput {
        contact_on: iso(on),
        minutes: minutes.into(),
        kind: "home_visit".into(),
        participants: "moeder, oma".into(),
        note: "Huisbezoek".into(),
    };
    let before = app.contacts(&coach, family).await.expect("contacts");
    let view = app
        .log_contact(&coach, family, &entry("90", today))
        .await
        .expect("log");
    assert_eq!(view.used_minutes, before.used_minutes + 90);
    assert_eq!(view.entries[0].minutes, 90);
    // Zero or negative minutes, a future date, and more than 24 hours on a day (across families) are refused.
    for (minutes, on) in [
        ("0", today),
        ("-30", today),
        ("60", today + Duration::days(1)),
        ("abc", today),
    ] {
        assert!(
            matches!(
                app.log_contact(&coach, family, &entry(minutes, on)).await,
                Err(AppError::Invalid(_))
            ),
            "{minutes} on {on}"
        );
    }
    // Fill the day to 23½ hours elsewhere, whatever the demo already has on it.
    let worker = coach.worker_id.expect("a worker");
    let mut tx = app.store().read_only().await.expect("read");
    let already = wrapcare_store::contact::minutes_on_day(&mut tx, worker, today)
        .await
        .expect("minutes");
    tx.commit().await.expect("commit");
    let long = (23 * 60 + 30 - already).to_string();
    app.log_contact(&coach, other_family, &entry(&long, today))
        .await
        .expect("a long day elsewhere");
    match app.log_contact(&coach, family, &entry("60", today)).await {
        Err(AppError::Invalid(i)) => assert_eq!(i.0[0].key, "error-minutes-day-total"),
        other => panic!("expected the 24-hour refusal, got {other:?}"),
    }
    let after_refusals = app.contacts(&coach, family).await.expect("contacts");
    assert_eq!(
        after_refusals.used_minutes, view.used_minutes,
        "nothing stored"
    );
    // A correction keeps the old entry, marked, with the reason.
    let logged = &after_refusals.entries[0];
    let corrected = app
        .correct_contact(
            &coach,
            family,
            logged.id,
            &CorrectInput {
                contact: entry("60", today),
                reason: "Verkeerd aantal minuten".into(),
                version: logged.version,
            },
        )
        .await
        .expect("correct");
    let old = corrected
        .entries
        .iter()
        .find(|c| c.id == logged.id)
        .expect("old entry kept");
    assert_eq!(old.status, EntryStatus::Corrected);
    assert_eq!(
        old.change_reason.as_deref(),
        Some("Verkeerd aantal minuten")
    );
    let new = corrected
        .entries
        .iter()
        .find(|c| c.replaces_id == Some(logged.id))
        .expect("replacement");
    assert_eq!(corrected.used_minutes, before.used_minutes + 60);
    // A removal needs a reason and stays visible.
    assert!(matches!(
        app.remove_contact(&coach, family, new.id, &RemoveInput::default())
            .await,
        Err(AppError::Invalid(_))
    ));
    let removed = app
        .remove_contact(
            &coach,
            family,
            new.id,
            &RemoveInput {
                reason: "Dubbel ingevoerd".into(),
                version: new.version,
            },
        )
        .await
        .expect("remove");
    assert!(
        removed
            .entries
            .iter()
            .any(|c| c.id == new.id && c.status == EntryStatus::Removed)
    );
    assert_eq!(removed.used_minutes, before.used_minutes);
    assert!(matches!(
        app.remove_contact(
            &coach,
            family,
            new.id,
            &RemoveInput {
                reason: "x".into(),
                version: new.version + 1
            }
        )
        .await,
        Err(AppError::Conflict("error-contact-not-active"))
    ));
    // Another coordinator cannot see the hours.
    let stranger = app
        .cli_actor("coach3@demo.wrapcare.nl")
        .await
        .expect("coach3");
    assert!(matches!(
        app.contacts(&stranger, family).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        app.log_contact(&stranger, family, &entry("30", today))
            .await,
        Err(AppError::NotFound)
    ));
    // Budget flags follow the programme's hour budget.
    assert!(matches!(
        removed.budget,
        BudgetFlag::Within | BudgetFlag::Near | BudgetFlag::Over
    ));
    assert_eq!(removed.budget_minutes, 200 * 60);
    assert!(!removed.weeks.is_empty());
}

wrapcare_store::on_both_databases!(contacts_are_logged_checked_and_never_vanish);
