//! Questionnaires through the application layer, on SQLite and PostgreSQL:
//! what is due, filling one in, refusals by field, and who may do what.

use std::collections::BTreeMap;

use wrapcare_app::questionnaire::MeasurementInput;
use wrapcare_app::{App, AppError, Config};
use wrapcare_core::episode::EpisodeState;
use wrapcare_core::questionnaire::Respondent;
use wrapcare_store::Store;

async fn demo(store: Store) -> App {
    let app = App::new(store, Config::default());
    app.load_demo("questionnaire-test-password")
        .await
        .expect("demo")
        .expect("empty");
    app
}

fn input(instrument: &str, respondent: &str, answers: &[(&str, &str)]) -> MeasurementInput {
    MeasurementInput {
        instrument: instrument.into(),
        respondent: respondent.into(),
        answers: answers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
    }
}

fn fields(e: AppError) -> Vec<(String, &'static str)> {
    match e {
        AppError::Invalid(invalid) => invalid.0.into_iter().map(|f| (f.field, f.key)).collect(),
        other => panic!("expected refused fields, got {other:?}"),
    }
}

const DOMAINS: [&str; 15] = [
    "financial",
    "work_education",
    "daytime",
    "housing",
    "family_relations",
    "mental_health",
    "physical_health",
    "substance_use",
    "daily_living",
    "social_network",
    "community",
    "justice",
    "parenting",
    "child_development",
    "school",
];

async fn a_due_questionnaire_is_filled_in_once(store: Store) {
    let app = demo(store).await;
    let coach = app
        .cli_actor("coach1@demo.wrapcare.nl")
        .await
        .expect("coach");
    // The demo leaves the latest round open for each coordinator's first families.
    let mut found = None;
    for f in app.my_families(&coach).await.expect("mine") {
        if f.state != EpisodeState::InCare {
            continue;
        }
        let view = app.questionnaires(&coach, f.family_id).await.expect("read");
        let due = view
            .due
            .iter()
            .find(|d| d.instrument == "self_sufficiency" && d.respondent == Respondent::Coordinator)
            .cloned();
        if let Some(due) = due {
            found = Some((f, view, due));
            break;
        }
    }
    let (family, before, start) = found.expect("a family with self-sufficiency due");
    assert!(before.may_record);
    let measured_before = before.measurements.len();

    // Refused by field, nothing stored.
    let wrong = input(
        "self_sufficiency",
        "coordinator",
        &[("financial", "6"), ("housing", "drie"), ("nonsense", "1")],
    );
    let refused = app
        .record_measurement(&coach, family.family_id, &wrong)
        .await
        .expect_err("out of scale");
    assert_eq!(
        fields(refused),
        [
            ("answers.financial".to_string(), "error-answer-out-of-scale"),
            ("answers.housing".to_string(), "error-not-a-whole-number"),
            ("answers.nonsense".to_string(), "error-unknown-item"),
        ]
    );
    let err = app
        .record_measurement(
            &coach,
            family.family_id,
            &input("self_sufficiency", "parent", &[("financial", "3")]),
        )
        .await
        .expect_err("the parent does not answer this one");
    assert_eq!(
        fields(err),
        [("respondent".to_string(), "error-choose-option")]
    );
    let err = app
        .record_measurement(
            &coach,
            family.family_id,
            &input("no_such_thing", "coordinator", &[("financial", "3")]),
        )
        .await
        .expect_err("unknown instrument");
    assert_eq!(
        fields(err),
        [("instrument".to_string(), "error-choose-option")]
    );
    let err = app
        .record_measurement(
            &coach,
            family.family_id,
            &input("self_sufficiency", "coordinator", &[("financial", " ")]),
        )
        .await
        .expect_err("nothing answered");
    assert_eq!(fields(err), [("answers".to_string(), "error-no-answers")]);
    assert_eq!(
        app.questionnaires(&coach, family.family_id)
            .await
            .expect("read")
            .measurements
            .len(),
        measured_before
    );

    // All fifteen domains at level 3 but school at 5: the mean is 3.13.
    let answers: Vec<(&str, &str)> = DOMAINS
        .iter()
        .map(|d| (*d, if *d == "school" { "5" } else { "3" }))
        .collect();
    let taken = app
        .record_measurement(
            &coach,
            family.family_id,
            &input("self_sufficiency", "coordinator", &answers),
        )
        .await
        .expect("recorded");
    assert_eq!(taken.occasion, start.occasion);
    let total = taken
        .scores
        .iter()
        .find(|s| s.subscale == "total")
        .and_then(|s| s.value)
        .expect("a valid total");
    assert!((total - 47.0 / 15.0).abs() < 1e-9, "{total}");

    let after = app
        .questionnaires(&coach, family.family_id)
        .await
        .expect("read");
    assert_eq!(after.measurements.len(), measured_before + 1);
    assert!(
        !after
            .due
            .iter()
            .any(|d| d.instrument == "self_sufficiency" && d.occasion == start.occasion),
        "no longer due"
    );
    let result = after
        .results
        .iter()
        .find(|r| r.instrument == "self_sufficiency")
        .expect("results");
    let school = result
        .subscales
        .iter()
        .find(|s| s.subscale == "school")
        .expect("school");
    assert_eq!(school.domain.as_deref(), Some("school"));
    assert_eq!(school.latest, Some(5.0));
    // The plan reads it beside each domain's goals.
    let plan = app.plan(&coach, family.family_id).await.expect("plan");
    let in_plan = plan
        .self_sufficiency
        .get("school")
        .expect("school in the plan's context");
    assert_eq!((in_plan.latest, in_plan.taken_on), (5.0, app.today()));

    // The same moment again is not due any more.
    let again = app
        .record_measurement(
            &coach,
            family.family_id,
            &input("self_sufficiency", "coordinator", &answers),
        )
        .await;
    assert!(
        matches!(again, Err(AppError::Conflict("error-no-questionnaire-due"))),
        "{again:?}"
    );
}

