//! The use cases through the application layer, on SQLite and PostgreSQL:
//! the referral-to-start journey, access and its log, capacity, concurrency.

use chrono::{Duration, NaiveDate};
use wrapcare_app::admin::{ProgrammeInput, WorkerInput};
use wrapcare_app::episode::{AssignInput, CloseInput, PhaseInput, StartInput};
use wrapcare_app::referral::{AcceptInput, DeclineInput};
use wrapcare_app::{Actor, App, AppError, Channel, Config};
use wrapcare_core::episode::EpisodeState;
use wrapcare_core::indication::IndicationInput;
use wrapcare_core::referral::{MemberInput, ReferralInput};
use wrapcare_store::Store;

const PASSWORD: &str = "test-password-123";

struct World {
    app: App,
    programme_id: i64,
    intake: Actor,
    supervisor: Actor,
    coordinators: Vec<(Actor, i64)>,
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

async fn actor(app: &App, email: &str) -> Actor {
    app.cli_actor(email)
        .await
        .expect("actor")
        .via(Channel::Api, Some("127.0.0.1".into()))
}

/// A programme of 3 families per 32-hour coordinator, a team, a supervisor,
/// an intake user and coordinators with the given weekly hours.
async fn world(store: Store, hours: &[&str]) -> World {
    let app = App::new(store, Config::default());
    app.add_user("admin@example.nl", "Admin", "admin", None, PASSWORD)
        .await
        .expect("admin");
    let admin = actor(&app, "admin@example.nl").await;
    let today = app.today();
    let programme_id = app
        .create_programme(
            &admin,
            &ProgrammeInput {
                name: "Pilot".into(),
                starts_on: iso(today - Duration::days(800)),
                ends_on: String::new(),
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
    let team_id = app
        .create_team(&admin, "Team", &programme_id.to_string())
        .await
        .expect("team");
    let org = app.create_organisation(&admin, "MEE").await.expect("org");
    app.add_user(
        "lead@example.nl",
        "Lead",
        "supervisor",
        Some(team_id),
        PASSWORD,
    )
    .await
    .expect("lead");
    app.add_user("intake@example.nl", "Intake", "intake", None, PASSWORD)
        .await
        .expect("intake");
    let mut coordinators = Vec::new();
    for (i, h) in hours.iter().enumerate() {
        let email = format!("coach{i}@example.nl");
        app.add_user(
            &email,
            &format!("Coach {i}"),
            "coordinator",
            Some(team_id),
            PASSWORD,
        )
        .await
        .expect("coach");
        let worker_id = app
            .create_worker(
                &admin,
                &WorkerInput {
                    name: format!("Coach {i}"),
                    team_id: team_id.to_string(),
                    home_organisation_id: org.to_string(),
                    job: "coordinator".into(),
                    user_email: email.clone(),
                    hours_per_week: (*h).into(),
                    starts_on: iso(today - Duration::days(700)),
                },
            )
            .await
            .expect("worker");
        coordinators.push((actor(&app, &email).await, worker_id));
    }
    World {
        intake: actor(&app, "intake@example.nl").await,
        supervisor: actor(&app, "lead@example.nl").await,
        app,
        programme_id,
        coordinators,
    }
}

fn referral(w: &World, surname: &str, indication_days_ago: Option<i64>) -> ReferralInput {
    let today = w.app.today();
    ReferralInput {
        programme_id: w.programme_id.to_string(),
        source: if indication_days_ago.is_some() {
            "indication_body"
        } else {
            "cjg"
        }
        .into(),
        referrer_name: "R. Verwijzer".into(),
        referrer_contact: "033-1234567".into(),
        received_on: iso(today - Duration::days(indication_days_ago.unwrap_or(30))),
        urgency: "normal".into(),
        reason: "Vastgelopen".into(),
        home_language: "nl".into(),
        city: "Amersfoort".into(),
        members: vec![
            MemberInput {
                given_name: "Anna".into(),
                family_name: surname.into(),
                role: "parent".into(),
                parental_authority: true,
                ..Default::default()
            },
            MemberInput {
                given_name: "Sem".into(),
                family_name: surname.into(),
                role: "child".into(),
                birth_date: "2015-06-01".into(),
                indications: indication_days_ago
                    .map(|days| {
                        vec![IndicationInput {
                            number: "IND-1".into(),
                            product: "IPT".into(),
                            starts_on: iso(today - Duration::days(days)),
                            ends_on: iso(today + Duration::days(300)),
                            issuer: "Intervence".into(),
                        }]
                    })
                    .unwrap_or_default(),
                ..Default::default()
            },
        ],
        ..Default::default()
    }
}

/// Submits and accepts a referral; returns the family.
async fn waiting_family(w: &World, surname: &str) -> i64 {
    let submitted = w
        .app
        .submit_referral(&w.intake, &referral(w, surname, Some(40)), None)
        .await
        .expect("submit");
    let accepted = w
        .app
        .accept_referral(
            &w.supervisor,
            submitted.referral.id,
            &AcceptInput::default(),
        )
        .await
        .expect("accept");
    accepted.family_id
}

async fn referral_to_start_of_help(store: Store) {
    let w = world(store, &["32"]).await;
    let today = w.app.today();
    let submitted = w
        .app
        .submit_referral(&w.intake, &referral(&w, "Jansen", Some(40)), None)
        .await
        .expect("submit");
    assert!(submitted.created);
    assert!(
        submitted.referral.detail.is_none(),
        "intake sees the status only"
    );
    let accepted = w
        .app
        .accept_referral(
            &w.supervisor,
            submitted.referral.id,
            &AcceptInput::default(),
        )
        .await
        .expect("accept");
    let (coach, worker_id) = &w.coordinators[0];
    w.app
        .assign(
            &w.supervisor,
            accepted.family_id,
            &AssignInput {
                worker_id: *worker_id,
                starts_on: None,
                override_reason: None,
            },
        )
        .await
        .expect("assign");
    let mine = w.app.my_families(coach).await.expect("my families");
    assert_eq!(mine.len(), 1);
    let started_on = today;
    let family = w
        .app
        .start_help(
            coach,
            accepted.family_id,
            &StartInput {
                started_on: iso(started_on),
            },
        )
        .await
        .expect("start");
    let episode = family.episode.expect("episode");
    assert_eq!(episode.state, EpisodeState::InCare);
    assert_eq!(episode.phase, Some(1));
    assert_eq!(episode.reference_date, today - Duration::days(40));
    assert_eq!(episode.waiting_days, Some(40), "start − indication date");
    assert_eq!(episode.reference_kind, "indication");
    let status = w
        .app
        .referral(&w.intake, submitted.referral.id)
        .await
        .expect("status");
    assert_eq!(status.status.as_str(), "in_care");
}

async fn registration_without_indication_counts_from_received(store: Store) {
    let w = world(store, &["32"]).await;
    let today = w.app.today();
    let submitted = w
        .app
        .submit_referral(&w.intake, &referral(&w, "Bakker", None), None)
        .await
        .expect("submit");
    let accepted = w
        .app
        .accept_referral(
            &w.supervisor,
            submitted.referral.id,
            &AcceptInput::default(),
        )
        .await
        .expect("accept");
    let (coach, worker_id) = &w.coordinators[0];
    w.app
        .assign(
            &w.supervisor,
            accepted.family_id,
            &AssignInput {
                worker_id: *worker_id,
                ..Default::default()
            },
        )
        .await
        .expect("assign");
    let family = w
        .app
        .start_help(
            coach,
            accepted.family_id,
            &StartInput {
                started_on: iso(today),
            },
        )
        .await
        .expect("start");
    let episode = family.episode.expect("episode");
    assert_eq!(episode.waiting_days, Some(30));
    assert_eq!(episode.reference_kind, "registration");
}

async fn bad_input_stores_nothing_and_keys_are_idempotent(store: Store) {
    let w = world(store, &["32"]).await;
    let mut bad = referral(&w, "Visser", Some(40));
    bad.members[1].bsn = "123456789".into();
    bad.members[1].indications[0].starts_on = iso(w.app.today() + Duration::days(3));
    match w.app.submit_referral(&w.intake, &bad, None).await {
        Err(AppError::Invalid(invalid)) => {
            let fields: Vec<&str> = invalid.0.iter().map(|f| f.field.as_str()).collect();
            assert!(fields.contains(&"members[1].bsn"), "{fields:?}");
            assert!(
                fields.contains(&"members[1].indications[0].starts_on"),
                "{fields:?}"
            );
        }
        other => panic!("expected invalid, got {other:?}"),
    }
    let mut unknown = referral(&w, "Visser", Some(40));
    unknown.programme_id = "9999".into();
    assert!(matches!(
        w.app.submit_referral(&w.intake, &unknown, None).await,
        Err(AppError::Invalid(_))
    ));
    assert!(
        w.app
            .my_referrals(&w.intake)
            .await
            .expect("list")
            .is_empty(),
        "nothing stored"
    );

    let good = referral(&w, "Visser", Some(40));
    let first = w
        .app
        .submit_referral(&w.intake, &good, Some("abc"))
        .await
        .expect("first");
    let second = w
        .app
        .submit_referral(&w.intake, &good, Some("abc"))
        .await
        .expect("second");
    assert!(first.created && !second.created);
    assert_eq!(first.referral.id, second.referral.id);
    assert_eq!(w.app.my_referrals(&w.intake).await.expect("list").len(), 1);
}

async fn others_get_not_found_and_the_refusal_is_logged(store: Store) {
    let w = world(store, &["32", "32"]).await;
    let family_id = waiting_family(&w, "Smit").await;
    let (_, a) = &w.coordinators[0];
    w.app
        .assign(
            &w.supervisor,
            family_id,
            &AssignInput {
                worker_id: *a,
                ..Default::default()
            },
        )
        .await
        .expect("assign");
    let (owner, _) = &w.coordinators[0];
    let (other, _) = &w.coordinators[1];
    assert!(w.app.family(owner, family_id).await.is_ok());
    assert!(matches!(
        w.app.family(other, family_id).await,
        Err(AppError::NotFound)
    ));
    // Roles that never open family files are refused outright (403, logged).
    assert!(matches!(
        w.app.family(&w.intake, family_id).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        w.app.family(other, 987_654).await,
        Err(AppError::NotFound)
    ));
    let admin = actor(&w.app, "admin@example.nl").await;
    assert!(matches!(
        w.app.family(&admin, family_id).await,
        Err(AppError::Forbidden)
    ));
    let log = wrapcare_store::testing::access_log(w.app.store(), Some(family_id), 100).await;
    let refused: Vec<_> = log.iter().filter(|e| e.outcome == "refused").collect();
    assert!(refused.iter().any(|e| e.user_id == Some(other.user_id)
        && e.action == "family.read"
        && e.channel == "api"));
    assert!(refused.iter().any(|e| e.user_id == Some(w.intake.user_id)));
    assert!(
        log.iter()
            .any(|e| e.outcome == "allowed" && e.user_id == Some(owner.user_id))
    );
    assert!(
        log.iter()
            .all(|e| e.address.as_deref() == Some("127.0.0.1"))
    );
}

async fn capacity_needs_a_reason_beyond_it(store: Store) {
    // 16 of 32 hours: half of 3 families = 1.5, so one family fits and a second does not.
    let w = world(store, &["16"]).await;
    let (_, worker_id) = w.coordinators[0];
    let first = waiting_family(&w, "Meijer").await;
    let second = waiting_family(&w, "de Boer").await;
    w.app
        .assign(
            &w.supervisor,
            first,
            &AssignInput {
                worker_id,
                ..Default::default()
            },
        )
        .await
        .expect("first fits");
    match w
        .app
        .assign(
            &w.supervisor,
            second,
            &AssignInput {
                worker_id,
                ..Default::default()
            },
        )
        .await
    {
        Err(AppError::Invalid(invalid)) => assert_eq!(invalid.0[0].key, "error-capacity-reached"),
        other => panic!("expected a capacity refusal, got {other:?}"),
    }
    let family = w
        .app
        .assign(
            &w.supervisor,
            second,
            &AssignInput {
                worker_id,
                starts_on: None,
                override_reason: Some("Broer van gezin Meijer".into()),
            },
        )
        .await
        .expect("override");
    let episode = family.episode.expect("episode");
    assert_eq!(
        episode.assignments[0].override_reason.as_deref(),
        Some("Broer van gezin Meijer")
    );
    let loads = w.app.caseloads(&w.supervisor).await.expect("caseloads");
    assert_eq!(loads[0].caseload, 2);
    assert_eq!(loads[0].capacity, 1.5);
    assert!(!loads[0].has_room);
}

async fn twenty_simultaneous_assignments_for_one_free_place(store: Store) {
    // 32 hours: three places; two are taken, one is free.
    let w = world(store, &["32"]).await;
    let (_, worker_id) = w.coordinators[0];
    for surname in ["Een", "Twee"] {
        let f = waiting_family(&w, surname).await;
        w.app
            .assign(
                &w.supervisor,
                f,
                &AssignInput {
                    worker_id,
                    ..Default::default()
                },
            )
            .await
            .expect("fill");
    }
    let mut families = Vec::new();
    for i in 0..20 {
        families.push(waiting_family(&w, &format!("Gezin{i}")).await);
    }
    let mut tasks = Vec::new();
    for family_id in families {
        let app = w.app.clone();
        let supervisor = w.supervisor.clone();
        tasks.push(tokio::spawn(async move {
            app.assign(
                &supervisor,
                family_id,
                &AssignInput {
                    worker_id,
                    ..Default::default()
                },
            )
            .await
        }));
    }
    let mut ok = 0;
    let mut refused = 0;
    for t in tasks {
        match t.await.expect("task") {
            Ok(_) => ok += 1,
            Err(AppError::Invalid(i)) if i.0[0].key == "error-capacity-reached" => refused += 1,
            Err(other) => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!((ok, refused), (1, 19));
    let loads = w.app.caseloads(&w.supervisor).await.expect("caseloads");
    assert_eq!(loads[0].caseload, 3);
}

async fn handover_is_history_and_steps_follow_the_rules(store: Store) {
    let w = world(store, &["32", "32"]).await;
    let today = w.app.today();
    let family_id = waiting_family(&w, "Dekker").await;
    let (coach_a, a) = &w.coordinators[0];
    let (coach_b, b) = &w.coordinators[1];
    // Start of help before a coordinator is assigned is refused.
    assert!(matches!(
        w.app
            .start_help(
                &w.supervisor,
                family_id,
                &StartInput {
                    started_on: iso(today)
                }
            )
            .await,
        Err(AppError::Conflict("error-episode-not-assigned"))
    ));
    w.app
        .assign(
            &w.supervisor,
            family_id,
            &AssignInput {
                worker_id: *a,
                starts_on: Some(iso(today)),
                override_reason: None,
            },
        )
        .await
        .expect("assign a");
    // A start before the acceptance is refused by the field.
    assert!(matches!(
        w.app
            .start_help(
                coach_a,
                family_id,
                &StartInput {
                    started_on: iso(today - Duration::days(400))
                }
            )
            .await,
        Err(AppError::Invalid(_))
    ));
    assert!(matches!(
        w.app
            .start_help(
                coach_a,
                family_id,
                &StartInput {
                    started_on: "31-12-2026".into()
                }
            )
            .await,
        Err(AppError::Invalid(_))
    ));
    w.app
        .start_help(
            coach_a,
            family_id,
            &StartInput {
                started_on: iso(today),
            },
        )
        .await
        .expect("start");
    let family = w
        .app
        .assign(
            &w.supervisor,
            family_id,
            &AssignInput {
                worker_id: *b,
                starts_on: Some(iso(today)),
                override_reason: None,
            },
        )
        .await
        .expect("handover");
    let episode = family.episode.expect("episode");
    assert_eq!(episode.assignments.len(), 2);
    assert_eq!(episode.assignments[0].ends_on, Some(today));
    assert_eq!(episode.coordinator.as_ref().map(|c| c.worker_id), Some(*b));
    // The old coordinator no longer sees the family; the new one does.
    assert!(matches!(
        w.app.family(coach_a, family_id).await,
        Err(AppError::NotFound)
    ));
    w.app
        .change_phase(
            coach_b,
            family_id,
            &PhaseInput {
                phase: 2,
                starts_on: None,
            },
        )
        .await
        .expect("phase");
    assert!(matches!(
        w.app
            .change_phase(
                coach_b,
                family_id,
                &PhaseInput {
                    phase: 2,
                    starts_on: None
                }
            )
            .await,
        Err(AppError::Conflict("error-same-phase"))
    ));
    w.app
        .close(
            coach_b,
            family_id,
            &CloseInput {
                closed_on: iso(today),
                reason: "goals_reached".into(),
            },
        )
        .await
        .expect("close");
    // Closed: the coordinator's file access ends, and the supervisor sees a phase change refused.
    assert!(matches!(
        w.app
            .change_phase(
                &w.supervisor,
                family_id,
                &PhaseInput {
                    phase: 3,
                    starts_on: None
                }
            )
            .await,
        Err(AppError::Conflict("error-episode-not-open"))
    ));
    let loads = w.app.caseloads(&w.supervisor).await.expect("caseloads");
    assert!(loads.iter().all(|l| l.caseload == 0));
}

async fn returning_family_gets_a_new_episode(store: Store) {
    let w = world(store, &["32"]).await;
    let today = w.app.today();
    let (coach, worker_id) = &w.coordinators[0];
    let family_id = waiting_family(&w, "Kok").await;
    w.app
        .assign(
            &w.supervisor,
            family_id,
            &AssignInput {
                worker_id: *worker_id,
                ..Default::default()
            },
        )
        .await
        .expect("assign");
    w.app
        .start_help(
            coach,
            family_id,
            &StartInput {
                started_on: iso(today),
            },
        )
        .await
        .expect("start");
    w.app
        .close(
            coach,
            family_id,
            &CloseInput {
                closed_on: iso(today),
                reason: "moved".into(),
            },
        )
        .await
        .expect("close");

    let again = w
        .app
        .submit_referral(&w.intake, &referral(&w, "Kok", Some(10)), None)
        .await
        .expect("again");
    let matches = w
        .app
        .referral_matches(&w.supervisor, again.referral.id)
        .await
        .expect("matches");
    assert_eq!(
        matches.len(),
        1,
        "the family is recognised by name and birth date"
    );
    assert_eq!(matches[0].family_id, family_id);
    assert!(!matches[0].has_open_episode);
    let accepted = w
        .app
        .accept_referral(
            &w.supervisor,
            again.referral.id,
            &AcceptInput {
                family_id: Some(family_id),
                ..AcceptInput::default()
            },
        )
        .await
        .expect("accept onto the same family");
    assert_eq!(accepted.family_id, family_id);
    let family = w
        .app
        .family(&w.supervisor, family_id)
        .await
        .expect("family");
    assert_eq!(family.earlier_episodes.len(), 1);
    assert_eq!(
        family.episode.as_ref().map(|e| e.state),
        Some(EpisodeState::Waiting)
    );
    assert_eq!(family.members.len(), 2, "known persons are not duplicated");
    // Declining needs a reason, and a decided referral cannot be decided again.
    let third = w
        .app
        .submit_referral(&w.intake, &referral(&w, "Kok", Some(10)), None)
        .await
        .expect("third");
    assert!(matches!(
        w.app
            .decline_referral(&w.supervisor, third.referral.id, &DeclineInput::default())
            .await,
        Err(AppError::Invalid(_))
    ));
    w.app
        .decline_referral(
            &w.supervisor,
            third.referral.id,
            &DeclineInput {
                reason: "Loopt al".into(),
                version: None,
            },
        )
        .await
        .expect("decline");
    assert!(matches!(
        w.app
            .accept_referral(&w.supervisor, third.referral.id, &AcceptInput::default())
            .await,
        Err(AppError::Conflict("error-referral-decided"))
    ));
    let seen = w
        .app
        .referral(&w.intake, third.referral.id)
        .await
        .expect("intake sees");
    assert_eq!(seen.decline_reason.as_deref(), Some("Loopt al"));
}

async fn waiting_list_orders_by_urgency_then_time(store: Store) {
    let w = world(store, &["32"]).await;
    let mut urgent = referral(&w, "Urgent", Some(5));
    urgent.urgency = "crisis".into();
    let long = referral(&w, "Lang", Some(100));
    let short = referral(&w, "Kort", Some(10));
    for r in [&short, &urgent, &long] {
        let s = w
            .app
            .submit_referral(&w.intake, r, None)
            .await
            .expect("submit");
        w.app
            .accept_referral(&w.supervisor, s.referral.id, &AcceptInput::default())
            .await
            .expect("accept");
    }
    let list = w.app.waiting_list(&w.supervisor).await.expect("list");
    let order: Vec<&str> = list.iter().map(|l| l.surname.as_str()).collect();
    assert_eq!(order, vec!["Urgent", "Lang", "Kort"]);
    assert!(list[1].past_norm, "100 days is past the 9-week norm");
    assert!(!list[2].past_norm);
    assert!(matches!(
        w.app.waiting_list(&w.intake).await,
        Err(AppError::Forbidden)
    ));
}

async fn figures_hide_small_groups_and_names(store: Store) {
    let w = world(store, &["32", "32"]).await;
    let today = w.app.today();
    for i in 0..5 {
        let family_id = waiting_family(&w, &format!("F{i}")).await;
        let (coach, worker_id) = &w.coordinators[i % 2];
        w.app
            .assign(
                &w.supervisor,
                family_id,
                &AssignInput {
                    worker_id: *worker_id,
                    override_reason: Some("test".into()),
                    starts_on: None,
                },
            )
            .await
            .expect("assign");
        w.app
            .start_help(
                coach,
                family_id,
                &StartInput {
                    started_on: iso(today),
                },
            )
            .await
            .expect("start");
    }
    let analyst_email = "analist@example.nl";
    w.app
        .add_user(analyst_email, "Analist", "analyst", None, PASSWORD)
        .await
        .expect("analyst");
    let analyst = actor(&w.app, analyst_email).await;
    let figures = w
        .app
        .waiting_figures(&analyst, None, None)
        .await
        .expect("figures");
    let pilot = &figures.programmes[0];
    assert_eq!(pilot.total.count, wrapcare_core::waiting::Count::Exact(5));
    assert_eq!(pilot.total.mean_days, Some(40.0));
    let json = serde_json::to_string(&figures).expect("json");
    assert!(!json.contains("F0"), "no names in figures");
    assert!(matches!(
        w.app.family(&analyst, 1).await,
        Err(AppError::Forbidden)
    ));
}

async fn sessions_end_after_idle_time_and_on_deactivation(store: Store) {
    let w = world(store.clone(), &["32"]).await;
    let session = w
        .app
        .login("lead@example.nl", PASSWORD, Some("127.0.0.1"))
        .await
        .expect("login");
    assert!(w.app.session(&session.secret, None).await.is_ok());
    assert!(matches!(
        w.app.login("lead@example.nl", "wrong-password", None).await,
        Err(AppError::Unauthenticated)
    ));
    // Thirty-one minutes without a request: the session has ended.
    let mut tx = store.write().await.expect("tx");
    let hash = wrapcare_app::auth::sha256_hex(&session.secret);
    wrapcare_store::session::touch(&mut tx, &hash, chrono::Utc::now() - Duration::minutes(31))
        .await
        .expect("age");
    tx.commit().await.expect("commit");
    assert!(matches!(
        w.app.session(&session.secret, None).await,
        Err(AppError::Unauthenticated)
    ));
    // A deactivated login loses its sessions and tokens at once.
    let again = w
        .app
        .login("lead@example.nl", PASSWORD, None)
        .await
        .expect("login");
    let token = w.app.create_token("lead@example.nl").await.expect("token");
    assert!(w.app.token_actor(&token, None).await.is_ok());
    w.app
        .deactivate_user(None, wrapcare_app::admin::UserRef::Email("lead@example.nl"))
        .await
        .expect("deactivate");
    assert!(matches!(
        w.app.session(&again.secret, None).await,
        Err(AppError::Unauthenticated)
    ));
    assert!(matches!(
        w.app.token_actor(&token, None).await,
        Err(AppError::Unauthenticated)
    ));
    assert!(matches!(
        w.app.login("lead@example.nl", PASSWORD, None).await,
        Err(AppError::Unauthenticated)
    ));
}

wrapcare_store::on_both_databases!(
    sessions_end_after_idle_time_and_on_deactivation,
    referral_to_start_of_help,
    registration_without_indication_counts_from_received,
    bad_input_stores_nothing_and_keys_are_idempotent,
    others_get_not_found_and_the_refusal_is_logged,
    capacity_needs_a_reason_beyond_it,
    twenty_simultaneous_assignments_for_one_free_place,
    handover_is_history_and_steps_follow_the_rules,
    returning_family_gets_a_new_episode,
    waiting_list_orders_by_urgency_then_time,
    figures_hide_small_groups_and_names,
);
