//! The family plan through the application layer, on SQLite and PostgreSQL.

use chrono::Duration;
use wrapcare_app::admin::{ProgrammeInput, WorkerInput};
use wrapcare_app::episode::{AssignInput, StartInput};
use wrapcare_app::plan::{ActionInput, AgreeInput, GoalInput, NetworkInput, PlanInput, ScoreInput};
use wrapcare_app::referral::AcceptInput;
use wrapcare_app::{Actor, App, AppError, Channel, Config};
use wrapcare_core::plan::PlanStatus;
use wrapcare_core::referral::{MemberInput, ReferralInput};
use wrapcare_store::Store;

const PASSWORD: &str = "test-password-123";

fn iso(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

async fn actor(app: &App, email: &str) -> Actor {
    app.cli_actor(email)
        .await
        .expect("actor")
        .via(Channel::Api, None)
}

/// A family in care with coordinator coach0; returns (app, coach, other coach, family).
async fn family_in_care(store: Store) -> (App, Actor, Actor, i64) {
    let app = App::new(store, Config::default());
    app.add_user("admin@example.nl", "Admin", "admin", None, PASSWORD)
        .await
        .expect("admin");
    let admin = actor(&app, "admin@example.nl").await;
    let today = app.today();
    let programme = app
        .create_programme(
            &admin,
            &ProgrammeInput {
                name: "Pilot".into(),
                starts_on: iso(today - Duration::days(400)),
                families_per_fte: "3".into(),
                budget_hours_per_family: "200".into(),
                weekly_hours_per_family: "7".into(),
                start_within_weeks: "9".into(),
                full_time_hours_per_week: "32".into(),
                ..Default::default()
            },
        )
        .await
        .expect("programme");
    let team = app
        .create_team(&admin, "Team", &programme.to_string())
        .await
        .expect("team");
    let org = app.create_organisation(&admin, "MEE").await.expect("org");
    app.add_user(
        "lead@example.nl",
        "Lead",
        "supervisor",
        Some(team),
        PASSWORD,
    )
    .await
    .expect("lead");
    app.add_user("intake@example.nl", "Intake", "intake", None, PASSWORD)
        .await
        .expect("intake");
    let mut coaches = Vec::new();
    for i in 0..2 {
        let email = format!("coach{i}@example.nl");
        app.add_user(&email, "Coach", "coordinator", Some(team), PASSWORD)
            .await
            .expect("coach");
        let worker = app
            .create_worker(
                &admin,
                &WorkerInput {
                    name: format!("Coach {i}"),
                    team_id: team.to_string(),
                    home_organisation_id: org.to_string(),
                    job: "coordinator".into(),
                    user_email: email.clone(),
                    hours_per_week: "32".into(),
                    starts_on: iso(today - Duration::days(300)),
                },
            )
            .await
            .expect("worker");
        coaches.push((actor(&app, &email).await, worker));
    }
    let intake = actor(&app, "intake@example.nl").await;
    let lead = actor(&app, "lead@example.nl").await;
    let referral = ReferralInput {
        programme_id: programme.to_string(),
        source: "cjg".into(),
        referrer_name: "R".into(),
        referrer_contact: "033".into(),
        received_on: iso(today),
        urgency: "normal".into(),
        reason: "Vast".into(),
        members: vec![MemberInput {
            given_name: "Noor".into(),
            family_name: "Plan".into(),
            role: "child".into(),
            birth_date: "2014-01-01".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let submitted = app
        .submit_referral(&intake, &referral, None)
        .await
        .expect("submit");
    let accepted = app
        .accept_referral(&lead, submitted.referral.id, &AcceptInput::default())
        .await
        .expect("accept");
    app.assign(
        &lead,
        accepted.family_id,
        &AssignInput {
            worker_id: coaches[0].1,
            ..Default::default()
        },
    )
    .await
    .expect("assign");
    app.start_help(
        &coaches[0].0,
        accepted.family_id,
        &StartInput {
            started_on: iso(today),
        },
    )
    .await
    .expect("start");
    let other = coaches.pop().expect("two coaches").0;
    let coach = coaches.pop().expect("one coach").0;
    (app, coach, other, accepted.family_id)
}

fn goal(description: &str, domain: &str) -> GoalInput {
    GoalInput {
        domain: domain.into(),
        description: description.into(),
        levels: ["veel minder", "minder", "verwacht", "meer", "veel meer"]
            .map(String::from)
            .to_vec(),
        baseline: "-1".into(),
        ..Default::default()
    }
}

async fn write_agree_redraft_and_compare(store: Store) {
    let (app, coach, other, family) = family_in_care(store).await;
    let today = app.today();
    let empty = app.plan(&coach, family).await.expect("plan");
    assert!(empty.current.is_none());
    assert!(
        empty
            .review_due
            .is_some_and(|d| d == today + Duration::weeks(6))
    );
    // Agreement of an empty plan is refused.
    let agree = AgreeInput {
        agreed_by: "Moeder".into(),
        agreed_on: iso(today),
        how: "in_person".into(),
        version: 0,
    };
    assert!(matches!(
        app.agree_plan(&coach, family, &agree).await,
        Err(AppError::Conflict("error-plan-empty"))
    ));
    let mut input = PlanInput {
        vision: "Weer rust in huis en Noor naar school".into(),
        goals: vec![
            goal("Noor gaat elke dag naar school", "school"),
            goal("Schulden in beeld", "financial"),
        ],
        network: vec![NetworkInput {
            name: "Oma Truus".into(),
            relation: "grootmoeder".into(),
            part: "Brengt Noor".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let saved = app.save_plan(&coach, family, &input).await.expect("save");
    let draft = saved.current.expect("draft");
    assert_eq!((draft.number, draft.status), (1, PlanStatus::Draft));
    assert_eq!(draft.content.goals.len(), 2);
    let goal_key = draft.content.goals[0].key.clone();
    // A second editor with the old version is refused and nothing is lost.
    input.version = draft.version;
    input.goals = draft
        .content
        .goals
        .iter()
        .map(|g| GoalInput {
            key: g.key.clone(),
            ..goal(&g.description, &g.domain)
        })
        .collect();
    input.actions = vec![ActionInput {
        goal_key: goal_key.clone(),
        what: "Afspraak met school".into(),
        owner_kind: "coordinator".into(),
        owner: "Coach".into(),
        ..Default::default()
    }];
    let second = app
        .save_plan(&coach, family, &input)
        .await
        .expect("second save");
    assert!(
        matches!(
            app.save_plan(&coach, family, &input).await,
            Err(AppError::Stale)
        ),
        "stale version refused"
    );
    let current = second.current.expect("current");
    assert_eq!(current.content.actions.len(), 1);
    // The family agrees; the agreed version cannot be saved over.
    let agreed = app
        .agree_plan(
            &coach,
            family,
            &AgreeInput {
                version: current.version,
                ..agree.clone()
            },
        )
        .await
        .expect("agree");
    assert_eq!(
        agreed.current.as_ref().map(|c| c.status),
        Some(PlanStatus::Agreed)
    );
    assert!(
        agreed
            .review_due
            .is_some_and(|d| d == today + Duration::weeks(13))
    );
    let over = PlanInput {
        version: agreed
            .current
            .as_ref()
            .map(|c| c.version)
            .unwrap_or_default(),
        ..input.clone()
    };
    assert!(matches!(
        app.save_plan(&coach, family, &over).await,
        Err(AppError::Conflict("error-plan-agreed"))
    ));
    // A new draft starts from the agreed version; a change shows in the comparison.
    let redraft = app.new_plan_draft(&coach, family).await.expect("new draft");
    let v2 = redraft.current.expect("v2");
    assert_eq!((v2.number, v2.status), (2, PlanStatus::Draft));
    let mut changed = input.clone();
    changed.version = v2.version;
    changed.goals.pop();
    changed
        .goals
        .push(goal("Vader vindt werk", "work_education"));
    app.save_plan(&coach, family, &changed)
        .await
        .expect("save v2");
    let (_, diff) = app
        .plan_version(&coach, family, None, 2, Some(1))
        .await
        .expect("compare");
    let diff = diff.expect("diff");
    assert_eq!(diff.goals.added, vec!["Vader vindt werk".to_string()]);
    assert_eq!(diff.goals.removed, vec!["Schulden in beeld".to_string()]);
    let (first, _) = app
        .plan_version(&coach, family, None, 1, None)
        .await
        .expect("v1");
    assert_eq!(
        first.content.goals.len(),
        2,
        "the agreed version is still readable, unchanged"
    );
    // Scores move the T-score; scores outside the scale are refused.
    let before = app
        .plan(&coach, family)
        .await
        .expect("plan")
        .t_score
        .expect("t");
    app.score_goal(
        &coach,
        family,
        &ScoreInput {
            goal_key: goal_key.clone(),
            level: "2".into(),
            scored_on: String::new(),
        },
    )
    .await
    .expect("score");
    let after = app.plan(&coach, family).await.expect("plan");
    assert!(after.t_score.expect("t") > before);
    assert_eq!(after.t_history.len(), 1);
    assert!(matches!(
        app.score_goal(
            &coach,
            family,
            &ScoreInput {
                goal_key: goal_key.clone(),
                level: "3".into(),
                scored_on: String::new()
            }
        )
        .await,
        Err(AppError::Invalid(_))
    ));
    // The plan of this episode stays readable by its id (as it will once a new episode starts).
    let by_episode = app
        .plan_of_episode(&coach, family, Some(after.episode_id))
        .await
        .expect("by episode");
    assert_eq!(by_episode.versions.len(), 2);
    assert!(matches!(
        app.plan_of_episode(&coach, family, Some(987_654)).await,
        Err(AppError::NotFound)
    ));
    // Another coordinator cannot see or change the plan.
    assert!(matches!(
        app.plan(&other, family).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        app.save_plan(&other, family, &changed).await,
        Err(AppError::NotFound)
    ));
}

async fn bad_plans_are_refused_by_field(store: Store) {
    let (app, coach, _, family) = family_in_care(store).await;
    let mut bad = PlanInput {
        goals: vec![goal("", "school"), goal("Wonen", "moon")],
        ..Default::default()
    };
    bad.goals[1].target_date = "2000-01-01".into();
    bad.goals[1].baseline = "5".into();
    bad.actions = vec![ActionInput {
        goal_key: "nope".into(),
        what: "Bellen".into(),
        owner_kind: "network".into(),
        owner: String::new(),
        ..Default::default()
    }];
    match app.save_plan(&coach, family, &bad).await {
        Err(AppError::Invalid(invalid)) => {
            let fields: Vec<&str> = invalid.0.iter().map(|f| f.field.as_str()).collect();
            assert!(fields.contains(&"goals[1].baseline"), "{fields:?}");
        }
        other => panic!("expected invalid, got {other:?}"),
    }
    bad.goals[1].baseline = "-1".into();
    match app.save_plan(&coach, family, &bad).await {
        Err(AppError::Invalid(invalid)) => {
            let fields: Vec<&str> = invalid.0.iter().map(|f| f.field.as_str()).collect();
            for f in [
                "goals[0].description",
                "goals[1].domain",
                "goals[1].target_date",
                "actions[0].owner",
                "actions[0].goal_key",
            ] {
                assert!(fields.contains(&f), "{f} missing in {fields:?}");
            }
        }
        other => panic!("expected invalid, got {other:?}"),
    }
    assert!(
        app.plan(&coach, family)
            .await
            .expect("plan")
            .current
            .is_none(),
        "nothing stored"
    );
}

wrapcare_store::on_both_databases!(
    write_agree_redraft_and_compare,
    bad_plans_are_refused_by_field
);