async fn only_the_familys_own_coordinator_fills_one_in(store: Store) {
    let app = demo(store).await;
    let coach = app
        .cli_actor("coach1@demo.wrapcare.nl")
        .await
        .expect("coach");
    let family = app
        .my_families(&coach)
        .await
        .expect("mine")
        .into_iter()
        .find(|f| f.state == EpisodeState::InCare)
        .expect("a family in care");
    let answer = input("self_sufficiency", "coordinator", &[("financial", "3")]);
    let colleague = app
        .cli_actor("coach2@demo.wrapcare.nl")
        .await
        .expect("colleague");
    let refused = app
        .record_measurement(&colleague, family.family_id, &answer)
        .await;
    assert!(
        matches!(refused, Err(AppError::Forbidden | AppError::NotFound)),
        "{refused:?}"
    );
    for outsider in [
        "intake@demo.wrapcare.nl",
        "analist@demo.wrapcare.nl",
        "admin@demo.wrapcare.nl",
    ] {
        let actor = app.cli_actor(outsider).await.expect("actor");
        let read = app.questionnaires(&actor, family.family_id).await;
        assert!(
            matches!(read, Err(AppError::Forbidden | AppError::NotFound)),
            "{outsider} reads questionnaires: {read:?}"
        );
        let write = app
            .record_measurement(&actor, family.family_id, &answer)
            .await;
        assert!(
            matches!(write, Err(AppError::Forbidden | AppError::NotFound)),
            "{outsider} records: {write:?}"
        );
    }
    // The supervisor reads the team's results but enters none.
    let lead = app
        .cli_actor("leider@demo.wrapcare.nl")
        .await
        .expect("lead");
    let view = app
        .questionnaires(&lead, family.family_id)
        .await
        .expect("the supervisor reads");
    assert!(!view.may_record);
    let write = app
        .record_measurement(&lead, family.family_id, &answer)
        .await;
    assert!(
        matches!(write, Err(AppError::Forbidden | AppError::NotFound)),
        "{write:?}"
    );
}

/// Every questionnaire due for a coordinator's families reaches their day:
/// an overdue one as a signal, one not yet overdue in the day's list.
async fn due_questionnaires_reach_the_day_and_the_signals(store: Store) {
    use wrapcare_app::signal::AttentionFilter;
    use wrapcare_core::signal::SignalKind;
    let app = demo(store).await;
    let coach = app
        .cli_actor("coach1@demo.wrapcare.nl")
        .await
        .expect("coach");
    let day = app.day(&coach).await.expect("day");
    let overdue = app
        .attention(
            &coach,
            &AttentionFilter {
                kind: Some(SignalKind::MeasurementOverdue),
                ..AttentionFilter::default()
            },
        )
        .await
        .expect("signals");
    let (mut seen_overdue, mut seen_due) = (0, 0);
    for f in app.my_families(&coach).await.expect("mine") {
        if f.state != EpisodeState::InCare {
            continue;
        }
        let view = app.questionnaires(&coach, f.family_id).await.expect("read");
        for d in &view.due {
            let what = format!("{}/{}", d.instrument, d.respondent.as_str());
            if d.overdue {
                seen_overdue += 1;
                assert!(
                    overdue
                        .signals
                        .iter()
                        .any(|s| s.family_id == Some(f.family_id)
                            && s.about.as_deref() == Some(&what)),
                    "{what} of family {} is overdue but no signal",
                    f.family_id
                );
            } else {
                seen_due += 1;
                assert!(
                    day.questionnaires_due
                        .iter()
                        .any(|q| q.family_id == f.family_id
                            && q.instrument == d.instrument
                            && q.respondent == d.respondent),
                    "{what} of family {} is due but not on the day",
                    f.family_id
                );
            }
        }
    }
    assert!(
        seen_overdue > 0 && seen_due > 0,
        "the demo has both: {seen_overdue} overdue, {seen_due} due"
    );
    assert!(
        overdue
            .signals
            .iter()
            .all(|s| s.link.ends_with("/questionnaires"))
    );
}

wrapcare_store::on_both_databases!(
    a_due_questionnaire_is_filled_in_once,
    only_the_familys_own_coordinator_fills_one_in,
    due_questionnaires_reach_the_day_and_the_signals,
);
