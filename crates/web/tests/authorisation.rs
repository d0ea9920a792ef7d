//! The authorisation matrix, on SQLite and PostgreSQL: every route the router
//! answers (taken from the router's own record, so a new route without a row
//! here fails the test) × every kind of actor × every situation of a family.
//!
//! Each cell asserts the exact status. A refusal must show nothing of the file
//! (its surname, street, notes) and leave an entry in the access log; a refused
//! change must leave every table as it was. An allowed change is sent with a
//! valid body to a family freshly brought into the same situation, so that it
//! can succeed; an allowed change that does not fit the situation (closing a
//! closed episode) must be refused without changing anything.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::Duration;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use wrapcare_app::access::EmergencyInput;
use wrapcare_app::admin::{ProgrammeInput, WorkerInput};
use wrapcare_app::contact::ContactInput;
use wrapcare_app::episode::{AssignInput, CloseInput, StartInput};
use wrapcare_app::module::{ModuleInput, ModuleReferralInput, ModuleStepInput, TariffInput};
use wrapcare_app::plan::{AgreeInput, GoalInput, PlanInput};
use wrapcare_app::referral::AcceptInput;
use wrapcare_app::{Actor, App, Config};
use wrapcare_core::referral::{MemberInput, ReferralInput};
use wrapcare_store::Store;
use wrapcare_web::{AppState, router};

const PASSWORD: &str = "matrix-test-password";

// ------------------------------------------------------------------ the cast

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Situation {
    /// Accepted and assigned (handed over once), help not started yet.
    Waiting,
    /// Help started: a plan agreed, contacts, a module requested and one started.
    InCare,
    /// As in care, then closed.
    Closed,
    /// Closed in team A, then accepted and in care in team B.
    Moved,
}

const SITUATIONS: [Situation; 4] = [
    Situation::Waiting,
    Situation::InCare,
    Situation::Closed,
    Situation::Moved,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Admin,
    /// The supervisor of the team of the family's current episode.
    TeamSupervisor,
    /// A supervisor of a team that never had the family.
    OtherSupervisor,
    /// The supervisor of the team of an earlier episode (only when moved).
    EarlierSupervisor,
    /// The coordinator of the current episode (of the last one when closed).
    Coordinator,
    /// The coordinator who handed the family over.
    PreviousCoordinator,
    /// A coordinator of the same team who coordinates another family.
    OtherCoordinator,
    Intake,
    Analyst,
    /// Reviews the access log; opens no file.
    PrivacyOfficer,
    Anonymous,
    /// A coordinator of another team who broke the glass for this family.
    Emergency,
}

const EVERYONE: [Who; 12] = [
    Who::Admin,
    Who::TeamSupervisor,
    Who::OtherSupervisor,
    Who::EarlierSupervisor,
    Who::Coordinator,
    Who::PreviousCoordinator,
    Who::OtherCoordinator,
    Who::Intake,
    Who::Analyst,
    Who::PrivacyOfficer,
    Who::Anonymous,
    Who::Emergency,
];

struct User {
    email: String,
    actor: Actor,
    cookie: String,
    csrf: String,
    token: String,
}

struct Team {
    programme_id: i64,
    team_id: i64,
    supervisor: User,
    /// Coordinators with their worker ids.
    coaches: Vec<(User, i64)>,
}

/// A family brought into a situation, with the ids its routes need.
#[derive(Debug, Clone)]
struct Family {
    id: i64,
    surname: String,
    street: String,
    note: String,
    contact_id: i64,
    /// An open one-time link of the current episode.
    link_id: i64,
    contact_version: i64,
    /// A module referral requested, and one started (0 when waiting).
    requested_module: i64,
    started_module: i64,
    requested_version: i64,
    started_version: i64,
    goal_key: String,
    plan_version: i64,
    /// The family's children (person ids), for a module referral.
    children: Vec<i64>,
    /// A coordinator of the current team the family may be handed over to.
    free_worker: i64,
}

struct World {
    app: App,
    router: Router,
    admin: User,
    intake: User,
    analyst: User,
    privacy_officer: User,
    a: Team,
    b: Team,
    c: Team,
    module_id: i64,
    /// A user and a worker the administrator's routes may change.
    spare_user: i64,
    spare_worker: i64,
    /// A referral to team A's programme nobody has screened yet.
    referral_id: i64,
    serial: std::sync::atomic::AtomicUsize,
    /// Requests the matrix sent, for its report.
    sent: std::sync::atomic::AtomicUsize,
}

fn iso(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

async fn user(app: &App, email: &str) -> User {
    let session = app.login(email, PASSWORD, None).await.expect("login");
    User {
        email: email.to_string(),
        actor: session.actor.clone(),
        cookie: format!("wc_session={}", session.secret),
        csrf: session.csrf_token,
        token: app.create_token(email).await.expect("token"),
    }
}

async fn team(app: &App, admin: &Actor, name: &str, org: i64, coaches: usize) -> Team {
    let today = app.today();
    let programme_id = app
        .create_programme(
            admin,
            &ProgrammeInput {
                name: format!("Programma {name}"),
                starts_on: iso(today - Duration::days(800)),
                ends_on: String::new(),
                families_per_fte: "40".into(),
                budget_hours_per_family: "200".into(),
                weekly_hours_per_family: "0,5".into(),
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
    let mut list = Vec::new();
    for i in 0..coaches {
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
        list.push((user(app, &email).await, worker));
    }
    Team {
        programme_id,
        team_id,
        supervisor: user(app, &lead).await,
        coaches: list,
    }
}

fn referral(
    programme_id: i64,
    today: chrono::NaiveDate,
    surname: &str,
    street: &str,
) -> ReferralInput {
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
                family_name: surname.into(),
                role: "parent".into(),
                parental_authority: true,
                birth_date: "1985-02-03".into(),
                ..Default::default()
            },
            MemberInput {
                given_name: "Sem".into(),
                family_name: surname.into(),
                role: "child".into(),
                birth_date: "2015-06-01".into(),
                ..Default::default()
            },
        ],
        ..Default::default()
    }
}

