//! Signals through the application layer, on SQLite and PostgreSQL: the
//! set-based queries give the same facts as the family files they come from,
//! each viewer sees their own, and an acknowledgement holds until its cause
//! changes.

use std::collections::BTreeSet;

use chrono::Duration;
use wrapcare_app::plan::ScoreInput;
use wrapcare_app::signal::{AcknowledgeInput, AttentionFilter, SignalView};
use wrapcare_app::{App, AppError, Config};
use wrapcare_core::contact::{EntryStatus, week_of};
use wrapcare_core::signal::{SignalKind, Urgency};
use wrapcare_store::Store;

fn iso(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn keys(signals: &[SignalView]) -> BTreeSet<String> {
    signals.iter().map(|s| s.key.clone()).collect()
}

const COACHES: [&str; 5] = [
    "coach1@demo.wrapcare.nl",
    "coach2@demo.wrapcare.nl",
    "coach3@demo.wrapcare.nl",
    "coach4@demo.wrapcare.nl",
    "coach5@demo.wrapcare.nl",
];

/// The demo, and its Amersfoort supervisor.
async fn demo(store: Store) -> (App, wrapcare_app::Actor) {
    let app = App::new(store, Config::default());
    app.load_demo("signal-test-password")
        .await
        .expect("demo")
        .expect("empty");
    let lead = app
        .cli_actor("leider@demo.wrapcare.nl")
        .await
        .expect("lead");
    (app, lead)
}

async fn signals_agree_with_the_family_files(store: Store) {
    let (app, lead) = demo(store).await;
    let team = app
        .attention(&lead, &AttentionFilter::default())
        .await
        .expect("attention");
    assert!(!team.signals.is_empty(), "the demo has signals");
    // Most urgent first.
    let urgencies: Vec<Urgency> = team.signals.iter().map(|s| s.urgency).collect();
    let mut sorted = urgencies.clone();
    sorted.sort();
    assert_eq!(urgencies, sorted);

    let today = app.today();
    let this_monday = week_of(today);
    for email in COACHES {
        let coach = app.cli_actor(email).await.expect("coach");
        let worker = coach.worker_id.expect("a worker");
        let mine = app
            .attention(&coach, &AttentionFilter::default())
            .await
            .expect("own signals");
        // A coordinator sees exactly the team's signals about their work.
        let of_coach: Vec<SignalView> = team
            .signals
            .iter()
            .filter(|s| s.coordinator_id == Some(worker))
            .cloned()
            .collect();
        assert_eq!(keys(&mine.signals), keys(&of_coach), "{email}");
        // The filter by coordinator gives the supervisor the same.
        let filtered = app
            .attention(
                &lead,
                &AttentionFilter {
                    coordinator: Some(worker),
                    ..AttentionFilter::default()
                },
            )
            .await
            .expect("filtered");
        assert_eq!(keys(&filtered.signals), keys(&of_coach), "{email}");

        // Hours and contact, recomputed from each family's own contacts page.
        for line in app.my_families(&coach).await.expect("families") {
            if line.weeks_in_care.is_none() {
                continue;
            }
            let contacts = app
                .contacts(&coach, line.family_id)
                .await
                .expect("contacts");
            let active: Vec<_> = contacts
                .entries
                .iter()
                .filter(|e| e.status == EntryStatus::Active)
                .collect();
            let used: i64 = active.iter().map(|e| e.minutes).sum();
            let in_week = |monday: chrono::NaiveDate| -> i64 {
                active
                    .iter()
                    .filter(|e| {
                        e.contact_on >= monday && e.contact_on < monday + Duration::weeks(1)
                    })
                    .map(|e| e.minutes)
                    .sum()
            };
            let last_with_family = active
                .iter()
                .filter(|e| e.kind.is_with_family())
                .map(|e| e.contact_on)
                .max();
            let of_family: Vec<&SignalView> = mine
                .signals
                .iter()
                .filter(|s| s.family_id == Some(line.family_id))
                .collect();
            let has = |kind: SignalKind| of_family.iter().find(|s| s.kind == kind);
            let budget = contacts.budget_minutes;
            assert_eq!(
                has(SignalKind::BudgetOver).is_some(),
                used > budget,
                "{} over budget",
                line.surname
            );
            assert_eq!(
                has(SignalKind::BudgetNear).is_some(),
                used <= budget && used * 100 >= budget * 80,
                "{} near budget",
                line.surname
            );
            if let Some(s) = has(SignalKind::BudgetOver).or(has(SignalKind::BudgetNear)) {
                assert_eq!(s.figure("used_hours"), used / 60);
            }
            let weeks = [
                in_week(this_monday - Duration::weeks(2)),
                in_week(this_monday - Duration::weeks(1)),
            ];
            if let Some(s) = has(SignalKind::UnderWeeklyNorm) {
                assert_eq!(s.figure("week_before_last_minutes"), weeks[0]);
                assert_eq!(s.figure("last_week_minutes"), weeks[1]);
            } else if let Some(started) = line.started_on
                && week_of(started) <= this_monday - Duration::weeks(2)
            {
                assert!(
                    weeks.iter().any(|m| m * 2 >= contacts.weekly_norm_minutes),
                    "{}: {weeks:?} is far under the norm but not signalled",
                    line.surname
                );
            }
            let silent_since = last_with_family
                .unwrap_or(line.started_on.expect("started"))
                .max(line.started_on.expect("started"));
            assert_eq!(
                has(SignalKind::NoRecentContact).is_some(),
                (today - silent_since).num_days() >= 14,
                "{} without contact since {silent_since}",
                line.surname
            );
        }
    }

    // Intake, analysts and administrators have no signals to see.
    for email in [
        "intake@demo.wrapcare.nl",
        "analist@demo.wrapcare.nl",
        "admin@demo.wrapcare.nl",
        "privacy@demo.wrapcare.nl",
    ] {
        let other = app.cli_actor(email).await.expect("user");
        assert!(
            matches!(
                app.attention(&other, &AttentionFilter::default()).await,
                Err(AppError::Forbidden)
            ),
            "{email}"
        );
    }
    // Another team's supervisor sees none of this team's families.
    let zeeland = app
        .cli_actor("zeeland-leider@demo.wrapcare.nl")
        .await
        .expect("zeeland");
    let theirs = app
        .attention(&zeeland, &AttentionFilter::default())
        .await
        .expect("zeeland signals");
    let ours: BTreeSet<i64> = team.signals.iter().filter_map(|s| s.family_id).collect();
    assert!(
        theirs
            .signals
            .iter()
            .all(|s| s.family_id.is_none_or(|f| !ours.contains(&f)))
    );
}

async fn acknowledgements_hold_until_the_cause_changes(store: Store) {
    let (app, lead) = demo(store).await;
    let view = app
        .attention(&lead, &AttentionFilter::default())
        .await
        .expect("attention");
    let goal = view
        .signals
        .iter()
        .find(|s| s.kind == SignalKind::GoalUnchanged)
        .expect("a goal not moving in the demo")
        .clone();
    let ack = |key: &str, cause: &str, note: &str| AcknowledgeInput {
        key: key.into(),
        cause: cause.into(),
        note: note.into(),
    };
    // A note is required; a made-up or outdated cause finds nothing.
    assert!(matches!(
        app.acknowledge_signal(&lead, &ack(&goal.key, &goal.cause, "  "))
            .await,
        Err(AppError::Invalid(_))
    ));
    assert!(matches!(
        app.acknowledge_signal(&lead, &ack(&goal.key, "2001-01-01", "oud"))
            .await,
        Err(AppError::Conflict("error-signal-gone"))
    ));
    // Nobody outside the team can acknowledge it.
    let zeeland = app
        .cli_actor("zeeland-leider@demo.wrapcare.nl")
        .await
        .expect("zeeland");
    assert!(
        app.acknowledge_signal(&zeeland, &ack(&goal.key, &goal.cause, "niet van ons"))
            .await
            .is_err()
    );
    app.acknowledge_signal(
        &lead,
        &ack(&goal.key, &goal.cause, "Besproken; eerst de huisvesting."),
    )
    .await
    .expect("acknowledged");
    let after = app
        .attention(&lead, &AttentionFilter::default())
        .await
        .expect("attention");
    let seen = after
        .signals
        .iter()
        .find(|s| s.key == goal.key)
        .expect("still listed");
    let note = seen.acknowledged.as_ref().expect("acknowledged");
    assert_eq!(note.note, "Besproken; eerst de huisvesting.");

    // A score that moves the goal ends the signal; nothing was deleted, and
    // when it stalls again, it is a new signal, not acknowledged.
    let family = goal.family_id.expect("a family");
    let goal_key = goal
        .key
        .rsplit(":goal:")
        .next()
        .expect("goal key")
        .to_string();
    let coach = app
        .cli_actor(&coordinator_email(&app, &goal).await)
        .await
        .expect("coach");
    let plan = app.plan(&coach, family).await.expect("plan");
    let latest = plan
        .scores
        .get(&goal_key)
        .and_then(|scores| scores.iter().max_by_key(|s| s.scored_on))
        .map(|s| i64::from(s.level));
    let level = match latest {
        Some(l) if l < 2 => l + 1,
        Some(_) => 1,
        None => 1,
    };
    app.score_goal(
        &coach,
        family,
        &ScoreInput {
            goal_key: goal_key.clone(),
            level: level.to_string(),
            scored_on: iso(app.today()),
        },
    )
    .await
    .expect("scored");
    let moved = app
        .attention(&lead, &AttentionFilter::default())
        .await
        .expect("attention");
    assert!(
        moved.signals.iter().all(|s| s.key != goal.key),
        "the goal moved"
    );
}

/// The login of the coordinator a signal is about (the demo's coaches).
async fn coordinator_email(app: &App, signal: &SignalView) -> String {
    for email in COACHES {
        let coach = app.cli_actor(email).await.expect("coach");
        if coach.worker_id == signal.coordinator_id {
            return email.to_string();
        }
    }
    panic!("no coach for {:?}", signal.coordinator_id);
}

wrapcare_store::on_both_databases!(
    signals_agree_with_the_family_files,
    acknowledgements_hold_until_the_cause_changes
);
