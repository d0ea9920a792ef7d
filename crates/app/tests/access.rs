//! Need to know, on SQLite and PostgreSQL: a family that moved from one team to
//! another, the module import across teams, screening a known family, contacts
//! of a colleague, and emergency access. Each defect of the need-to-know issue
//! has a test here that failed before the access rule came into the domain.

use chrono::Duration;
use wrapcare_app::access::EmergencyInput;
use wrapcare_app::admin::{ProgrammeInput, WorkerInput};
use wrapcare_app::contact::{ContactInput, CorrectInput, RemoveInput};
use wrapcare_app::episode::{AssignInput, CloseInput, PhaseInput, StartInput, WithdrawInput};
use wrapcare_app::family::AccessBasis;
use wrapcare_app::module::{ModuleInput, ModuleReferralInput};
use wrapcare_app::referral::AcceptInput;
use wrapcare_app::{Actor, App, AppError, Channel, Config};
use wrapcare_core::episode::EpisodeState;
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
        .via(Channel::Api, Some("127.0.0.1".into()))
}

struct Team {
    programme_id: i64,
    supervisor: Actor,
    /// Coordinators with their worker ids.
    coaches: Vec<(Actor, i64)>,
}

struct Two {
    app: App,
    admin: Actor,
    intake: Actor,
    amersfoort: Team,
    zeeland: Team,
}