async fn world(store: Store) -> World {
    let app = App::new(
        store,
        Config {
            login_attempts_per_minute: 1000,
            login_attempts_per_address_per_minute: 1000,
            ..Config::default()
        },
    );
    for (email, role) in [
        ("admin@example.nl", "admin"),
        ("intake@example.nl", "intake"),
        ("analyst@example.nl", "analyst"),
        ("privacy@example.nl", "privacy_officer"),
    ] {
        app.add_user(email, role, role, None, PASSWORD)
            .await
            .expect("user");
    }
    let admin = user(&app, "admin@example.nl").await;
    let org = app
        .create_organisation(&admin.actor, "MEE")
        .await
        .expect("org");
    let provider_id = app
        .create_organisation(&admin.actor, "Zorgaanbieder Oost")
        .await
        .expect("provider");
    let a = team(&app, &admin.actor, "Amersfoort", org, 3).await;
    let b = team(&app, &admin.actor, "Zeeland", org, 2).await;
    let c = team(&app, &admin.actor, "Utrecht", org, 1).await;
    let today = app.today();
    let module_id = app
        .create_module_with_tariff(
            &admin.actor,
            &ModuleInput {
                organisation_id: provider_id.to_string(),
                name: "Dagbehandeling".into(),
                code: "DB-1".into(),
                module_type: "day_treatment".into(),
                unit: "day".into(),
                places: "40".into(),
                active: String::new(),
            },
            &TariffInput {
                valid_from: iso(today - Duration::days(400)),
                tariff_cents: "9500".into(),
                tariff_euros: String::new(),
            },
        )
        .await
        .expect("module");
    let intake = user(&app, "intake@example.nl").await;
    let referral_id = app
        .submit_referral(
            &intake.actor,
            &referral(a.programme_id, today, "Wachtrij", "Wachtstraat 1"),
            None,
        )
        .await
        .expect("referral")
        .referral
        .id;
    app.add_user("spare@example.nl", "Reserve", "intake", None, PASSWORD)
        .await
        .expect("spare");
    let spare_user = app
        .cli_actor("spare@example.nl")
        .await
        .expect("spare actor")
        .user_id;
    let spare_worker = app
        .create_worker(
            &admin.actor,
            &WorkerInput {
                name: "Reserve".into(),
                team_id: c.team_id.to_string(),
                home_organisation_id: org.to_string(),
                job: "coordinator".into(),
                user_email: String::new(),
                hours_per_week: "16".into(),
                starts_on: iso(today - Duration::days(300)),
            },
        )
        .await
        .expect("spare worker");
    let router = router(AppState::new(app.clone(), false));
    let w = World {
        analyst: user(&app, "analyst@example.nl").await,
        privacy_officer: user(&app, "privacy@example.nl").await,
        intake,
        app,
        router,
        admin,
        a,
        b,
        c,
        module_id,
        spare_user,
        spare_worker,
        referral_id,
        serial: Default::default(),
        sent: Default::default(),
    };
    // The other coordinator of team A has a family of their own.
    let other = w.accepted(&w.a, "Anders", "Elders 1").await;
    w.app
        .assign(
            &w.a.supervisor.actor,
            other,
            &AssignInput {
                worker_id: w.a.coaches[2].1,
                override_reason: Some("Testmatrix".into()),
                ..Default::default()
            },
        )
        .await
        .expect("assign other");
    w
}

impl World {
    fn today(&self) -> String {
        iso(self.app.today())
    }

    async fn accepted(&self, team: &Team, surname: &str, street: &str) -> i64 {
        let today = self.app.today();
        let submitted = self
            .app
            .submit_referral(
                &self.intake.actor,
                &referral(team.programme_id, today, surname, street),
                None,
            )
            .await
            .expect("submit");
        self.app
            .accept_referral(
                &team.supervisor.actor,
                submitted.referral.id,
                &AcceptInput::default(),
            )
            .await
            .expect("accept")
            .family_id
    }

    async fn assign(&self, team: &Team, family_id: i64, coach: usize) {
        self.app
            .assign(
                &team.supervisor.actor,
                family_id,
                &AssignInput {
                    worker_id: team.coaches[coach].1,
                    override_reason: Some("Testmatrix".into()),
                    ..Default::default()
                },
            )
            .await
            .expect("assign");
    }

    /// Assigned to coach 0, handed over to coach 1; a contact of coach 1 and a
    /// plan with one goal (agreed when `agree`).
    async fn assigned(&self, team: &Team, family_id: i64, note: &str, start: bool) {
        self.assign(team, family_id, 0).await;
        self.assign(team, family_id, 1).await;
        let coach = &team.coaches[1].0.actor;
        if start {
            self.app
                .start_help(
                    coach,
                    family_id,
                    &StartInput {
                        started_on: self.today(),
                    },
                )
                .await
                .expect("start");
        }
        self.app
            .log_contact(
                coach,
                family_id,
                &ContactInput {
                    contact_on: self.today(),
                    minutes: "5".into(),
                    kind: "home_visit".into(),
                    participants: "moeder".into(),
                    note: note.into(),
                },
            )
            .await
            .expect("contact");
        self.app
            .save_plan(
                coach,
                family_id,
                &PlanInput {
                    version: 0,
                    vision: format!("Visie {note}"),
                    goals: vec![GoalInput {
                        domain: "school".into(),
                        description: "Naar school".into(),
                        baseline: "-1".into(),
                        ..Default::default()
                    }],
                    ..Default::default()
                },
            )
            .await
            .expect("plan");
        if start {
            let plan = self.app.plan(coach, family_id).await.expect("plan");
            let version = plan.current.expect("draft").version;
            self.app
                .agree_plan(
                    coach,
                    family_id,
                    &AgreeInput {
                        agreed_by: "Anna".into(),
                        agreed_on: self.today(),
                        how: "in_person".into(),
                        version,
                    },
                )
                .await
                .expect("agree");
            let modules = self
                .app
                .module_referrals(coach, family_id)
                .await
                .expect("modules");
            let child = modules.children[0].person_id;
            let goal = modules.goals[0].key.clone();
            for _ in 0..2 {
                self.app
                    .request_module(
                        coach,
                        family_id,
                        &ModuleReferralInput {
                            module_id: self.module_id.to_string(),
                            children: vec![child],
                            goal_key: goal.clone(),
                            requested_on: self.today(),
                            note: String::new(),
                        },
                    )
                    .await
                    .expect("request module");
            }
            let modules = self
                .app
                .module_referrals(coach, family_id)
                .await
                .expect("modules");
            let first = modules.referrals.iter().map(|r| r.id).min().expect("one");
            self.app
                .start_module(
                    coach,
                    family_id,
                    first,
                    &ModuleStepInput {
                        on: self.today(),
                        reason: String::new(),
                        version: 1,
                    },
                )
                .await
                .expect("start module");
        }
    }

    async fn close(&self, team: &Team, family_id: i64) {
        self.app
            .close(
                &team.coaches[1].0.actor,
                family_id,
                &CloseInput {
                    closed_on: self.today(),
                    reason: "goals_reached".into(),
                },
            )
            .await
            .expect("close");
    }

    /// A new family in the situation, with a surname nobody else has.
    async fn family(&self, situation: Situation) -> Family {
        let n = self
            .serial
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let surname = format!("Matrixgezin{n}x");
        let street = format!("Geheimstraat {n}");
        let note = format!("Vertrouwelijk{n}x");
        let id = self.accepted(&self.a, &surname, &street).await;
        match situation {
            Situation::Waiting => self.assigned(&self.a, id, &note, false).await,
            Situation::InCare => self.assigned(&self.a, id, &note, true).await,
            Situation::Closed => {
                self.assigned(&self.a, id, &note, true).await;
                self.close(&self.a, id).await;
            }
            Situation::Moved => {
                self.assigned(&self.a, id, &note, true).await;
                self.close(&self.a, id).await;
                let submitted = self
                    .app
                    .submit_referral(
                        &self.intake.actor,
                        &referral(self.b.programme_id, self.app.today(), &surname, &street),
                        None,
                    )
                    .await
                    .expect("submit again");
                self.app
                    .accept_referral(
                        &self.b.supervisor.actor,
                        submitted.referral.id,
                        &AcceptInput {
                            family_id: Some(id),
                            ..AcceptInput::default()
                        },
                    )
                    .await
                    .expect("link");
                self.assigned(&self.b, id, &note, true).await;
            }
        }
        let team = if situation == Situation::Moved {
            &self.b
        } else {
            &self.a
        };
        // Read back as the team's supervisor: the ids the routes need.
        let lead = &team.supervisor.actor;
        let contacts = self.app.contacts(lead, id).await.expect("contacts");
        let contact = contacts.entries.first().expect("a contact");
        let plan = self.app.plan(lead, id).await.expect("plan");
        let current = plan.current.expect("a plan");
        let modules = self.app.module_referrals(lead, id).await.expect("modules");
        let find = |started: bool| {
            modules
                .referrals
                .iter()
                .find(|r| r.started_on.is_some() == started)
                .map_or((0, 0), |r| (r.id, r.version))
        };
        let (requested_module, requested_version) = find(false);
        let (started_module, started_version) = find(true);
        for who in [Who::Emergency] {
            let emergency = self.user(who, situation).expect("emergency user");
            self.app
                .break_glass(
                    &emergency.actor,
                    id,
                    &EmergencyInput {
                        reason: "Crisismelding buiten kantooruren".into(),
                    },
                )
                .await
                .expect("break the glass");
        }
        let link_id = self.open_link(id, lead).await;
        Family {
            id,
            surname,
            street,
            note,
            contact_id: contact.id,
            link_id,
            contact_version: contact.version,
            requested_module,
            started_module,
            requested_version,
            started_version,
            goal_key: current.content.goals[0].key.clone(),
            children: modules.children.iter().map(|c| c.person_id).collect(),
            plan_version: current.version,
            free_worker: team.coaches[0].1,
        }
    }

    /// An open link for the family's newest episode, made in the store:
    /// through the app a link needs a measurement that is due, and the
    /// matrix's families started today have none.
    async fn open_link(&self, family_id: i64, by: &Actor) -> i64 {
        use wrapcare_store::questionnaire::{NewLink, insert_link};
        let store = self.app.store();
        let mut tx = store.write().await.expect("write");
        let episodes = wrapcare_store::episode::of_family(&mut tx, family_id)
            .await
            .expect("episodes");
        let episode = episodes.iter().map(|e| e.id).max().expect("an episode");
        let now = self.app.now();
        let hash = format!("{family_id:064x}");
        let id = insert_link(
            &mut tx,
            &NewLink {
                episode_id: episode,
                instrument: "appreciation",
                respondent: wrapcare_core::questionnaire::Respondent::Parent,
                occasion: wrapcare_core::questionnaire::Occasion::Start,
                token_hash: &hash,
                lang: "nl",
                created_by: by.user_id,
                expires_at: now + chrono::Duration::days(14),
            },
            now,
        )
        .await
        .expect("link");
        tx.commit().await.expect("commit");
        id
    }

    fn user(&self, who: Who, situation: Situation) -> Option<&User> {
        let moved = situation == Situation::Moved;
        let current = if moved { &self.b } else { &self.a };
        Some(match who {
            Who::Admin => &self.admin,
            Who::Intake => &self.intake,
            Who::Analyst => &self.analyst,
            Who::PrivacyOfficer => &self.privacy_officer,
            Who::TeamSupervisor => &current.supervisor,
            Who::OtherSupervisor => &self.c.supervisor,
            Who::EarlierSupervisor if moved => &self.a.supervisor,
            Who::EarlierSupervisor => return None,
            Who::Coordinator => &current.coaches[1].0,
            Who::PreviousCoordinator => &current.coaches[0].0,
            Who::OtherCoordinator => &self.a.coaches[2].0,
            Who::Emergency => &self.c.coaches[0].0,
            Who::Anonymous => return None,
        })
    }
}

// ------------------------------------------------------------------ requests

struct Answer {
    status: StatusCode,
    location: String,
    body: String,
}

/// What a request carries: a form for pages, JSON for the API.
#[derive(Debug, Clone)]
enum Payload {
    None,
    Form(Vec<(String, String)>),
    Json(Value),
}