async fn team(app: &App, admin: &Actor, name: &str, org: i64) -> Team {
    let today = app.today();
    let programme_id = app
        .create_programme(
            admin,
            &ProgrammeInput {
                name: format!("Programma {name}"),
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
        .create_team(admin, name, &programme_id.to_string())
        .await
        .expect("team");
    let lower = name.to_lowercase();
    let lead = format!("lead-{lower}@example.nl");
    app.add_user(&lead, "Lead", "supervisor", Some(team_id), PASSWORD)
        .await
        .expect("lead");
    let mut coaches = Vec::new();
    for i in 0..2 {
        let email = format!("coach{i}-{lower}@example.nl");
        app.add_user(&email, "Coach", "coordinator", Some(team_id), PASSWORD)
            .await
            .expect("coach");
        let worker = app
            .create_worker(
                admin,
                &WorkerInput {
                    name: format!("Coach {i} {name}"),
                    team_id: team_id.to_string(),
                    home_organisation_id: org.to_string(),
                    job: "coordinator".into(),
                    user_email: email.clone(),
                    hours_per_week: "32".into(),
                    starts_on: iso(today - Duration::days(700)),
                },
            )
            .await
            .expect("worker");
        coaches.push((actor(app, &email).await, worker));
    }
    Team {
        programme_id,
        supervisor: actor(app, &lead).await,
        coaches,
    }
}

async fn two_teams(store: Store) -> Two {
    let app = App::new(store, Config::default());
    app.add_user("admin@example.nl", "Admin", "admin", None, PASSWORD)
        .await
        .expect("admin");
    app.add_user("intake@example.nl", "Intake", "intake", None, PASSWORD)
        .await
        .expect("intake");
    let admin = actor(&app, "admin@example.nl").await;
    let org = app.create_organisation(&admin, "MEE").await.expect("org");
    let amersfoort = team(&app, &admin, "Amersfoort", org).await;
    let zeeland = team(&app, &admin, "Zeeland", org).await;
    Two {
        intake: actor(&app, "intake@example.nl").await,
        app,
        admin,
        amersfoort,
        zeeland,
    }
}

fn referral_to(programme_id: i64, today: chrono::NaiveDate, street: &str) -> ReferralInput {
    ReferralInput {
        programme_id: programme_id.to_string(),
        source: "cjg".into(),
        referrer_name: "R. Verwijzer".into(),
        referrer_contact: "033-1234567".into(),
        received_on: iso(today - Duration::days(20)),
        urgency: "normal".into(),
        reason: "Vastgelopen".into(),
        address: street.into(),
        postcode: "1234 AB".into(),
        city: "Amersfoort".into(),
        phone: "06-12345678".into(),
        members: vec![
            MemberInput {
                given_name: "Anna".into(),
                family_name: "Verhuisd".into(),
                role: "parent".into(),
                parental_authority: true,
                birth_date: "1985-02-03".into(),
                ..Default::default()
            },
            MemberInput {
                given_name: "Sem".into(),
                family_name: "Verhuisd".into(),
                role: "child".into(),
                birth_date: "2015-06-01".into(),
                ..Default::default()
            },
        ],
        ..Default::default()
    }
}

/// A family cared for and closed in Amersfoort, then accepted, assigned and in
/// care in Zeeland (linked to the same family). Returns the family id.
async fn moved_family(w: &Two) -> i64 {
    let today = w.app.today();
    let first = w
        .app
        .submit_referral(
            &w.intake,
            &referral_to(w.amersfoort.programme_id, today, "Oude Straat 1"),
            None,
        )
        .await
        .expect("submit");
    let family_id = w
        .app
        .accept_referral(
            &w.amersfoort.supervisor,
            first.referral.id,
            &AcceptInput::default(),
        )
        .await
        .expect("accept")
        .family_id;
    let (coach, worker) = &w.amersfoort.coaches[0];
    w.app
        .assign(
            &w.amersfoort.supervisor,
            family_id,
            &AssignInput {
                worker_id: *worker,
                starts_on: None,
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
        .log_contact(coach, family_id, &contact(today))
        .await
        .expect("contact in Amersfoort");
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

    let second = w
        .app
        .submit_referral(
            &w.intake,
            &referral_to(w.zeeland.programme_id, today, "Nieuwe Weg 9"),
            None,
        )
        .await
        .expect("submit again");
    let matches = w
        .app
        .referral_matches(&w.zeeland.supervisor, second.referral.id)
        .await
        .expect("matches");
    assert_eq!(matches.len(), 1);
    w.app
        .accept_referral(
            &w.zeeland.supervisor,
            second.referral.id,
            &AcceptInput {
                family_id: Some(family_id),
                ..AcceptInput::default()
            },
        )
        .await
        .expect("link");
    let (zcoach, zworker) = &w.zeeland.coaches[0];
    w.app
        .assign(
            &w.zeeland.supervisor,
            family_id,
            &AssignInput {
                worker_id: *zworker,
                ..Default::default()
            },
        )
        .await
        .expect("assign in Zeeland");
    w.app
        .start_help(
            zcoach,
            family_id,
            &StartInput {
                started_on: iso(today),
            },
        )
        .await
        .expect("start in Zeeland");
    family_id
}

fn contact(on: chrono::NaiveDate) -> ContactInput {
    ContactInput {
        contact_on: iso(on),
        minutes: "90".into(),
        kind: "home_visit".into(),
        participants: "moeder".into(),
        note: "Huisbezoek, afspraken over school".into(),
    }
}

/// Defect 1: the supervisor of the team of an earlier episode read and changed
/// the family's open episode in another team.
async fn an_earlier_team_cannot_touch_the_new_teams_episode(store: Store) {
    let w = two_teams(store).await;
    let family_id = moved_family(&w).await;
    let old = &w.amersfoort.supervisor;
    let before = w
        .app
        .family(&w.zeeland.supervisor, family_id)
        .await
        .expect("Zeeland reads");
    let zeeland_episode = before.episode.clone().expect("episode");
    assert_eq!(zeeland_episode.state, EpisodeState::InCare);

    // Reading: only Amersfoort's own closed episode, nothing of Zeeland's.
    let seen = w.app.family(old, family_id).await.expect("own episode");
    let own = seen.episode.as_ref().expect("episode");
    assert_ne!(own.id, zeeland_episode.id);
    assert_eq!(own.state, EpisodeState::Closed);
    assert!(seen.earlier_episodes.is_empty() && seen.other_episodes.is_empty());
    let json = serde_json::to_string(&seen).expect("json");
    assert!(!json.contains("Zeeland"), "nothing of the new team: {json}");

    // Changing: every step lands on the own closed episode and is refused.
    let today = iso(w.app.today());
    let not_open = |r: Result<_, AppError>| {
        assert!(
            matches!(r, Err(AppError::Conflict("error-episode-not-open"))),
            "{r:?}"
        )
    };
    not_open(
        w.app
            .withdraw(
                old,
                family_id,
                &WithdrawInput {
                    withdrawn_on: None,
                    reason: "dubbel".into(),
                },
            )
            .await
            .map(|_| ()),
    );
    not_open(
        w.app
            .close(
                old,
                family_id,
                &CloseInput {
                    closed_on: today.clone(),
                    reason: "other".into(),
                },
            )
            .await
            .map(|_| ()),
    );
    not_open(
        w.app
            .change_phase(
                old,
                family_id,
                &PhaseInput {
                    phase: 2,
                    starts_on: None,
                },
            )
            .await
            .map(|_| ()),
    );
    not_open(
        w.app
            .assign(
                old,
                family_id,
                &AssignInput {
                    worker_id: w.zeeland.coaches[1].1,
                    ..Default::default()
                },
            )
            .await
            .map(|_| ()),
    );
    assert!(matches!(
        w.app
            .start_help(
                old,
                family_id,
                &StartInput {
                    started_on: today.clone()
                }
            )
            .await,
        Err(AppError::Conflict(_))
    ));
    assert!(matches!(
        w.app
            .log_contact(old, family_id, &contact(w.app.today()))
            .await,
        Err(AppError::Conflict("error-episode-not-open") | AppError::Forbidden)
    ));
    assert!(matches!(
        w.app
            .request_module(
                old,
                family_id,
                &ModuleReferralInput {
                    module_id: "1".into(),
                    children: vec![1],
                    requested_on: today.clone(),
                    ..Default::default()
                }
            )
            .await,
        Err(AppError::Conflict("error-episode-not-open"))
    ));
    assert!(matches!(
        w.app
            .plan_of_episode(old, family_id, Some(zeeland_episode.id))
            .await,
        Err(AppError::NotFound)
    ));
    let after = w
        .app
        .family(&w.zeeland.supervisor, family_id)
        .await
        .expect("Zeeland reads");
    let unchanged = after.episode.expect("episode");
    assert_eq!(
        unchanged.version, zeeland_episode.version,
        "nothing changed"
    );
    assert_eq!(unchanged.phase, zeeland_episode.phase);
    assert_eq!(
        unchanged.coordinator.map(|c| c.worker_id),
        Some(w.zeeland.coaches[0].1)
    );
    // The new team sees the earlier team's episode as one summary line only.
    assert!(after.earlier_episodes.is_empty());
    assert_eq!(after.other_episodes.len(), 1);
    assert_eq!(
        after.other_episodes[0].programme_name,
        "Programma Amersfoort"
    );
    // Amersfoort's own timeline shows its notes; Zeeland's, read next, does not.
    let own = w.app.timeline(old, family_id).await.expect("own timeline");
    let own = serde_json::to_string(&own).expect("json");
    assert!(
        own.contains("afspraken over school"),
        "Amersfoort's own notes"
    );
    let timeline = w
        .app
        .timeline(&w.zeeland.supervisor, family_id)
        .await
        .expect("timeline");
    let json = serde_json::to_string(&timeline).expect("json");
    assert!(
        !json.contains("afspraken over school"),
        "Amersfoort's contact notes stay with Amersfoort"
    );
    let contacts = w
        .app
        .contacts(&w.zeeland.supervisor, family_id)
        .await
        .expect("contacts");
    assert!(contacts.entries.is_empty());
}

/// Defect 2: a supervisor's import changed another team's module referrals.
async fn the_import_answers_unknown_for_another_teams_reference(store: Store) {
    let w = two_teams(store).await;
    let family_id = moved_family(&w).await;
    let provider = w
        .app
        .create_organisation(&w.admin, "Juvent")
        .await
        .expect("provider");
    let module_id = w
        .app
        .create_module(
            &w.admin,
            &ModuleInput {
                organisation_id: provider.to_string(),
                name: "Dagbehandeling".into(),
                code: "JUV-DB".into(),
                module_type: "day_treatment".into(),
                unit: "day".into(),
                places: "6".into(),
                active: String::new(),
            },
        )
        .await
        .expect("module");
    let (zcoach, _) = &w.zeeland.coaches[0];
    let modules = w
        .app
        .module_referrals(zcoach, family_id)
        .await
        .expect("modules");
    let child = modules.children[0].person_id;
    let view = w
        .app
        .request_module(
            zcoach,
            family_id,
            &ModuleReferralInput {
                module_id: module_id.to_string(),
                children: vec![child],
                requested_on: iso(w.app.today()),
                ..Default::default()
            },
        )
        .await
        .expect("request");
    let reference = format!("M-{}", view.referrals[0].id);
    let csv = |r: &str| {
        format!(
            "provider,module,reference,event,date,units,reason\nJuvent,JUV-DB,{r},start,{},,\n",
            iso(w.app.today())
        )
    };
    let answer = |r: Result<_, AppError>| match r {
        Err(AppError::Invalid(i)) => {
            i.0.iter()
                .map(|e| format!("{}={}", e.field, e.key))
                .collect::<Vec<_>>()
        }
        other => panic!("expected refused lines, got {other:?}"),
    };
    let foreign = answer(
        w.app
            .import_modules(&w.amersfoort.supervisor, &csv(&reference), &|_, _| {})
            .await,
    );
    let missing = answer(
        w.app
            .import_modules(&w.amersfoort.supervisor, &csv("M-99999"), &|_, _| {})
            .await,
    );
    assert_eq!(
        foreign,
        vec!["lines[2].reference=error-import-unknown-reference"]
    );
    assert_eq!(foreign, missing, "another team's reference looks missing");
    let after = w
        .app
        .module_referrals(zcoach, family_id)
        .await
        .expect("modules");
    assert!(after.referrals[0].started_on.is_none(), "nothing started");
    let log = wrapcare_store::testing::access_log(w.app.store(), Some(family_id), 200).await;
    assert!(log.iter().any(|e| e.action == "module.import"
        && e.outcome == "refused"
        && e.user_id == Some(w.amersfoort.supervisor.user_id)));
    // The own team's supervisor imports it.
    let report = w
        .app
        .import_modules(&w.zeeland.supervisor, &csv(&reference), &|_, _| {})
        .await
        .expect("own team");
    assert_eq!(report.started, 1);
}

/// Defect 3: screening showed other teams' families by name and place, and
/// linking opened their earlier episodes. The referral's new address is offered.
async fn screening_shows_a_known_family_without_its_file(store: Store) {
    let w = two_teams(store).await;
    let today = w.app.today();
    let first = w
        .app
        .submit_referral(
            &w.intake,
            &referral_to(w.amersfoort.programme_id, today, "Oude Straat 1"),
            None,
        )
        .await
        .expect("submit");
    let family_id = w
        .app
        .accept_referral(
            &w.amersfoort.supervisor,
            first.referral.id,
            &AcceptInput::default(),
        )
        .await
        .expect("accept")
        .family_id;
    w.app
        .withdraw(
            &w.amersfoort.supervisor,
            family_id,
            &WithdrawInput {
                withdrawn_on: None,
                reason: "Gezin wilde nog niet".into(),
            },
        )
        .await
        .expect("withdraw");
    let mut moved = referral_to(w.zeeland.programme_id, today, "Nieuwe Weg 9");
    moved.phone = "0118-999999".into();
    let second = w
        .app
        .submit_referral(&w.intake, &moved, None)
        .await
        .expect("again");
    let matches = w
        .app
        .referral_matches(&w.zeeland.supervisor, second.referral.id)
        .await
        .expect("matches");
    assert_eq!(matches.len(), 1);
    let m = &matches[0];
    assert_eq!(m.earlier_episodes, 1);
    assert_eq!(m.last_closed_on, Some(today));
    assert!(m.address_differs && m.phone_differs);
    let json = serde_json::to_string(&matches).expect("json");
    assert!(
        !json.contains("Oude Straat"),
        "no address of the known family"
    );
    assert!(!json.contains("Gezin wilde"), "no reason of another team");
    w.app
        .accept_referral(
            &w.zeeland.supervisor,
            second.referral.id,
            &AcceptInput {
                family_id: Some(family_id),
                update_address: true,
                update_phone: false,
                ..AcceptInput::default()
            },
        )
        .await
        .expect("link");
    let file = w
        .app
        .family(&w.zeeland.supervisor, family_id)
        .await
        .expect("the new team's file");
    assert_eq!(file.address.as_deref(), Some("Nieuwe Weg 9"));
    assert_eq!(file.phone.as_deref(), Some("06-12345678"), "phone kept");
    assert_eq!(
        file.members.len(),
        2,
        "the family's persons, not duplicated"
    );
    assert!(file.earlier_episodes.is_empty());
    assert_eq!(file.other_episodes.len(), 1);
    assert_eq!(file.other_episodes[0].state, EpisodeState::Withdrawn);
    let json = serde_json::to_string(&file).expect("json");
    assert!(!json.contains("Gezin wilde"), "the withdrawal reason stays");
    // The earlier team's referral record stays with the earlier team.
    assert!(matches!(
        w.app
            .referral(&w.zeeland.supervisor, first.referral.id)
            .await,
        Err(AppError::NotFound)
    ));
}

/// Defect 4: any coordinator of the episode could correct or remove a
/// colleague's entries.
async fn only_the_author_amends_a_contact(store: Store) {
    let w = two_teams(store).await;
    let family_id = moved_family(&w).await;
    let today = w.app.today();
    let (first, _) = &w.zeeland.coaches[0];
    let (second, second_worker) = &w.zeeland.coaches[1];
    let logged = w
        .app
        .log_contact(first, family_id, &contact(today))
        .await
        .expect("log");
    let entry = logged.entries[0].clone();
    w.app
        .assign(
            &w.zeeland.supervisor,
            family_id,
            &AssignInput {
                worker_id: *second_worker,
                ..Default::default()
            },
        )
        .await
        .expect("handover");
    let corrected = w
        .app
        .correct_contact(
            second,
            family_id,
            entry.id,
            &CorrectInput {
                contact: contact(today),
                reason: "te lang".into(),
                version: entry.version,
            },
        )
        .await;
    assert!(
        matches!(
            corrected,
            Err(AppError::Conflict("error-contact-not-yours"))
        ),
        "{corrected:?}"
    );
    let removed = w
        .app
        .remove_contact(
            second,
            family_id,
            entry.id,
            &RemoveInput {
                reason: "dubbel".into(),
                version: entry.version,
            },
        )
        .await;
    assert!(matches!(
        removed,
        Err(AppError::Conflict("error-contact-not-yours"))
    ));
    // The supervisor does not rewrite a coordinator's hours either.
    assert!(
        w.app
            .remove_contact(
                &w.zeeland.supervisor,
                family_id,
                entry.id,
                &RemoveInput {
                    reason: "dubbel".into(),
                    version: entry.version,
                },
            )
            .await
            .is_err()
    );
    let still = w.app.contacts(second, family_id).await.expect("contacts");
    assert_eq!(still.entries.len(), 1);
    assert_eq!(still.used_minutes, 90);
}

/// Breaking the glass: a reason, read-only, 24 hours, logged, and shown to the
/// family's own team.
async fn emergency_access_reads_and_is_shown_to_the_team(store: Store) {
    let w = two_teams(store).await;
    let family_id = moved_family(&w).await;
    let (outsider, _) = &w.amersfoort.coaches[1];
    assert!(matches!(
        w.app.family(outsider, family_id).await,
        Err(AppError::NotFound)
    ));
    for reason in ["", "   "] {
        assert!(matches!(
            w.app
                .break_glass(
                    outsider,
                    family_id,
                    &EmergencyInput {
                        reason: reason.into()
                    }
                )
                .await,
            Err(AppError::Invalid(_))
        ));
    }
    assert!(matches!(
        w.app
            .break_glass(
                &w.intake,
                family_id,
                &EmergencyInput {
                    reason: "nood".into()
                }
            )
            .await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        w.app
            .break_glass(
                outsider,
                999_999,
                &EmergencyInput {
                    reason: "nood".into()
                }
            )
            .await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        w.app
            .break_glass(
                &w.zeeland.supervisor,
                family_id,
                &EmergencyInput {
                    reason: "nood".into()
                }
            )
            .await,
        Err(AppError::Conflict("error-emergency-not-needed"))
    ));
    let granted = w
        .app
        .break_glass(
            outsider,
            family_id,
            &EmergencyInput {
                reason: "Crisis 's nachts, coördinator onbereikbaar".into(),
            },
        )
        .await
        .expect("granted");
    let hours = (granted.expires_at - granted.granted_at).num_hours();
    assert_eq!(hours, 24);
    let file = w.app.family(outsider, family_id).await.expect("reads now");
    assert_eq!(file.access.basis, AccessBasis::Emergency);
    assert!(file.emergency_accesses.is_empty(), "the list is the team's");
    assert!(matches!(
        w.app
            .log_contact(outsider, family_id, &contact(w.app.today()))
            .await,
        Err(AppError::Forbidden)
    ));
    let team_view = w
        .app
        .family(&w.zeeland.supervisor, family_id)
        .await
        .expect("team");
    assert_eq!(team_view.emergency_accesses.len(), 1);
    assert!(team_view.emergency_accesses[0].reason.starts_with("Crisis"));
    assert!(
        w.app
            .family(&w.amersfoort.supervisor, family_id)
            .await
            .expect("earlier team")
            .emergency_accesses
            .is_empty(),
        "not the earlier team's business"
    );
    let log = wrapcare_store::testing::access_log(w.app.store(), Some(family_id), 200).await;
    let under_emergency: Vec<_> = log
        .iter()
        .filter(|e| e.user_id == Some(outsider.user_id) && e.outcome == "allowed")
        .collect();
    assert!(under_emergency.iter().any(|e| e.action == "family.read"));
    assert!(
        under_emergency
            .iter()
            .all(|e| e.emergency_access_id == Some(granted.id))
    );
    assert!(log.iter().any(|e| e.user_id == Some(outsider.user_id)
        && e.outcome == "refused"
        && e.action == "contact.log"));
}

/// After a family moved to another team, the new team's supervisor reviews
/// what happens to its file, the earlier team's no longer; the privacy officer
/// reviews all of it. A review is no look at the family's file.
async fn the_current_team_reviews_a_moved_familys_access(store: Store) {
    use wrapcare_core::access_log::ReviewInput;
    let w = two_teams(store).await;
    let family_id = moved_family(&w).await;
    w.app
        .family(&w.zeeland.supervisor, family_id)
        .await
        .expect("Zeeland reads");
    w.app
        .add_user(
            "privacy@example.nl",
            "Pia Privé",
            "privacy_officer",
            None,
            "privacy-password-1",
        )
        .await
        .expect("privacy officer");
    let privacy = actor(&w.app, "privacy@example.nl").await;
    let asked = ReviewInput {
        family: Some(family_id.to_string()),
        ..ReviewInput::default()
    };
    let entries_of = |r: &wrapcare_app::access_log::AccessReview| r.entries.len();
    let zeeland = w
        .app
        .review_access_log(&w.zeeland.supervisor, &asked)
        .await
        .expect("Zeeland reviews");
    assert!(entries_of(&zeeland) > 0, "the new team sees its family");
    let amersfoort = w
        .app
        .review_access_log(&w.amersfoort.supervisor, &asked)
        .await
        .expect("Amersfoort reviews");
    assert_eq!(
        entries_of(&amersfoort),
        0,
        "the earlier team sees none of it"
    );
    let all = w
        .app
        .review_access_log(&privacy, &asked)
        .await
        .expect("privacy officer reviews");
    assert!(entries_of(&all) >= entries_of(&zeeland));
    // The reviews themselves are not entries about the family.
    let again = w
        .app
        .review_access_log(&privacy, &asked)
        .await
        .expect("again");
    assert_eq!(entries_of(&again), entries_of(&all));
    assert!(again.users.iter().all(|u| u.id != privacy.user_id));
    // Who never reviews: refused, and logged.
    for who in [&w.admin, &w.intake, &w.amersfoort.coaches[0].0] {
        assert!(matches!(
            w.app.review_access_log(who, &asked).await,
            Err(AppError::Forbidden)
        ));
    }
}

wrapcare_store::on_both_databases!(
    an_earlier_team_cannot_touch_the_new_teams_episode,
    the_import_answers_unknown_for_another_teams_reference,
    screening_shows_a_known_family_without_its_file,
    only_the_author_amends_a_contact,
    emergency_access_reads_and_is_shown_to_the_team,
    the_current_team_reviews_a_moved_familys_access,
);