fn form(pairs: &[(&str, &str)]) -> Payload {
    Payload::Form(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl World {
    async fn send(
        &self,
        method: &Method,
        path: &str,
        who: Option<&User>,
        payload: &Payload,
    ) -> Answer {
        self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let api = path.starts_with("/api/");
        let mut request = Request::builder().method(method.clone()).uri(path);
        if let Some(u) = who {
            request = if api {
                request.header(header::AUTHORIZATION, format!("Bearer {}", u.token))
            } else {
                request.header(header::COOKIE, &u.cookie)
            };
        }
        let body = match payload {
            Payload::None if method == Method::POST && !api => {
                let csrf = who.map(|u| u.csrf.as_str()).unwrap_or("");
                request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(format!("csrf={}", enc(csrf)))
            }
            Payload::None => Body::empty(),
            Payload::Form(pairs) => {
                let csrf = who.map(|u| u.csrf.clone()).unwrap_or_default();
                let body = pairs
                    .iter()
                    .chain(std::iter::once(&("csrf".to_string(), csrf)))
                    .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
                    .collect::<Vec<_>>()
                    .join("&");
                request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(body)
            }
            Payload::Json(v) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
        };
        let response = self
            .router
            .clone()
            .oneshot(request.body(body).expect("request"))
            .await
            .expect("response");
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Answer {
            status,
            location,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    async fn last_log_id(&self) -> i64 {
        wrapcare_store::testing::access_log(self.app.store(), None, 1)
            .await
            .first()
            .map_or(0, |e| e.id)
    }

    /// Entries written since `after`, as (user, family, outcome).
    async fn log_since(&self, after: i64) -> Vec<(Option<i64>, Option<i64>, String)> {
        wrapcare_store::testing::access_log(self.app.store(), None, 50)
            .await
            .into_iter()
            .filter(|e| e.id > after)
            .map(|e| (e.user_id, e.family_id, e.outcome))
            .collect()
    }
}

// ------------------------------------------------------------------ the rules

/// What an actor may do with a family file on a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Read,
    Care,
    Supervise,
}

/// The expectation of one route, written out here rather than asked of the
/// access rule, so the test checks the rule instead of repeating it.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// The same answer for everyone, signed in or not.
    Open(u16),
    /// Not a family file: the roles that may use it get `ok` (for a change
    /// the test sends a body they refuse by the field, unless the route needs
    /// none), supervisors in `hidden` get 404, everyone else 403, and someone
    /// not signed in is sent to log in (pages) or gets 401 (API).
    Roles {
        roles: &'static [&'static str],
        ok: u16,
        hidden: &'static [Who],
    },
    File(FileRule),
    /// Breaking the glass: granted to who has no need to know.
    BreakGlass {
        success: u16,
    },
    /// Signing out ends the caller's session.
    Logout,
}

/// A route of a family file.
#[derive(Debug, Clone, Copy)]
struct FileRule {
    act: Act,
    /// The situations in which a valid request succeeds with `success`.
    applies: &'static [Situation],
    success: u16,
    /// The answer elsewhere; nothing changes.
    otherwise: u16,
    /// The answer when the episode acted on is closed, if not `otherwise`.
    closed: Option<u16>,
    /// Supervisors' answer where the work is a coordinator's own (hours).
    supervisor: Option<u16>,
    /// The path names a contact or module of the current episode, which the
    /// supervisor of an earlier team (working on their own episode) does not find.
    sub: bool,
}

impl FileRule {
    fn new(act: Act, applies: &'static [Situation], success: u16, otherwise: u16) -> FileRule {
        FileRule {
            act,
            applies,
            success,
            otherwise,
            closed: None,
            supervisor: None,
            sub: false,
        }
    }
    fn sub(self) -> FileRule {
        FileRule { sub: true, ..self }
    }
    fn supervisor(self, status: u16) -> FileRule {
        FileRule {
            supervisor: Some(status),
            ..self
        }
    }
    fn closed(self, status: u16) -> FileRule {
        FileRule {
            closed: Some(status),
            ..self
        }
    }
}

use Situation::{Closed, InCare, Moved, Waiting};

const ALL: &[Situation] = &[Waiting, InCare, Closed, Moved];
const OPEN: &[Situation] = &[Waiting, InCare, Moved];
const STARTED: &[Situation] = &[InCare, Moved];

const SUP: &[&str] = &["supervisor"];
const ADMIN: &[&str] = &["admin"];
const NO_ONE_HIDDEN: &[Who] = &[];
/// Team A's referral is not another team's business.
const OTHER_TEAMS: &[Who] = &[Who::OtherSupervisor];

fn rule(method: &Method, path: &str) -> Option<Rule> {
    let post = method == Method::POST;
    let roles = |roles, ok| Rule::Roles {
        roles,
        ok,
        hidden: NO_ONE_HIDDEN,
    };
    let file = path
        .strip_prefix("/api/v1/families/{id}")
        .or_else(|| path.strip_prefix("/families/{id}"));
    if let Some(rest) = file {
        let api = path.starts_with("/api/");
        let done = if api { 200 } else { 303 };
        // A step the situation does not allow: the API answers 409; a page
        // shows its form again with the reason (422).
        let no = if api { 409 } else { 422 };
        let read = FileRule::new(Act::Read, ALL, 200, 409);
        let care = |applies| FileRule::new(Act::Care, applies, done, no);
        // Hours and their corrections are a coordinator's own; a supervisor
        // has no worker record to log them under.
        let hours = |applies| care(applies).supervisor(403);
        return Some(match (post, rest) {
            (true, "/emergency-access") => Rule::BreakGlass {
                success: if api { 201 } else { 303 },
            },
            (false, "" | "/plan" | "/plan/versions/{number}" | "/plan/print" | "/plan/pdf")
            | (false, "/contacts" | "/modules" | "/timeline" | "/costs" | "/appointments") => {
                Rule::File(read)
            }
            (false, "/assign") => Rule::File(FileRule::new(Act::Supervise, ALL, 200, 409)),
            (true, "/assign" | "/assignment") => {
                Rule::File(FileRule::new(Act::Supervise, OPEN, done, no))
            }
            // Withdrawn is only a referral nobody was assigned to yet.
            (true, "/withdraw") => Rule::File(FileRule::new(Act::Supervise, &[], done, no)),
            (true, "/start") => Rule::File(care(&[Waiting])),
            (true, "/phase") => Rule::File(care(STARTED)),
            // A family that never started can be closed too (it dropped out).
            (true, "/close") => Rule::File(care(OPEN)),
            // An agreed plan is edited by starting a new draft: the form sends there.
            (false, "/plan/edit") => {
                Rule::File(FileRule::new(Act::Care, &[Waiting], 200, 303).closed(409))
            }
            (true, "/plan/edit" | "/plan" | "/plan/agree") => Rule::File(care(&[Waiting])),
            // The page answers a plan that cannot have a new draft with 409.
            (true, "/plan/new-draft") => Rule::File(FileRule::new(Act::Care, STARTED, done, 409)),
            // A goal of a draft can be scored as well.
            (true, "/plan/scores") => Rule::File(care(OPEN)),
            (true, "/contacts") => Rule::File(hours(OPEN)),
            // Appointments are planned by the family's coordinator, like hours.
            (true, "/appointments") => Rule::File(hours(OPEN)),
            // Questionnaires: read with the file; entered by the family's own
            // coordinator when one is due: from the start of help, and the
            // closing one also in the weeks after closing.
            (false, "/questionnaires" | "/questionnaires/{instrument}") => Rule::File(read),
            (true, "/questionnaires" | "/questionnaires/{instrument}") => {
                Rule::File(hours(&[InCare, Closed, Moved]))
            }
            // A link is for a measurement a parent answers; the matrix's
            // families started today, so only the closing one is due (in the
            // weeks after closing). The page shows the link made (200).
            (false, "/questionnaire-links") => Rule::File(read),
            (true, "/questionnaire-links") => {
                Rule::File(FileRule::new(Act::Care, &[Closed], 200, no).supervisor(403))
            }
            // Whoever cares for the file may withdraw an open link of its
            // episode; each matrix family has one.
            (true, "/questionnaire-links/{link}/withdraw") => Rule::File(care(ALL).sub()),
            // The form reads the file; putting the family forward is its
            // coordinator's, while the episode is open.
            (false, "/intervision") => Rule::File(read),
            (true, "/intervision") => Rule::File(hours(OPEN)),
            (false, "/contacts/{contact}/correct") => Rule::File(
                FileRule::new(Act::Care, OPEN, 200, 409)
                    .supervisor(403)
                    .sub(),
            ),
            (true, "/contacts/{contact}/correct" | "/contacts/{contact}/remove") => {
                Rule::File(hours(OPEN).sub())
            }
            (true, "/modules") => Rule::File(care(OPEN)),
            // Starting checks the episode before it looks the module up.
            (true, "/modules/{referral}/{step}" | "/modules/{referral}/start") => {
                Rule::File(care(STARTED))
            }
            // A module may end, and its deliveries come in, after the episode closed.
            (true, "/modules/{referral}/end" | "/modules/{referral}/deliveries") => {
                Rule::File(care(ALL).sub())
            }
            _ => return None,
        });
    }
    Some(match (post, path) {
        (
            false,
            "/healthz" | "/assets/style.css" | "/assets/link.css" | "/login" | "/api/openapi.json",
        ) => Rule::Open(200),
        // The sign-in form carries a token of its own; without it, 403.
        (true, "/login") => Rule::Open(403),
        (false, "/lang/{code}" | "/admin") => Rule::Open(303),
        (_, "/api/{*rest}") => Rule::Open(404),
        (false, "/") => Rule::Open(303),
        (true, "/logout") => Rule::Logout,
        (false, "/referrals" | "/referrals/new" | "/api/v1/referrals") => {
            roles(&["intake", "supervisor"], 200)
        }
        (true, "/referrals" | "/api/v1/referrals") => roles(&["intake", "supervisor"], 422),
        // One more person on the form: nothing is stored.
        (true, "/referrals/new") => roles(&["intake", "supervisor"], 200),
        (false, "/referrals/{id}" | "/api/v1/referrals/{id}") => Rule::Roles {
            roles: &["intake", "supervisor"],
            ok: 200,
            hidden: OTHER_TEAMS,
        },
        (false, "/api/v1/referrals/{id}/matches") => Rule::Roles {
            roles: SUP,
            ok: 200,
            hidden: OTHER_TEAMS,
        },
        (
            true,
            "/referrals/{id}/decline"
            | "/api/v1/referrals/{id}/accept"
            | "/api/v1/referrals/{id}/decline",
        ) => Rule::Roles {
            roles: SUP,
            ok: 422,
            hidden: OTHER_TEAMS,
        },
        // Linking to a family that is not a match: the page shows the referral again.
        (true, "/referrals/{id}/accept") => Rule::Roles {
            roles: SUP,
            ok: 409,
            hidden: OTHER_TEAMS,
        },
        (false, "/screening" | "/waiting-list" | "/api/v1/screening" | "/api/v1/waiting-list") => {
            roles(SUP, 200)
        }
        // A coordinator sees their own load.
        (false, "/caseloads" | "/api/v1/caseloads") => roles(&["supervisor", "coordinator"], 200),
        // Signals: a supervisor the team's, a coordinator their own. Without
        // a note nothing is acknowledged.
        (false, "/signals" | "/api/v1/signals") => roles(&["supervisor", "coordinator"], 200),
        (true, "/signals/acknowledge" | "/api/v1/signals/acknowledge") => {
            roles(&["supervisor", "coordinator"], 422)
        }
        (false, "/my-families" | "/api/v1/my-families") => roles(&["coordinator"], 200),
        // The instruments' definitions hold no personal data.
        (false, "/api/v1/questionnaires") => roles(&["coordinator", "supervisor", "analyst"], 200),
        // The coordinator's day and calendar feed are their own; making a
        // new feed secret needs no body.
        (false, "/day" | "/api/v1/day" | "/calendar") => roles(&["coordinator"], 200),
        (true, "/calendar/renew") => roles(&["coordinator"], 200),
        // An appointment is settled by its own coordinator (the router tests
        // cover another coordinator's); the matrix asks for one that does
        // not exist, so a coordinator finds nothing and everyone else is
        // refused first.
        (false, "/appointments/{id}/settle")
        | (
            true,
            "/appointments/{id}/confirm"
            | "/appointments/{id}/not-happened"
            | "/api/v1/appointments/{id}/confirm"
            | "/api/v1/appointments/{id}/not-happened",
        ) => roles(&["coordinator"], 404),
        // Meetings are the team's: its supervisor and coordinators. Only
        // the supervisor opens one; the empty form is refused by the field.
        (false, "/meetings" | "/api/v1/meetings") => roles(&["supervisor", "coordinator"], 200),
        (true, "/meetings" | "/api/v1/meetings") => roles(SUP, 422),
        // A meeting or action the matrix asks for does not exist: the team
        // finds nothing, everyone else is refused first.
        (
            false,
            "/meetings/{id}"
            | "/meetings/{id}/print"
            | "/meetings/{id}/pdf"
            | "/api/v1/meetings/{id}",
        )
        | (
            true,
            "/meetings/{id}/attendance"
            | "/meetings/{id}/items"
            | "/meetings/{id}/items/{item}/move"
            | "/meetings/{id}/items/{item}/remove"
            | "/meetings/{id}/items/{item}/discussion"
            | "/meetings/{id}/items/{item}/actions"
            | "/api/v1/meetings/{id}/items"
            | "/api/v1/meetings/{id}/items/{item}/discussion"
            | "/api/v1/meetings/{id}/items/{item}/actions"
            | "/actions/{id}/done"
            | "/api/v1/actions/{id}/done",
        ) => roles(&["supervisor", "coordinator"], 404),
        // The feed has no session: a secret nobody holds is not found.
        (false, "/ical/{file}") => Rule::Open(404),
        // A one-time link opens without an account: a secret nobody holds
        // is not found, and nothing is stored.
        (_, "/q/{token}") => Rule::Open(404),
        (false, "/families" | "/api/v1/families") => roles(SUP, 200),
        (false, "/modules" | "/modules/{id}" | "/api/v1/modules" | "/api/v1/modules/{id}") => {
            roles(&["admin", "supervisor", "coordinator"], 200)
        }
        (
            true,
            "/modules"
            | "/modules/{id}"
            | "/modules/{id}/tariffs"
            | "/api/v1/modules"
            | "/api/v1/modules/{id}"
            | "/api/v1/modules/{id}/tariffs",
        ) => roles(ADMIN, 422),
        // Figures and costs are counts and sums, never a family.
        (
            false,
            "/programmes/{id}/costs" | "/api/v1/programmes/{id}/costs" | "/api/v1/figures/waiting",
        ) => roles(&["admin", "supervisor", "analyst"], 200),
        // The dashboard: a coordinator's own families, a supervisor's team,
        // analysts and admins every family in aggregate.
        (false, "/figures" | "/figures/tables/{table}" | "/api/v1/reports/waiting") => {
            roles(&["admin", "supervisor", "analyst", "coordinator"], 200)
        }
        // The access log's review: the privacy officer all of it, a
        // supervisor their team's families (an empty page is still a 200).
        (
            false,
            "/access-log"
            | "/access-log/export"
            | "/access-log/emergency-accesses"
            | "/api/v1/access-log"
            | "/api/v1/access-log/export"
            | "/api/v1/access-log/emergency-accesses",
        ) => roles(&["privacy_officer", "supervisor"], 200),
        // The import takes text/csv; the test's JSON is refused as such.
        (true, "/api/v1/imports/modules") => roles(&["admin", "supervisor"], 415),
        (false, "/api/v1/admin/workers") => roles(&["admin", "supervisor"], 200),
        (true, "/admin/users/{id}/deactivate" | "/admin/users/{id}/activate") => roles(ADMIN, 303),
        (true, "/admin/users/{id}/reset") => roles(ADMIN, 200),
        // No domains chosen is a background cleared, not an error.
        (true, "/admin/organisations/{id}/field" | "/admin/workers/{id}/expertise") => {
            roles(ADMIN, 303)
        }
        (true, "/api/v1/admin/users/{id}/deactivate" | "/api/v1/admin/users/{id}/activate") => {
            roles(ADMIN, 204)
        }
        (true, "/api/v1/admin/users/{id}/reset-password") => roles(ADMIN, 200),
        (false, p) if p.starts_with("/admin/") || p.starts_with("/api/v1/admin/") => {
            roles(ADMIN, 200)
        }
        (true, p) if p.starts_with("/admin/") || p.starts_with("/api/v1/admin/") => {
            roles(ADMIN, 422)
        }
        _ => return None,
    })
}

/// How a request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refused {
    /// Not signed in: to the login page, or 401.
    Login,
    /// A role that never does this: 403.
    Forbidden,
    /// No need to know: 404, as if the family did not exist.
    Hidden,
    /// Read-only emergency access: a change is refused with 403.
    ReadOnly,
    /// The supervisor of an earlier team, on a route naming an object of the
    /// current episode: not found in their own, nothing shown.
    Missing,
    /// Breaking the glass with a need to know, or a running access: 409 (API)
    /// or the form again (422).
    NotNeeded,
}

/// What one actor should get on a family route in a situation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    Refused(Refused),
    /// Access granted: the exact answer, and whether it is a change that
    /// succeeds (so it runs on a family of its own).
    Allowed {
        status: u16,
        changes: bool,
    },
}

/// The access a role has, before the route's own rules: the need-to-know rule
/// as the issue states it.
fn access(who: Who, situation: Situation, act: Act) -> Option<Result<(), Refused>> {
    use Refused::*;
    Some(match who {
        Who::Anonymous => Err(Login),
        Who::Admin | Who::Intake | Who::Analyst | Who::PrivacyOfficer => Err(Forbidden),
        Who::TeamSupervisor => Ok(()),
        Who::OtherSupervisor => Err(Hidden),
        Who::EarlierSupervisor if situation != Moved => return None,
        Who::EarlierSupervisor => Ok(()),
        _ if act == Act::Supervise => Err(Forbidden),
        Who::Coordinator if situation == Closed => Err(Hidden),
        Who::Coordinator => Ok(()),
        Who::PreviousCoordinator | Who::OtherCoordinator => Err(Hidden),
        Who::Emergency if act == Act::Read => Ok(()),
        Who::Emergency => Err(ReadOnly),
    })
}

fn cell(
    rule: Rule,
    method: &Method,
    pattern: &str,
    who: Who,
    s: Situation,
    f: &Family,
) -> Option<Cell> {
    let post = method == Method::POST;
    let r = match rule {
        Rule::BreakGlass { success } => {
            return Some(match who {
                Who::Anonymous => Cell::Refused(Refused::Login),
                Who::Admin | Who::Intake | Who::Analyst | Who::PrivacyOfficer => {
                    Cell::Refused(Refused::Forbidden)
                }
                Who::EarlierSupervisor if s != Moved => return None,
                // No need to know: the glass breaks.
                Who::OtherSupervisor | Who::PreviousCoordinator | Who::OtherCoordinator => {
                    Cell::Allowed {
                        status: success,
                        changes: true,
                    }
                }
                Who::Coordinator if s == Closed => Cell::Allowed {
                    status: success,
                    changes: true,
                },
                _ => Cell::Refused(Refused::NotNeeded),
            });
        }
        Rule::File(r) => r,
        _ => unreachable!(),
    };
    if let Err(refused) = access(who, s, r.act)? {
        return Some(Cell::Refused(refused));
    }
    let allowed = |status: u16, changes: bool| Some(Cell::Allowed { status, changes });
    if role_of(who) == "supervisor"
        && let Some(status) = r.supervisor
    {
        return allowed(status, false);
    }
    if who == Who::EarlierSupervisor && r.sub {
        return Some(Cell::Refused(Refused::Missing));
    }
    // A family still waiting has no module referrals to act on.
    if pattern.contains("{referral}") && f.requested_module == 0 {
        return allowed(404, false);
    }
    // The supervisor of an earlier team works on their own, closed, episode.
    let acted_on = if who == Who::EarlierSupervisor {
        Closed
    } else {
        s
    };
    if r.applies.contains(&acted_on) {
        allowed(r.success, post)
    } else if acted_on == Closed {
        allowed(r.closed.unwrap_or(r.otherwise), false)
    } else {
        allowed(r.otherwise, false)
    }
}

fn role_of(who: Who) -> &'static str {
    match who {
        Who::Admin => "admin",
        Who::TeamSupervisor | Who::OtherSupervisor | Who::EarlierSupervisor => "supervisor",
        Who::Coordinator | Who::PreviousCoordinator | Who::OtherCoordinator | Who::Emergency => {
            "coordinator"
        }
        Who::Intake => "intake",
        Who::Analyst => "analyst",
        Who::PrivacyOfficer => "privacy_officer",
        Who::Anonymous => "",
    }
}

// ------------------------------------------------------------------ bodies

/// A valid body for a family route: what a user with access would send.
fn valid_body(w: &World, path: &str, f: &Family) -> Payload {
    let today = w.today();
    let api = path.starts_with("/api/");
    let rest = path
        .strip_prefix("/api/v1/families/{id}")
        .or_else(|| path.strip_prefix("/families/{id}"))
        .unwrap_or("");
    let pairs: Vec<(&str, String)> = match rest {
        "/emergency-access" => vec![(
            "reason",
            "Melding van de politie, gezin onbereikbaar".into(),
        )],
        "/assign" | "/assignment" => vec![
            ("worker_id", f.free_worker.to_string()),
            ("override_reason", "Testmatrix".into()),
        ],
        "/start" => vec![("started_on", today.clone())],
        "/phase" => vec![("phase", "2".into()), ("starts_on", today.clone())],
        "/close" => vec![
            ("closed_on", today.clone()),
            ("reason", "goals_reached".into()),
        ],
        "/withdraw" => vec![("reason", "Gezin verhuisd".into())],
        "/plan/agree" => vec![
            ("agreed_by", "Anna".into()),
            ("agreed_on", today.clone()),
            ("how", "in_person".into()),
            ("version", f.plan_version.to_string()),
        ],
        "/plan/scores" => vec![
            ("goal_key", f.goal_key.clone()),
            ("level", "1".into()),
            ("scored_on", today.clone()),
        ],
        "/contacts" => contact_pairs(&today),
        "/intervision" => vec![
            ("question", "Hoe krijgen we de school erbij?".into()),
            ("domains", "school".into()),
        ],
        "/questionnaire-links" => vec![
            ("instrument", "appreciation".into()),
            ("respondent", "parent".into()),
            ("lang", "nl".into()),
        ],
        "/questionnaires" | "/questionnaires/{instrument}" => {
            if api {
                return Payload::Json(json!({
                    "instrument": "self_sufficiency",
                    "respondent": "coordinator",
                    "answers": {"financial": 3, "housing": "4"},
                }));
            }
            vec![
                ("respondent", "coordinator".into()),
                ("answers.financial", "3".into()),
                ("answers.housing", "4".into()),
            ]
        }
        "/appointments" => vec![
            ("on", today.clone()),
            ("starts_at", "09:00".into()),
            ("ends_at", "10:00".into()),
            ("kind", "home_visit".into()),
            ("participants", "moeder".into()),
            // The matrix plans several for one coordinator on one day.
            ("confirm_overlap", "true".into()),
        ],
        "/contacts/{contact}/correct" => {
            let mut p = contact_pairs(&today);
            p.push(("reason", "Verkeerde duur".into()));
            p.push(("version", f.contact_version.to_string()));
            p
        }
        "/contacts/{contact}/remove" => vec![
            ("reason", "Dubbel ingevoerd".into()),
            ("version", f.contact_version.to_string()),
        ],
        "/modules/{referral}/{step}" | "/modules/{referral}/start" => vec![
            ("on", today.clone()),
            ("version", f.requested_version.to_string()),
        ],
        "/modules/{referral}/end" => vec![
            ("on", today.clone()),
            ("reason", "completed".into()),
            ("version", f.started_version.to_string()),
        ],
        "/modules/{referral}/deliveries" => {
            vec![("delivered_on", today.clone()), ("units", "1".into())]
        }
        "/plan/edit" | "/plan" => {
            if api {
                return Payload::Json(json!({
                    "version": f.plan_version,
                    "vision": "Samen verder",
                    "goals": [{"key": f.goal_key, "domain": "school",
                               "description": "Naar school", "baseline": "-1"}],
                }));
            }
            vec![
                ("version", f.plan_version.to_string()),
                ("vision", "Samen verder".into()),
                ("goals[0].key", f.goal_key.clone()),
                ("goals[0].domain", "school".into()),
                ("goals[0].description", "Naar school".into()),
                ("goals[0].baseline", "-1".into()),
            ]
        }
        _ => Vec::new(),
    };
    if api {
        let mut object = serde_json::Map::new();
        for (k, v) in pairs {
            let value = match (k, v.parse::<i64>()) {
                ("worker_id" | "phase" | "version", Ok(n)) => json!(n),
                ("confirm_overlap", _) => json!(v == "true"),
                ("domains", _) => json!([v]),
                _ => json!(v),
            };
            object.insert(k.to_string(), value);
        }
        if rest == "/modules" {
            object.insert("module_id".into(), json!(w.module_id));
            object.insert("children".into(), json!(f.child_ids()));
            object.insert("goal_key".into(), json!(f.goal_key));
            object.insert("requested_on".into(), json!(today));
        }
        return Payload::Json(Value::Object(object));
    }
    let mut pairs: Vec<(String, String)> =
        pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    if rest == "/modules" {
        pairs.push(("module_id".into(), w.module_id.to_string()));
        for child in f.child_ids() {
            pairs.push(("children".into(), child.to_string()));
        }
        pairs.push(("goal_key".into(), f.goal_key.clone()));
        pairs.push(("requested_on".into(), today));
    }
    Payload::Form(pairs)
}

fn contact_pairs(today: &str) -> Vec<(&'static str, String)> {
    vec![
        ("contact_on", today.to_string()),
        ("minutes", "5".into()),
        ("kind", "phone_video".into()),
        ("participants", "vader".into()),
        ("note", "Telefonisch contact".into()),
    ]
}

impl Family {
    fn child_ids(&self) -> Vec<i64> {
        self.children.clone()
    }
}

/// The body sent to a route outside the family file: for a change, one the
/// roles that may use it refuse by the field, so it changes nothing.
fn refused_body(path: &str) -> Payload {
    let api = path.starts_with("/api/");
    if path.ends_with("/accept") {
        // Linking to a family that is not among the matches.
        return if api {
            Payload::Json(json!({"family_id": 999_999}))
        } else {
            form(&[("family_id", "999999")])
        };
    }
    if api {
        // Typed fields the API needs to read the body at all, with nothing valid in them.
        Payload::Json(json!({"version": 0}))
    } else {
        form(&[])
    }
}

/// The concrete path of a pattern for a family (or the fixtures' other objects).
fn concrete(w: &World, path: &str, f: Option<&Family>) -> String {
    let mut out = path.to_string();
    if let Some(f) = f {
        let module = if path.ends_with("/end") || path.ends_with("/deliveries") {
            f.started_module
        } else {
            f.requested_module
        };
        out = out
            .replace("{contact}", &f.contact_id.to_string())
            .replace("{link}", &f.link_id.to_string())
            .replace("{referral}", &module.to_string())
            .replace("{step}", "start")
            .replace("{number}", "1")
            .replace("{id}", &f.id.to_string());
    }
    let id = if path.contains("/referrals/") {
        w.referral_id
    } else if path.contains("/modules/") {
        w.module_id
    } else if ["/appointments/", "/meetings/", "/actions/"]
        .iter()
        .any(|p| path.starts_with(p) || path.starts_with(&format!("/api/v1{p}")))
    {
        // None has this number: the matrix plans its own, but whether one is
        // over depends on the hour the test runs.
        999_999
    } else if path.contains("/programmes/") {
        w.a.programme_id
    } else if path.contains("/users/") {
        w.spare_user
    } else if path.contains("/workers/") {
        w.spare_worker
    } else {
        1
    };
    out.replace("{id}", &id.to_string())
        .replace("{code}", "en")
        .replace("{table}", "waiting")
        .replace("{file}", "unknown.ics")
        .replace("{item}", "999999")
        .replace("{instrument}", "self_sufficiency")
        .replace("{token}", &"0".repeat(64))
        .replace("{*rest}", "nothing-here")
}

// ------------------------------------------------------------------ the matrix

struct Matrix {
    cells: usize,
    failures: Vec<String>,
}

impl Matrix {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        self.cells += 1;
        if !ok {
            self.failures.push(what());
        }
    }
}

fn shows_the_file(body: &str, f: &Family) -> bool {
    body.contains(&f.surname) || body.contains(&f.street) || body.contains(&f.note)
}

async fn the_matrix(store: Store) {
    let w = world(store).await;
    let mut shared = BTreeMap::new();
    for s in SITUATIONS {
        shared.insert(s, w.family(s).await);
    }
    let table = wrapcare_web::route_table();
    let mut m = Matrix {
        cells: 0,
        failures: Vec::new(),
    };
    let mut seen = std::collections::HashSet::new();
    for route in &table {
        assert!(
            seen.insert((route.method.clone(), route.path)),
            "{} {} is routed twice",
            route.method,
            route.path
        );
        let Some(rule) = rule(&route.method, route.path) else {
            panic!(
                "{} {} has no row in the authorisation matrix (crates/web/tests/authorisation.rs)",
                route.method, route.path
            );
        };
        match rule {
            Rule::File(_) | Rule::BreakGlass { .. } => {
                for s in SITUATIONS {
                    file_cells(&w, &mut m, &route.method, route.path, rule, s, &shared[&s]).await;
                }
            }
            _ => other_cells(&w, &mut m, &route.method, route.path, rule, &shared).await,
        }
    }
    let on_files = table
        .iter()
        .filter(|r| {
            matches!(
                rule(&r.method, r.path),
                Some(Rule::File(_) | Rule::BreakGlass { .. })
            )
        })
        .count();
    eprintln!(
        "authorisation matrix: {} routes ({on_files} on a family file × {} situations, {} others) × {} actors: {} requests, {} checks",
        table.len(),
        SITUATIONS.len(),
        table.len() - on_files,
        EVERYONE.len(),
        w.sent.load(std::sync::atomic::Ordering::Relaxed),
        m.cells
    );
    assert!(
        m.failures.is_empty(),
        "{} of {} cells failed:\n{}",
        m.failures.len(),
        m.cells,
        m.failures.join("\n")
    );
}

#[allow(clippy::too_many_arguments)]
async fn file_cells(
    w: &World,
    m: &mut Matrix,
    method: &Method,
    pattern: &str,
    rule: Rule,
    s: Situation,
    f: &Family,
) {
    let post = method == Method::POST;
    let before = wrapcare_store::testing::fingerprint(w.app.store()).await;
    let mut unchanged = Vec::new();
    // Changes that succeed run last, each on a family of its own, once the
    // fingerprint has shown that everything else left the tables as they were.
    let mut changes = Vec::new();
    for who in EVERYONE {
        let Some(cell) = cell(rule, method, pattern, who, s, f) else {
            continue;
        };
        let label = format!("{method} {pattern} · {who:?} · {s:?}");
        let user = w.user(who, s);
        match cell {
            Cell::Allowed {
                status,
                changes: true,
            } => changes.push((label, user, status)),
            cell => {
                let path = concrete(w, pattern, Some(f));
                let payload = if post {
                    valid_body(w, pattern, f)
                } else {
                    Payload::None
                };
                let after = w.last_log_id().await;
                let answer = w.send(method, &path, user, &payload).await;
                unchanged.push(label.clone());
                let Cell::Allowed { status, .. } = cell else {
                    if let Cell::Refused(refused) = cell {
                        refusal_checks(w, m, &label, refused, &path, &answer, user, Some(f), after)
                            .await;
                    }
                    continue;
                };
                m.check(answer.status.as_u16() == status, || {
                    format!(
                        "{label}: expected {status}, got {} {}",
                        answer.status,
                        brief(&answer.body)
                    )
                });
                if status == 200 {
                    let log = w.log_since(after).await;
                    let uid = user.map(|u| u.actor.user_id);
                    m.check(
                        log.iter()
                            .any(|(u, fam, o)| *u == uid && *fam == Some(f.id) && o == "allowed"),
                        || format!("{label}: the read is not in the access log: {log:?}"),
                    );
                }
            }
        }
    }
    let after = wrapcare_store::testing::fingerprint(w.app.store()).await;
    m.check(before == after, || {
        let changed: Vec<_> = before
            .iter()
            .zip(after.iter())
            .filter(|(a, b)| a != b)
            .map(|(a, b)| format!("{a:?} -> {b:?}"))
            .collect();
        format!("{method} {pattern} · {s:?}: one of {unchanged:?} changed {changed:?}")
    });
    for (label, user, status) in changes {
        let target = w.family(s).await;
        let path = concrete(w, pattern, Some(&target));
        let after = w.last_log_id().await;
        let answer = w
            .send(method, &path, user, &valid_body(w, pattern, &target))
            .await;
        m.check(answer.status.as_u16() == status, || {
            format!(
                "{label}: expected {status}, got {} {}",
                answer.status,
                brief(&answer.body)
            )
        });
        let log = w.log_since(after).await;
        let uid = user.map(|u| u.actor.user_id);
        m.check(
            log.iter()
                .any(|(u, fam, o)| *u == uid && *fam == Some(target.id) && o == "allowed"),
            || format!("{label}: the change is not in the access log: {log:?}"),
        );
    }
}

#[allow(clippy::too_many_arguments)]
async fn refusal_checks(
    w: &World,
    m: &mut Matrix,
    label: &str,
    refusal: Refused,
    path: &str,
    answer: &Answer,
    user: Option<&User>,
    family: Option<&Family>,
    after: i64,
) {
    let api = path.starts_with("/api/");
    let expected = match refusal {
        Refused::Login if api => 401,
        Refused::Login => 303,
        Refused::Forbidden | Refused::ReadOnly => 403,
        Refused::Hidden | Refused::Missing => 404,
        Refused::NotNeeded if api => 409,
        Refused::NotNeeded => 422,
    };
    m.check(answer.status.as_u16() == expected, || {
        format!(
            "{label}: expected {expected}, got {} {}",
            answer.status,
            brief(&answer.body)
        )
    });
    if refusal == Refused::Login && !api {
        m.check(answer.location.starts_with("/login"), || {
            format!("{label}: sent to {:?}, not to the login", answer.location)
        });
    }
    if let Some(f) = family
        && !matches!(refusal, Refused::Missing | Refused::NotNeeded)
    {
        m.check(!shows_the_file(&answer.body, f), || {
            format!(
                "{label}: the refusal shows the file: {}",
                brief(&answer.body)
            )
        });
    }
    if let Some(u) = user
        && matches!(
            refusal,
            Refused::Forbidden | Refused::Hidden | Refused::ReadOnly | Refused::Missing
        )
    {
        let log = w.log_since(after).await;
        m.check(
            log.iter()
                .any(|(uid, _, o)| *uid == Some(u.actor.user_id) && o != "allowed"),
            || format!("{label}: the refusal is not in the access log: {log:?}"),
        );
        m.check(
            !log.iter()
                .any(|(uid, _, o)| *uid == Some(u.actor.user_id) && o == "allowed"),
            || format!("{label}: a refused request is logged as allowed: {log:?}"),
        );
    }
}

async fn other_cells(
    w: &World,
    m: &mut Matrix,
    method: &Method,
    pattern: &str,
    rule: Rule,
    shared: &BTreeMap<Situation, Family>,
) {
    let post = method == Method::POST;
    let path = concrete(w, pattern, None);
    let before = wrapcare_store::testing::fingerprint(w.app.store()).await;
    for who in EVERYONE {
        // Outside a family there is no earlier team; the emergency user is a coordinator.
        let Some(user) = w.user(who, InCare) else {
            if who != Who::Anonymous {
                continue;
            }
            let answer = w.send(method, &path, None, &refused_body(pattern)).await;
            let expected = match rule {
                Rule::Open(status) => status,
                _ if pattern.starts_with("/api/") => 401,
                _ => 303,
            };
            m.check(answer.status.as_u16() == expected, || {
                format!(
                    "{method} {pattern} · Anonymous: expected {expected}, got {}",
                    answer.status
                )
            });
            continue;
        };
        let label = format!("{method} {pattern} · {who:?}");
        let after = w.last_log_id().await;
        match rule {
            Rule::Open(status) => {
                let answer = w
                    .send(method, &path, Some(user), &refused_body(pattern))
                    .await;
                m.check(answer.status.as_u16() == status, || {
                    format!(
                        "{label}: expected {status}, got {} {}",
                        answer.status,
                        brief(&answer.body)
                    )
                });
            }
            Rule::Logout => {
                // Its own session, so the matrix's sessions live on.
                let session = w
                    .app
                    .login(&user.email, PASSWORD, None)
                    .await
                    .expect("login");
                let own = User {
                    email: user.email.clone(),
                    actor: user.actor.clone(),
                    cookie: format!("wc_session={}", session.secret),
                    csrf: session.csrf_token,
                    token: user.token.clone(),
                };
                let answer = w.send(method, &path, Some(&own), &Payload::None).await;
                m.check(
                    answer.status.as_u16() == 303 && answer.location.starts_with("/login"),
                    || {
                        format!(
                            "{label}: expected 303 to the login, got {} {}",
                            answer.status, answer.location
                        )
                    },
                );
            }
            Rule::Roles { roles, ok, hidden } => {
                let role = role_of(who);
                let answer = w
                    .send(method, &path, Some(user), &refused_body(pattern))
                    .await;
                if hidden.contains(&who) {
                    refusal_checks(
                        w,
                        m,
                        &label,
                        Refused::Hidden,
                        &path,
                        &answer,
                        Some(user),
                        None,
                        after,
                    )
                    .await;
                } else if roles.contains(&role) {
                    m.check(answer.status.as_u16() == ok, || {
                        format!(
                            "{label}: expected {ok}, got {} {}",
                            answer.status,
                            brief(&answer.body)
                        )
                    });
                } else {
                    refusal_checks(
                        w,
                        m,
                        &label,
                        Refused::Forbidden,
                        &path,
                        &answer,
                        Some(user),
                        None,
                        after,
                    )
                    .await;
                }
                // Lists never show a family the caller has no need to know
                // (intake sees the referrals they submitted themselves).
                if matches!(
                    who,
                    Who::Admin
                        | Who::Analyst
                        | Who::PrivacyOfficer
                        | Who::OtherSupervisor
                        | Who::OtherCoordinator
                        | Who::Emergency
                ) {
                    for f in shared.values() {
                        m.check(!shows_the_file(&answer.body, f), || {
                            format!("{label}: shows family {}", f.surname)
                        });
                    }
                }
            }
            _ => unreachable!(),
        }
    }
    let after = wrapcare_store::testing::fingerprint(w.app.store()).await;
    let changes = match rule {
        Rule::Roles { ok, .. } => ok < 400,
        _ => true,
    };
    if post && !changes {
        m.check(before == after, || {
            format!("{method} {pattern}: a refused request changed something")
        });
    }
}

fn brief(body: &str) -> String {
    body.chars()
        .take(160)
        .collect::<String>()
        .replace('\n', " ")
}

wrapcare_store::on_both_databases!(the_matrix);
