//! Demo data: two programmes like the seeds' (Amersfoort's Wraparound Care pilot
//! and Zeeland's IPT), their teams, and about sixty generated families in every
//! state, with referrals over the past year and a half. Names and numbers are
//! generated; they belong to nobody.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use wrapcare_core::contact::ContactKind;
use wrapcare_core::episode::{ClosureReason, EpisodeState, Phase};
use wrapcare_core::family::{Birth, MemberRole};
use wrapcare_core::module::{EndReason, ModuleType, ModuleUnit, Tariff};
use wrapcare_core::plan::{
    Action, ActionStatus, AgreementMethod, Goal, NetworkMember, OwnerKind, PlanContent, SafetyPlan,
};
use wrapcare_core::programme::Norms;
use wrapcare_core::referral::{IndicationRecord, Member, NewReferral, ReferralSource, Urgency};
use wrapcare_core::role::Role;
use wrapcare_core::waiting::waiting_days;
use wrapcare_store::{
    Tx, appointment, contact, episode, family, module, organisation, plan, programme, referral,
    team, user, worker,
};

use crate::auth::hash_password;

mod measurements;
mod team_week;
use crate::{App, Result};

/// The password of every demo login unless `WRAPCARE_DEMO_PASSWORD` sets another.
pub const DEFAULT_DEMO_PASSWORD: &str = "wrapcare-demo";

#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub email: String,
    pub name: String,
    pub role: Role,
}

#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub logins: Vec<DemoLogin>,
    pub families: usize,
}

const GIVEN_ADULT: &[&str] = &[
    "Anouk",
    "Bas",
    "Chantal",
    "Dennis",
    "Esra",
    "Fatima",
    "Gerrit",
    "Hanneke",
    "Ilse",
    "Jeroen",
    "Karin",
    "Lucas",
    "Mariëlle",
    "Nadia",
    "Orhan",
    "Petra",
    "Ricardo",
    "Sandra",
    "Tamara",
    "Ugur",
    "Vincent",
    "Wendy",
    "Yvonne",
    "Zoë",
    "Mohamed",
    "Samira",
    "Kees",
    "Ingrid",
    "Priya",
    "Marco",
];
const GIVEN_CHILD: &[&str] = &[
    "Daan", "Emma", "Sem", "Julia", "Lucas", "Mila", "Finn", "Tess", "Noah", "Sara", "Levi",
    "Nora", "Adam", "Yara", "Milan", "Lotte", "Ayoub", "Fenna", "Jesse", "Liv", "Mees", "Zara",
    "Ravi", "Elif", "Thijs", "Isa", "Bram", "Noor", "Luuk", "Hiba",
];
const SURNAMES: &[&str] = &[
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
    "van den Berg",
    "van Dijk",
    "Yilmaz",
    "El Amrani",
    "Kaya",
    "Schouten",
    "Willems",
    "Hoekstra",
    "Maas",
    "Verhoeven",
    "Koster",
    "Prins",
    "Blom",
    "Huisman",
    "Peeters",
    "Kuipers",
    "van Veen",
    "Post",
    "Kuiper",
    "Veenstra",
    "Kramer",
    "van den Broek",
    "Verbeek",
    "Lambers",
    "Goossens",
    "Tahiri",
    "Öztürk",
    "Bouzid",
    "Ramdin",
    "Sedney",
    "Vlietstra",
    "Wouters",
    "Timmermans",
    "Claassen",
    "Dogan",
];
const STREETS: &[&str] = &[
    "Kamp",
    "Langestraat",
    "Utrechtseweg",
    "Leusderweg",
    "Hogeweg",
    "Bisschopsweg",
    "Noordewierweg",
    "Zuidsingel",
    "Lange Noordstraat",
    "Segeersingel",
    "Kleine Markt",
    "Oranjestraat",
    "Molenweg",
];
const LANGUAGES: &[&str] = &["nl", "nl", "nl", "nl", "tr", "ar", "en", "pl", "nl", "nl"];

struct ProgrammeSpec {
    name: &'static str,
    team: &'static str,
    towns: &'static [&'static str],
    postcode: &'static str,
    phone_prefix: &'static str,
    norms: Norms,
    issuer: &'static str,
}

fn amersfoort() -> ProgrammeSpec {
    ProgrammeSpec {
        name: "Wraparound Care Amersfoort",
        team: "Menskracht-team Amersfoort",
        towns: &[
            "Amersfoort",
            "Amersfoort",
            "Amersfoort",
            "Leusden",
            "Soest",
            "Nijkerk",
            "Baarn",
        ],
        postcode: "38",
        phone_prefix: "033",
        norms: Norms {
            families_per_fte: 3,
            budget_minutes_per_family: 200 * 60,
            weekly_minutes_per_family: 7 * 60,
            start_within_weeks: 9,
            full_time_minutes_per_week: 32 * 60,
        },
        issuer: "Bureau Jeugdzorg Utrecht",
    }
}

fn zeeland() -> ProgrammeSpec {
    ProgrammeSpec {
        name: "IPT Zeeland",
        team: "IPT-team Zeeland",
        towns: &[
            "Middelburg",
            "Vlissingen",
            "Goes",
            "Terneuzen",
            "Zierikzee",
            "Hulst",
            "Veere",
        ],
        postcode: "43",
        phone_prefix: "0118",
        norms: Norms {
            families_per_fte: 8,
            budget_minutes_per_family: 150 * 60,
            weekly_minutes_per_family: 4 * 60,
            start_within_weeks: 9,
            full_time_minutes_per_week: 36 * 60,
        },
        issuer: "Intervence",
    }
}

/// What a generated family goes through, from its referral on.
#[derive(Debug, Clone, Copy)]
enum Plan {
    ToScreen,
    Declined,
    Waiting {
        past_norm: bool,
    },
    Withdrawn,
    Assigned {
        coordinator: usize,
    },
    InCare {
        coordinator: usize,
        phase: u8,
    },
    Closed {
        coordinator: usize,
        reason: ClosureReason,
    },
}

struct Ctx<'a> {
    rng: StdRng,
    /// (team index, coordinator index, predecessor worker, day of handover): the
    /// coordinator who replaced a colleague took over that colleague's families.
    replacement: (usize, usize, i64, NaiveDate),
    team_index: usize,
    today: NaiveDate,
    now: DateTime<Utc>,
    intake_user: i64,
    tx: &'a mut Tx,
    modules: DemoModules,
    /// Counts families given care, to vary how far each gets through its budget.
    cared: usize,
    /// Appointments given to each coordinator this week, to spread them
    /// over the days and hours.
    appointments: std::collections::HashMap<i64, usize>,
    /// Per team: whether a family with an indication ending soon was made.
    indication_ending: [bool; 2],
    /// Per team: whether a family in care has its only round since the
    /// start still open, so that an overdue questionnaire shows early on.
    only_round_open: [bool; 2],
}

/// The demo catalogue's modules, by what they are used for.
#[derive(Debug, Clone, Copy, Default)]
struct DemoModules {
    residential: i64,
    day_treatment: i64,
    ambulatory: i64,
    activity: i64,
}

fn at(date: NaiveDate, hour: u32) -> DateTime<Utc> {
    date.and_time(NaiveTime::from_hms_opt(hour, 30, 0).unwrap_or_default())
        .and_utc()
}

/// A generated citizen service number that passes the eleven-test.
fn demo_bsn(rng: &mut StdRng) -> String {
    loop {
        let first8: Vec<i64> = (0..8)
            .map(|i| {
                if i == 0 {
                    rng.random_range(1..=6)
                } else {
                    rng.random_range(0..=9)
                }
            })
            .collect();
        let weighted: i64 = first8.iter().zip((2..=9).rev()).map(|(d, w)| d * w).sum();
        let check = weighted % 11;
        if check < 10 {
            return first8
                .iter()
                .chain(std::iter::once(&check))
                .map(|d| d.to_string())
                .collect();
        }
    }
}

impl App {
    /// Loads the demo into an empty database. Returns `None` when the database
    /// already holds users: the demo is loaded once and reused afterwards.
    pub async fn load_demo(&self, password: &str) -> Result<Option<DemoSummary>> {
        self.load_demo_scaled(password, 1).await
    }

    /// The demo with each team's families generated `scale` times over (the
    /// same journeys with numbered surnames): a larger set for load tests.
    pub async fn load_demo_scaled(
        &self,
        password: &str,
        scale: usize,
    ) -> Result<Option<DemoSummary>> {
        if !self.store.is_empty().await? {
            return Ok(None);
        }
        let hash = hash_password(password)?;
        let today = self.today();
        let now = self.now();
        let mut tx = self.write().await?;
        let mut logins = Vec::new();

        let org = |name: &'static str| name;
        let orgs = [
            org("Gemeente Amersfoort"),
            org("MEE Utrecht, Gooi & Vechtstreek"),
            org("RIAGG Amersfoort & Omstreken"),
            org("SOVEE (Nieuwe Perspectieven)"),
            org("Bureau Jeugdzorg Utrecht"),
            org("Maatschappij Zandbergen"),
            org("Centrum Maliebaan"),
            org("Juvent"),
            org("Centrum voor Jeugd en Gezin Amersfoort"),
        ];
        let mut org_ids = Vec::new();
        for name in orgs {
            org_ids.push(organisation::insert(&mut tx, name, now).await?);
        }
        team_week::organisation_fields(&mut tx, &org_ids).await?;
        let started = today - Duration::days(2 * 365);
        let specs = [amersfoort(), zeeland()];
        let mut programme_ids = Vec::new();
        let mut team_ids = Vec::new();
        for spec in &specs {
            let p = programme::insert(
                &mut tx,
                &programme::NewProgramme {
                    name: spec.name,
                    starts_on: started,
                    ends_on: None,
                    norms: spec.norms,
                    plan_first_weeks: 6,
                    plan_review_weeks: 13,
                    hourly_rate_cents: 9_500,
                    thresholds: Default::default(),
                },
                now,
            )
            .await?;
            wrapcare_store::questionnaire::set_schedule(
                &mut tx,
                p,
                &wrapcare_core::questionnaire::schedule::default_schedule(),
            )
            .await?;
            programme_ids.push(p);
            team_ids.push(team::insert(&mut tx, spec.team, p, now).await?);
        }

        let mut add_user = async |tx: &mut Tx,
                                  email: &str,
                                  name: &str,
                                  role: Role,
                                  team_id: Option<i64>|
               -> Result<i64> {
            let id = user::insert(
                tx,
                &user::NewUser {
                    email,
                    name,
                    role,
                    team_id,
                    password_hash: &hash,
                },
                now,
            )
            .await?;
            logins.push(DemoLogin {
                email: email.to_string(),
                name: name.to_string(),
                role,
            });
            Ok(id)
        };

        add_user(
            &mut tx,
            "admin@demo.wrapcare.nl",
            "Ada Beheer",
            Role::Admin,
            None,
        )
        .await?;
        let leider = add_user(
            &mut tx,
            "leider@demo.wrapcare.nl",
            "Marjolein van Dam",
            Role::Supervisor,
            Some(team_ids[0]),
        )
        .await?;
        let werkbegeleider = add_user(
            &mut tx,
            "werkbegeleider@demo.wrapcare.nl",
            "Hans Oosterhuis",
            Role::Supervisor,
            Some(team_ids[0]),
        )
        .await?;
        let intake = add_user(
            &mut tx,
            "intake@demo.wrapcare.nl",
            "Ilona de Ridder",
            Role::Intake,
            None,
        )
        .await?;
        let analyst = add_user(
            &mut tx,
            "analist@demo.wrapcare.nl",
            "Ruben Cijfers",
            Role::Analyst,
            None,
        )
        .await?;
        add_user(
            &mut tx,
            "privacy@demo.wrapcare.nl",
            "Priya Wetering",
            Role::PrivacyOfficer,
            None,
        )
        .await?;
        let zeeland_leider = add_user(
            &mut tx,
            "zeeland-leider@demo.wrapcare.nl",
            "Corrie Minderhoud",
            Role::Supervisor,
            Some(team_ids[1]),
        )
        .await?;

        // Amersfoort: project leader, work supervisor, five coordinators from five
        // organisations; the RIAGG worker was replaced by one from Centrum Maliebaan.
        let mut workers_of_team: [Vec<i64>; 2] = [Vec::new(), Vec::new()];
        let w = worker::insert(
            &mut tx,
            &worker::NewWorker {
                name: "Marjolein van Dam",
                team_id: team_ids[0],
                home_organisation_id: org_ids[0],
                job: "project_leader",
                user_id: Some(leider),
            },
            now,
        )
        .await?;
        let mut lead_workers = [w, w];
        worker::insert_secondment(&mut tx, w, 24 * 60, started, None).await?;
        let w = worker::insert(
            &mut tx,
            &worker::NewWorker {
                name: "Hans Oosterhuis",
                team_id: team_ids[0],
                home_organisation_id: org_ids[4],
                job: "supervisor",
                user_id: Some(werkbegeleider),
            },
            now,
        )
        .await?;
        worker::insert_secondment(&mut tx, w, 16 * 60, started, None).await?;
        let amersfoort_coaches: [(&str, &str, usize, i64); 5] = [
            ("coach1@demo.wrapcare.nl", "Sanne Verbeek", 1, 32),
            ("coach2@demo.wrapcare.nl", "Youssef Amrani", 3, 32),
            ("coach3@demo.wrapcare.nl", "Linda Hofstede", 6, 32),
            ("coach4@demo.wrapcare.nl", "Erik Wolters", 4, 32),
            ("coach5@demo.wrapcare.nl", "Miriam Koopman", 5, 16),
        ];
        let replaced_on = today - Duration::days(300);
        // The RIAGG worker who left: history only, no login any more.
        let riagg = worker::insert(
            &mut tx,
            &worker::NewWorker {
                name: "Gerard Schipper",
                team_id: team_ids[0],
                home_organisation_id: org_ids[2],
                job: "coordinator",
                user_id: None,
            },
            now,
        )
        .await?;
        worker::insert_secondment(&mut tx, riagg, 32 * 60, started, Some(replaced_on)).await?;
        for (email, name, org_index, hours) in amersfoort_coaches {
            let u = add_user(&mut tx, email, name, Role::Coordinator, Some(team_ids[0])).await?;
            let w = worker::insert(
                &mut tx,
                &worker::NewWorker {
                    name,
                    team_id: team_ids[0],
                    home_organisation_id: org_ids[org_index],
                    job: "coordinator",
                    user_id: Some(u),
                },
                now,
            )
            .await?;
            let from = if org_index == 6 { replaced_on } else { started };
            worker::insert_secondment(&mut tx, w, hours * 60, from, None).await?;
            workers_of_team[0].push(w);
        }
        let w = worker::insert(
            &mut tx,
            &worker::NewWorker {
                name: "Corrie Minderhoud",
                team_id: team_ids[1],
                home_organisation_id: org_ids[7],
                job: "project_leader",
                user_id: Some(zeeland_leider),
            },
            now,
        )
        .await?;
        lead_workers[1] = w;
        worker::insert_secondment(&mut tx, w, 32 * 60, started, None).await?;
        for (i, name) in [
            "Pieter Lievense",
            "Annemiek de Kam",
            "Jurgen Boone",
            "Meryem Aksoy",
        ]
        .into_iter()
        .enumerate()
        {
            let email = format!("ipt{}@demo.wrapcare.nl", i + 1);
            let u = add_user(&mut tx, &email, name, Role::Coordinator, Some(team_ids[1])).await?;
            let w = worker::insert(
                &mut tx,
                &worker::NewWorker {
                    name,
                    team_id: team_ids[1],
                    home_organisation_id: org_ids[7],
                    job: "coordinator",
                    user_id: Some(u),
                },
                now,
            )
            .await?;
            worker::insert_secondment(&mut tx, w, 36 * 60, started, None).await?;
            workers_of_team[1].push(w);
        }

        // The families. Amersfoort: coach1 at capacity (3); coach5, part-time with
        // room for 1.5 families, was just given a second: over capacity.
        use Plan::*;
        let amersfoort_plans: Vec<Plan> = vec![
            InCare {
                coordinator: 0,
                phase: 3,
            },
            InCare {
                coordinator: 0,
                phase: 2,
            },
            InCare {
                coordinator: 0,
                phase: 4,
            },
            InCare {
                coordinator: 1,
                phase: 1,
            },
            Assigned { coordinator: 1 },
            InCare {
                coordinator: 2,
                phase: 3,
            },
            InCare {
                coordinator: 2,
                phase: 2,
            },
            InCare {
                coordinator: 3,
                phase: 3,
            },
            InCare {
                coordinator: 4,
                phase: 1,
            },
            InCare {
                coordinator: 4,
                phase: 2,
            },
            Waiting { past_norm: true },
            Waiting { past_norm: true },
            Waiting { past_norm: false },
            Waiting { past_norm: false },
            Waiting { past_norm: false },
            Closed {
                coordinator: 0,
                reason: ClosureReason::GoalsReached,
            },
            Closed {
                coordinator: 1,
                reason: ClosureReason::GoalsReached,
            },
            Closed {
                coordinator: 2,
                reason: ClosureReason::Moved,
            },
            Closed {
                coordinator: 3,
                reason: ClosureReason::GoalsReached,
            },
            Closed {
                coordinator: 1,
                reason: ClosureReason::DroppedOut,
            },
            Closed {
                coordinator: 4,
                reason: ClosureReason::ReferredElsewhere,
            },
            Closed {
                coordinator: 3,
                reason: ClosureReason::GoalsReached,
            },
            Closed {
                coordinator: 2,
                reason: ClosureReason::Other,
            },
            Closed {
                coordinator: 0,
                reason: ClosureReason::GoalsReached,
            },
            Closed {
                coordinator: 4,
                reason: ClosureReason::GoalsReached,
            },
            Withdrawn,
            Withdrawn,
            Declined,
            ToScreen,
            ToScreen,
            ToScreen,
        ];
        let zeeland_plans: Vec<Plan> = vec![
            InCare {
                coordinator: 0,
                phase: 3,
            },
            InCare {
                coordinator: 0,
                phase: 2,
            },
            InCare {
                coordinator: 0,
                phase: 1,
            },
            InCare {
                coordinator: 0,
                phase: 4,
            },
            InCare {
                coordinator: 1,
                phase: 3,
            },
            InCare {
                coordinator: 1,
                phase: 3,
            },
            InCare {
                coordinator: 1,
                phase: 2,
            },
            InCare {
                coordinator: 2,
                phase: 1,
            },
            InCare {
                coordinator: 2,
                phase: 3,
            },
            Assigned { coordinator: 2 },
            InCare {
                coordinator: 3,
                phase: 3,
            },
            InCare {
                coordinator: 3,
                phase: 4,
            },
            InCare {
                coordinator: 3,
                phase: 3,
            },
            Waiting { past_norm: true },
            Waiting { past_norm: false },
            Waiting { past_norm: false },
            Waiting { past_norm: true },
            Closed {
                coordinator: 0,
                reason: ClosureReason::GoalsReached,
            },
            Closed {
                coordinator: 1,
                reason: ClosureReason::GoalsReached,
            },
            Closed {
                coordinator: 2,
                reason: ClosureReason::DroppedOut,
            },
            Closed {
                coordinator: 3,
                reason: ClosureReason::GoalsReached,
            },
            Closed {
                coordinator: 0,
                reason: ClosureReason::Moved,
            },
            Closed {
                coordinator: 1,
                reason: ClosureReason::GoalsReached,
            },
            Closed {
                coordinator: 2,
                reason: ClosureReason::GoalsReached,
            },
            Closed {
                coordinator: 3,
                reason: ClosureReason::ReferredElsewhere,
            },
            Withdrawn,
            Declined,
            ToScreen,
        ];
        let modules = demo_catalogue(&mut tx, &org_ids, today, now).await?;
        let mut ctx = Ctx {
            modules,
            cared: 0,
            appointments: Default::default(),
            indication_ending: [false; 2],
            only_round_open: [false; 2],
            rng: StdRng::seed_from_u64(2009),
            replacement: (0, 2, riagg, replaced_on),
            team_index: 0,
            today,
            now,
            intake_user: intake,
            tx: &mut tx,
        };
        let mut families = 0;
        // The first family in care of each team and its coordinator, for the access history below.
        let mut in_care: [Option<(i64, i64)>; 2] = [None, None];
        // Every family in care of the first round with its coordinator, per team.
        let mut cared_for: [Vec<(i64, i64)>; 2] = [Vec::new(), Vec::new()];
        let supervisors = [leider, zeeland_leider];
        for round in 0..scale.max(1) {
            for (p, plans) in [&amersfoort_plans, &zeeland_plans].into_iter().enumerate() {
                ctx.team_index = p;
                let mut surnames: Vec<&str> = SURNAMES.to_vec();
                for (i, plan) in plans.iter().copied().enumerate() {
                    let base = surnames.remove((i * 7 + p * 3) % surnames.len());
                    let numbered;
                    let surname = if round == 0 {
                        base
                    } else {
                        numbered = format!("{base}-{round}");
                        numbered.as_str()
                    };
                    // Every seventh closed family comes back later with a new referral.
                    let comes_back = matches!(plan, Closed { .. }) && i % 4 == 1;
                    let family_id = ctx
                        .family_journey(
                            &specs[p],
                            programme_ids[p],
                            team_ids[p],
                            &workers_of_team[p],
                            supervisors[p],
                            surname,
                            plan,
                            None,
                            comes_back,
                        )
                        .await?;
                    if let (InCare { coordinator, .. }, Some(id), None) =
                        (plan, family_id, in_care[p])
                    {
                        let team = &workers_of_team[p];
                        in_care[p] = team.get(coordinator % team.len().max(1)).map(|w| (id, *w));
                    }
                    if let (InCare { coordinator, .. }, Some(id), 0) = (plan, family_id, round) {
                        let team = &workers_of_team[p];
                        if let Some(w) = team.get(coordinator % team.len().max(1)) {
                            cared_for[p].push((id, *w));
                        }
                    }
                    if let (Some(family_id), true) = (family_id, comes_back) {
                        let again = if i % 8 == 1 {
                            Waiting { past_norm: false }
                        } else {
                            InCare {
                                coordinator: (i + 1) % workers_of_team[p].len().max(1),
                                phase: 1,
                            }
                        };
                        ctx.family_journey(
                            &specs[p],
                            programme_ids[p],
                            team_ids[p],
                            &workers_of_team[p],
                            supervisors[p],
                            surname,
                            again,
                            Some(family_id),
                            false,
                        )
                        .await?;
                    }
                    families += 1;
                }
            }
        }
        let module_id = ctx.modules.ambulatory;
        for (p, cared) in cared_for.into_iter().enumerate() {
            let team = team_week::DemoTeam {
                team_id: team_ids[p],
                supervisor_user: supervisors[p],
                lead_worker: lead_workers[p],
                coordinators: workers_of_team[p].clone(),
                in_care: cared,
                module_id,
            };
            team_week::team_week(&mut tx, &team, p, today, now).await?;
        }
        if let [Some((amersfoort_family, coach)), Some((zeeland_family, _))] = in_care {
            let people = DemoPeople {
                amersfoort_coach: coach_user(&mut tx, &[coach]).await?,
                zeeland_supervisor: zeeland_leider,
                intake,
                analyst,
            };
            access_history(&mut tx, &people, amersfoort_family, zeeland_family, now).await?;
        }
        tx.commit().await?;
        self.store.analyze().await?;
        Ok(Some(DemoSummary { logins, families }))
    }
}

/// Who appears in the demo's access history.
struct DemoPeople {
    amersfoort_coach: Option<i64>,
    zeeland_supervisor: i64,
    intake: i64,
    analyst: i64,
}

/// The login of the coordinator with the given worker record, if any.
async fn coach_user(tx: &mut Tx, workers: &[i64]) -> Result<Option<i64>> {
    for &w in workers {
        if let Some(found) = worker::get(tx, w).await?
            && found.user_id.is_some()
        {
            return Ok(found.user_id);
        }
    }
    Ok(None)
}

/// A few days of the access log for the privacy officer to review: a coach at
/// work, a supervisor of the other team who opened a file in a crisis at night
/// (an emergency access with its reason), and refusals of roles that do not
/// open files.
async fn access_history(
    tx: &mut Tx,
    people: &DemoPeople,
    amersfoort_family: i64,
    zeeland_family: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    use wrapcare_store::access_log::{Entry, append};
    use wrapcare_store::emergency_access;
    let at = |days: i64, hour: u32, minute: u32| {
        let day = (now - Duration::days(days)).date_naive();
        day.and_hms_opt(hour, minute, 0)
            .map_or(now, |t| t.and_utc())
    };
    let granted = at(3, 20, 41);
    let reason = "Crisisdienst Veiligheidshuis belde om 21.40 uur over een melding bij dit gezin; \
                  de eigen gezinscoach en de werkbegeleider waren niet bereikbaar. \
                  Ingezien: het plan en de afspraken over veiligheid.";
    let emergency = emergency_access::insert(
        tx,
        amersfoort_family,
        people.zeeland_supervisor,
        reason,
        granted,
        granted + Duration::hours(24),
    )
    .await?;
    let entry =
        |at, user_id, role, family_id: Option<i64>, action, outcome, emergency_access_id| Entry {
            at,
            user_id: Some(user_id),
            role,
            channel: "page",
            family_id,
            episode_id: None,
            referral_id: None,
            action,
            outcome,
            address: Some("192.0.2.17"),
            emergency_access_id,
            detail: None,
        };
    let mut entries = Vec::new();
    if let Some(coach) = people.amersfoort_coach {
        for (days, hour) in [(4, 8), (4, 13), (2, 9), (1, 10)] {
            entries.push(entry(
                at(days, hour, 5),
                coach,
                "coordinator",
                Some(amersfoort_family),
                "family.read",
                "allowed",
                None,
            ));
            entries.push(entry(
                at(days, hour, 9),
                coach,
                "coordinator",
                Some(amersfoort_family),
                "contact.read",
                "allowed",
                None,
            ));
        }
    }
    let zs = people.zeeland_supervisor;
    entries.push(entry(
        at(3, 8, 30),
        zs,
        "supervisor",
        Some(zeeland_family),
        "family.read",
        "allowed",
        None,
    ));
    entries.push(entry(
        granted - Duration::minutes(1),
        zs,
        "supervisor",
        Some(amersfoort_family),
        "family.read",
        "refused",
        None,
    ));
    entries.push(entry(
        granted,
        zs,
        "supervisor",
        Some(amersfoort_family),
        "family.emergency_access",
        "allowed",
        Some(emergency),
    ));
    entries.push(entry(
        granted + Duration::minutes(1),
        zs,
        "supervisor",
        Some(amersfoort_family),
        "family.read",
        "allowed",
        Some(emergency),
    ));
    entries.push(entry(
        granted + Duration::minutes(3),
        zs,
        "supervisor",
        Some(amersfoort_family),
        "plan.read",
        "allowed",
        Some(emergency),
    ));
    entries.push(entry(
        at(2, 11, 15),
        people.intake,
        "intake",
        Some(amersfoort_family),
        "family.read",
        "refused",
        None,
    ));
    entries.push(entry(
        at(1, 15, 2),
        people.analyst,
        "analyst",
        Some(zeeland_family),
        "family.read",
        "refused",
        None,
    ));
    entries.sort_by_key(|e| e.at);
    append(tx, &entries).await?;
    Ok(())
}

impl Ctx<'_> {
    fn days_ago(&self, days: i64) -> NaiveDate {
        self.today - Duration::days(days)
    }

    fn members(
        &mut self,
        spec: &ProgrammeSpec,
        surname: &str,
        received_on: NaiveDate,
        with_indications: bool,
    ) -> Vec<Member> {
        let rng = &mut self.rng;
        let mut members = Vec::new();
        let parents = if rng.random_bool(0.55) { 1 } else { 2 };
        for p in 0..parents {
            let given = GIVEN_ADULT.choose(rng).copied().unwrap_or("Sam");
            let age_days = rng.random_range(24 * 365..50 * 365);
            members.push(Member {
                given_name: given.to_string(),
                family_name: if p == 1 && rng.random_bool(0.4) {
                    SURNAMES.choose(rng).copied().unwrap_or(surname).to_string()
                } else {
                    surname.to_string()
                },
                role: MemberRole::Parent,
                parental_authority: true,
                birth: Some(Birth::Born(received_on - Duration::days(age_days))),
                bsn: rng.random_bool(0.8).then(|| demo_bsn(rng)),
                phone: Some(format!(
                    "06-{:08}",
                    rng.random_range(10_000_000..99_999_999)
                )),
                indications: Vec::new(),
            });
        }
        let children = rng.random_range(1..=3);
        for c in 0..children {
            // Siblings do not share a first name.
            let mut given = GIVEN_CHILD.choose(rng).copied().unwrap_or("Robin");
            while members.iter().any(|m: &Member| m.given_name == given) {
                given = GIVEN_CHILD.choose(rng).copied().unwrap_or("Robin");
            }
            let unborn = c == children - 1 && children > 1 && rng.random_bool(0.08);
            let birth = if unborn {
                Birth::Expected(received_on + Duration::days(rng.random_range(30..150)))
            } else {
                Birth::Born(received_on - Duration::days(rng.random_range(2 * 365..17 * 365)))
            };
            let indications = if with_indications && !unborn && (c == 0 || rng.random_bool(0.5)) {
                let starts_on = received_on - Duration::days(rng.random_range(0..21));
                vec![IndicationRecord {
                    number: format!(
                        "IND-{}-{:05}",
                        starts_on.format("%Y"),
                        rng.random_range(1..99_999)
                    ),
                    product: [
                        "Intensieve pedagogische thuishulp",
                        "Jeugdhulp ambulant",
                        "Verblijf deeltijd",
                        "Dagbehandeling",
                    ]
                    .choose(rng)
                    .copied()
                    .unwrap_or("Jeugdhulp ambulant")
                    .to_string(),
                    starts_on,
                    ends_on: starts_on + Duration::days(rng.random_range(180..560)),
                    issuer: spec.issuer.to_string(),
                }]
            } else {
                Vec::new()
            };
            members.push(Member {
                given_name: given.to_string(),
                family_name: surname.to_string(),
                role: MemberRole::Child,
                parental_authority: false,
                birth: Some(birth),
                bsn: (!unborn && rng.random_bool(0.9)).then(|| demo_bsn(rng)),
                phone: None,
                indications,
            });
        }
        members
    }

    /// One referral and what followed it; returns the family (when accepted).
    #[allow(clippy::too_many_arguments)]
    async fn family_journey(
        &mut self,
        spec: &ProgrammeSpec,
        programme_id: i64,
        team_id: i64,
        coordinators: &[i64],
        supervisor: i64,
        surname: &str,
        plan: Plan,
        existing_family: Option<i64>,
        comes_back: bool,
    ) -> Result<Option<i64>> {
        let norm_days = spec.norms.start_within_days();
        // How long ago the referral arrived, so that each state's later steps fit before today.
        let received_ago: i64 = match plan {
            Plan::ToScreen => self.rng.random_range(0..6),
            Plan::Declined => self.rng.random_range(20..400),
            Plan::Waiting { past_norm: true } => {
                self.rng.random_range(norm_days + 5..norm_days + 40)
            }
            Plan::Waiting { past_norm: false } => self.rng.random_range(3..norm_days - 14),
            Plan::Withdrawn => self.rng.random_range(60..450),
            Plan::Assigned { .. } => self.rng.random_range(25..50),
            Plan::InCare { phase, .. } => match phase {
                1 => self.rng.random_range(45..80),
                2 => self.rng.random_range(90..140),
                3 => self.rng.random_range(160..260),
                _ => self.rng.random_range(280..360),
            },
            Plan::Closed { .. } if comes_back => self.rng.random_range(500..540),
            Plan::Closed { .. } => self.rng.random_range(330..540),
        };
        let received_on = self.days_ago(received_ago);
        let with_indications = self.rng.random_bool(0.7);
        let source = if with_indications {
            ReferralSource::IndicationBody
        } else {
            ReferralSource::Cjg
        };
        let mut members = self.members(spec, surname, received_on, with_indications);
        // One family in care per team whose indication runs out in a few weeks,
        // so the demo shows that signal with the rest.
        if let Plan::InCare { phase: 3.., .. } = plan
            && !self.indication_ending[self.team_index]
            && let Some(ind) = members
                .iter_mut()
                .flat_map(|m| m.indications.iter_mut())
                .next()
        {
            let ends_on = self.today + Duration::days(24);
            if ind.starts_on < ends_on {
                ind.ends_on = ends_on;
                self.indication_ending[self.team_index] = true;
            }
        }
        let town = spec
            .towns
            .choose(&mut self.rng)
            .copied()
            .unwrap_or("Amersfoort");
        let urgency = match self.rng.random_range(0..10) {
            0 => Urgency::Crisis,
            1..=3 => Urgency::High,
            _ => Urgency::Normal,
        };
        let new = NewReferral {
            programme_id,
            source,
            referrer_name: if with_indications { format!("{} (indicatiesteller)", ["R. Kuijpers", "M. Hamidi", "J. van Wijk"].choose(&mut self.rng).copied().unwrap_or("R. Kuijpers")) } else { "CJG-medewerker T. Smulders".to_string() },
            referrer_contact: format!("{}-{:07}", spec.phone_prefix, self.rng.random_range(1_000_000..9_999_999)),
            received_on,
            urgency,
            reason: [
                "Meerdere hulpverleners betrokken zonder resultaat; ouders ervaren geen grip meer op de opvoeding.",
                "Schooluitval van de oudste, schulden en spanningen tussen ouders; eerdere ambulante hulp gestopt.",
                "Dreigende uithuisplaatsing; gezin wil met één vaste hulpverlener verder.",
                "Huisvestingsproblemen en psychische klachten van moeder; kinderen missen structuur.",
                "Na crisisopvang terug naar huis; begeleiding nodig bij het opbouwen van een veilig netwerk.",
            ]
            .choose(&mut self.rng)
            .copied()
            .unwrap_or("Vastgelopen hulp")
            .to_string(),
            home_language: LANGUAGES.choose(&mut self.rng).map(|l| l.to_string()),
            address: Some(format!("{} {}", STREETS.choose(&mut self.rng).copied().unwrap_or("Kamp"), self.rng.random_range(1..180))),
            postcode: Some(format!("{}{:02} {}{}", spec.postcode, self.rng.random_range(11..99), (b'A' + self.rng.random_range(0..20)) as char, (b'A' + self.rng.random_range(0..20)) as char)),
            city: Some(town.to_string()),
            phone: None,
            members,
        };
        let submitted_at = at(received_on, 9);
        let referral_id =
            referral::insert(self.tx, &new, self.intake_user, None, submitted_at).await?;
        // Inserted rows carry today's timestamps through `now`; submitted_at above is the real day.
        let decided_on =
            (received_on + Duration::days(self.rng.random_range(1..6))).min(self.today);
        match plan {
            Plan::ToScreen => return Ok(None),
            Plan::Declined => {
                referral::decline(
                    self.tx,
                    referral_id,
                    "Gezin valt buiten de doelgroep: reguliere hulp is nog niet ingezet.",
                    supervisor,
                    at(decided_on, 14),
                    1,
                )
                .await?;
                return Ok(None);
            }
            _ => {}
        }
        let family_id = match existing_family {
            Some(id) => id,
            None => {
                let surname_owned = surname.to_string();
                let id = family::insert(
                    self.tx,
                    &family::NewFamily {
                        surname: &surname_owned,
                        address: new.address.as_deref(),
                        postcode: new.postcode.as_deref(),
                        city: new.city.as_deref(),
                        phone: new.members.iter().find_map(|m| m.phone.as_deref()),
                        home_language: new.home_language.as_deref(),
                    },
                    self.now,
                )
                .await?;
                for m in &new.members {
                    let person = family::insert_person(
                        self.tx,
                        &family::NewPerson {
                            given_name: &m.given_name,
                            family_name: &m.family_name,
                            birth_date: match m.birth {
                                Some(Birth::Born(d)) => Some(d),
                                _ => None,
                            },
                            expected_birth_date: match m.birth {
                                Some(Birth::Expected(d)) => Some(d),
                                _ => None,
                            },
                            bsn: m.bsn.as_deref(),
                            phone: m.phone.as_deref(),
                        },
                        self.now,
                    )
                    .await?;
                    family::insert_membership(
                        self.tx,
                        id,
                        person,
                        m.role.as_str(),
                        m.parental_authority,
                        received_on,
                    )
                    .await?;
                    for i in &m.indications {
                        family::insert_indication(
                            self.tx,
                            &family::NewIndication {
                                person_id: person,
                                referral_id: Some(referral_id),
                                number: &i.number,
                                product: &i.product,
                                starts_on: i.starts_on,
                                ends_on: i.ends_on,
                                issuer: &i.issuer,
                            },
                        )
                        .await?;
                    }
                }
                id
            }
        };
        referral::accept(
            self.tx,
            referral_id,
            family_id,
            supervisor,
            at(decided_on, 15),
            1,
        )
        .await?;
        let reference_date = new.reference_date();
        let episode_id = episode::insert(
            self.tx,
            &episode::NewEpisode {
                family_id,
                referral_id,
                team_id,
                programme_id,
                urgency,
                accepted_on: decided_on,
                reference_date,
            },
            self.now,
        )
        .await?;
        let stored = episode::get(self.tx, episode_id)
            .await?
            .ok_or(crate::AppError::NotFound)?;
        let mut change = episode::StateChange::from(&stored);
        let (coordinator, target_phase, closure) = match plan {
            Plan::Waiting { .. } => return Ok(Some(family_id)),
            Plan::Withdrawn => {
                change.state = EpisodeState::Withdrawn;
                change.withdrawn_on = Some(
                    (decided_on + Duration::days(self.rng.random_range(10..40))).min(self.today),
                );
                change.withdrawal_reason =
                    Some("Gezin heeft zich teruggetrokken; hulp via de huisarts.".to_string());
                episode::update(self.tx, episode_id, &change, stored.version).await?;
                return Ok(Some(family_id));
            }
            Plan::Assigned { coordinator } => (coordinator, 0, None),
            Plan::InCare { coordinator, phase } => (coordinator, phase, None),
            Plan::Closed {
                coordinator,
                reason,
            } => (coordinator, 4, Some(reason)),
            Plan::ToScreen | Plan::Declined => return Ok(None),
        };
        let worker_id = coordinators.get(coordinator).copied().unwrap_or_default();
        let assigned_on =
            (decided_on + Duration::days(self.rng.random_range(7..55))).min(self.today);
        let (team, index, predecessor, handover_on) = self.replacement;
        let first = if team == self.team_index && index == coordinator && assigned_on < handover_on
        {
            predecessor
        } else {
            worker_id
        };
        episode::insert_assignment(
            self.tx,
            &episode::NewAssignment {
                episode_id,
                worker_id: first,
                starts_on: assigned_on,
                override_reason: None,
                assigned_by: supervisor,
            },
            self.now,
        )
        .await?;
        change.state = EpisodeState::Assigned;
        if target_phase == 0 {
            episode::update(self.tx, episode_id, &change, stored.version).await?;
            return Ok(Some(family_id));
        }
        let started_on =
            (assigned_on + Duration::days(self.rng.random_range(1..8))).min(self.today);
        change.state = EpisodeState::InCare;
        change.started_on = Some(started_on);
        change.waiting_days = Some(waiting_days(reference_date, started_on));
        let mut phase_on = started_on;
        for number in 1..=target_phase {
            let phase = Phase::from_number(i64::from(number)).unwrap_or(Phase::Engagement);
            if number > 1 {
                let gap = match number {
                    2 => 28,
                    3 => 42,
                    _ => 120,
                };
                phase_on =
                    (phase_on + Duration::days(gap + self.rng.random_range(0..14))).min(self.today);
            }
            episode::insert_phase_change(
                self.tx, episode_id, phase, phase_on, supervisor, self.now,
            )
            .await?;
            change.phase = Some(phase);
        }
        let closed_on = closure
            .map(|_| (phase_on + Duration::days(self.rng.random_range(20..60))).min(self.today));
        if first != worker_id && closed_on.is_none_or(|c| c > handover_on) {
            // Handed over on the day the replacement started (history, not an overwrite).
            episode::end_assignment(self.tx, episode_id, handover_on).await?;
            episode::insert_assignment(
                self.tx,
                &episode::NewAssignment {
                    episode_id,
                    worker_id,
                    starts_on: handover_on,
                    override_reason: None,
                    assigned_by: supervisor,
                },
                self.now,
            )
            .await?;
        }
        self.demo_plan(
            episode_id,
            family_id,
            started_on,
            target_phase,
            closed_on.unwrap_or(self.today),
            supervisor,
        )
        .await?;
        self.demo_contacts(
            episode_id,
            spec,
            started_on,
            closed_on.unwrap_or(self.today),
            (first, worker_id, handover_on),
            supervisor,
        )
        .await?;
        if target_phase >= 2 {
            self.demo_modules(episode_id, family_id, started_on, closed_on, supervisor)
                .await?;
        }
        if closed_on.is_none() {
            self.demo_appointments(episode_id, worker_id, supervisor)
                .await?;
        }
        let recorded_by = coach_user(self.tx, &[worker_id])
            .await?
            .unwrap_or(supervisor);
        let measured = measurements::Measured {
            episode_id,
            dates: wrapcare_core::questionnaire::EpisodeDates {
                started: Some(started_on),
                transition: (target_phase == 4).then_some(phase_on),
                closed: closed_on,
            },
            recorded_by,
            // A family in care with two rounds or more behind it has the
            // latest still to do, as in a busy week.
            leave_latest: closed_on.is_none(),
            leave_only_round: closed_on.is_none() && !self.only_round_open[self.team_index],
        };
        let left_only_round = measurements::measure(
            self.tx,
            &mut self.rng,
            crate::questionnaire::catalogue()?,
            &wrapcare_core::questionnaire::schedule::default_schedule(),
            &measured,
            self.today,
            self.now,
        )
        .await?;
        self.only_round_open[self.team_index] |= left_only_round;
        if let (Some(reason), Some(closed_on)) = (closure, closed_on) {
            episode::end_assignment(self.tx, episode_id, closed_on).await?;
            change.state = EpisodeState::Closed;
            change.closed_on = Some(closed_on);
            change.closure_reason = Some(reason);
        }
        episode::update(self.tx, episode_id, &change, stored.version).await?;
        Ok(Some(family_id))
    }
}

/// Goals as families and coordinators write them, with their five levels (−2 … +2).
const GOALS: &[(&str, &str, [&str; 5])] = &[
    (
        "school",
        "{child} gaat elke schooldag naar school",
        [
            "Verzuimt meer dan de helft van de dagen",
            "Gaat twee à drie dagen per week",
            "Gaat vier dagen per week",
            "Gaat elke dag",
            "Gaat elke dag en maakt zelf huiswerk",
        ],
    ),
    (
        "financial",
        "De schulden zijn in beeld en er is een afbetalingsregeling",
        [
            "Nieuwe schulden erbij",
            "Schulden nog niet op een rij",
            "Alle schulden op een rij, aanvraag schuldhulp loopt",
            "Regeling getroffen",
            "Regeling loopt drie maanden zonder achterstand",
        ],
    ),
    (
        "parenting",
        "Ouders houden samen een vast dagritme aan",
        [
            "Geen vaste tijden, veel ruzie 's avonds",
            "Soms vaste tijden",
            "Vaste eet- en bedtijden op doordeweekse dagen",
            "Ook in het weekend",
            "Ouders passen het ritme zelf aan als het nodig is",
        ],
    ),
    (
        "social_network",
        "Het gezin heeft drie mensen om op terug te vallen",
        [
            "Niemand",
            "Eén persoon, alleen bij crisis",
            "Drie mensen die bereid zijn te helpen",
            "Drie mensen die vaste taken hebben",
            "Het netwerk komt zelf bij elkaar",
        ],
    ),
    (
        "housing",
        "Het gezin woont in een passende, veilige woning",
        [
            "Dreigende uitzetting",
            "Huurachterstand, geen uitzetting",
            "Huur op tijd betaald, woning opgeruimd",
            "Urgentieverklaring voor grotere woning",
            "Verhuisd naar passende woning",
        ],
    ),
    (
        "mental_health",
        "Moeder heeft hulp voor haar somberheid",
        [
            "Geen hulp, vaak in bed",
            "Wachtlijst huisarts-POH",
            "Gesprekken bij de POH-GGZ lopen",
            "Behandeling en weer dagelijks actief",
            "Moeder herkent signalen en grijpt zelf in",
        ],
    ),
];

impl Ctx<'_> {
    /// A plan fitting how far the family is: none or a draft early on, agreed
    /// versions later, with scores that mostly rise; some reviews are left overdue.
    async fn demo_plan(
        &mut self,
        episode_id: i64,
        family_id: i64,
        started_on: NaiveDate,
        phase: u8,
        until: NaiveDate,
        by: i64,
    ) -> Result<()> {
        if phase == 1 && self.rng.random_bool(0.5) {
            return Ok(());
        }
        let members = family::members(self.tx, family_id, started_on).await?;
        let child = members
            .iter()
            .find(|m| m.role == "child")
            .map(|m| m.given_name.clone())
            .unwrap_or_else(|| "De oudste".into());
        let parent = members
            .iter()
            .find(|m| m.role == "parent")
            .map(|m| m.given_name.clone());
        let mut picks: Vec<usize> = (0..GOALS.len()).collect();
        let count = self.rng.random_range(2..=3);
        let mut goals = Vec::new();
        for g in 0..count {
            let index = picks.remove(self.rng.random_range(0..picks.len()));
            let (domain, description, levels) = GOALS[index];
            let concerns_child = domain == "school";
            goals.push(Goal {
                key: format!("g{g}-{episode_id}"),
                domain: domain.to_string(),
                description: description.replace("{child}", &child),
                persons: members
                    .iter()
                    .filter(|m| (m.role == "child") == concerns_child)
                    .map(|m| m.person_id)
                    .take(2)
                    .collect(),
                target_date: Some(started_on + Duration::days(self.rng.random_range(120..300))),
                levels: levels.map(str::to_string),
                baseline: if self.rng.random_bool(0.3) { -2 } else { -1 },
                weight: 1,
            });
        }
        let things = [
            "Afspraak maken met de mentor",
            "Samen de post doorlopen",
            "Weekschema op de koelkast",
            "Oma vragen voor de woensdag",
            "Aanmelden bij de huisarts",
        ];
        let actions = goals
            .iter()
            .enumerate()
            .map(|(i, g)| Action {
                key: format!("a{i}-{episode_id}"),
                goal_key: g.key.clone(),
                what: things[i % things.len()].to_string(),
                owner_kind: if i % 2 == 0 {
                    OwnerKind::FamilyMember
                } else {
                    OwnerKind::Coordinator
                },
                owner: if i % 2 == 0 {
                    parent.clone().unwrap_or_else(|| "Ouder".into())
                } else {
                    "Gezinscoach".into()
                },
                due_on: Some(started_on + Duration::days(30 + 20 * i as i64)),
                status: if phase >= 3 {
                    ActionStatus::Done
                } else {
                    ActionStatus::Open
                },
            })
            .collect();
        let helpers = ["Oma Truus", "Buurvrouw Ans", "Oom Kemal", "Trainer Ricardo"];
        let mut current = PlanContent {
            vision: format!("We willen weer rust in huis, en dat {child} het goed doet op school."),
            strengths: "Het gezin houdt van elkaar en zet door; oma woont dichtbij.".into(),
            concerns: "Geldzorgen en veel ruzie 's avonds.".into(),
            needs: "Eén vaste hulpverlener, hulp bij de post en steun van het netwerk.".into(),
            safety: SafetyPlan {
                risks: "Escalerende ruzie tussen ouders als er geldzorgen zijn.".into(),
                signs: "Harde stemmen, kinderen trekken zich terug op hun kamer.".into(),
                who_does_what: "Oma haalt de kinderen op; de ouders nemen een time-out.".into(),
                who_to_call: "Oma, de gezinscoach, buiten kantoortijd Veilig Thuis 0800-2000."
                    .into(),
            },
            goals,
            actions,
            network: vec![NetworkMember {
                key: format!("n0-{episode_id}"),
                name: helpers[self.rng.random_range(0..helpers.len())].into(),
                relation: "netwerk".into(),
                contact: format!("06-{:08}", self.rng.random_range(10_000_000..99_999_999)),
                part: "Springt bij als het thuis te veel wordt".into(),
            }],
        };
        // Early families keep a draft; later ones have one or more agreed versions.
        let agreed_versions: usize = match phase {
            1 | 2 => 0,
            3 => self.rng.random_range(1..=2),
            _ => self.rng.random_range(2..=3),
        };
        let mut number = 1;
        let mut agreed_on = started_on + Duration::days(self.rng.random_range(28..45));
        for v in 0..agreed_versions {
            if agreed_on > until {
                break;
            }
            let stamp = at(agreed_on, 11);
            let id = plan::insert_draft(self.tx, episode_id, number, &current, by, stamp).await?;
            let agreement = plan::Agreement {
                agreed_by: "Ouders",
                agreed_on,
                how: AgreementMethod::ALL[v % AgreementMethod::ALL.len()],
                recorded_by: by,
                goals: &current.goals,
            };
            plan::agree(self.tx, id, &agreement, 1, stamp).await?;
            // Scores between agreements, mostly rising.
            for g in &current.goals {
                let step = i8::try_from(v).unwrap_or(0) + 1 + self.rng.random_range(-1..=1);
                let level = (g.baseline + step).clamp(-2, 2);
                let scored_on =
                    (agreed_on + Duration::days(self.rng.random_range(30..80))).min(until);
                plan::insert_score(
                    self.tx,
                    episode_id,
                    &g.key,
                    scored_on,
                    level,
                    by,
                    at(scored_on, 12),
                )
                .await?;
            }
            number += 1;
            agreed_on += Duration::days(self.rng.random_range(80..110));
            if let Some(g) = current.goals.first_mut() {
                g.description = format!(
                    "{} (bijgesteld)",
                    g.description.trim_end_matches(" (bijgesteld)")
                );
            }
        }
        if number == 1 || self.rng.random_bool(0.3) {
            plan::insert_draft(
                self.tx,
                episode_id,
                number,
                &current,
                by,
                at(until.min(self.today), 10),
            )
            .await?;
        }
        Ok(())
    }
}

/// Provider, name, code, type, unit, places and tariffs (from, cents) of a demo module.
type DemoModuleSpec<'a> = (
    i64,
    &'a str,
    &'a str,
    ModuleType,
    ModuleUnit,
    Option<i64>,
    &'a [(NaiveDate, i64)],
);

/// A catalogue like a region's: a residential stay, day treatment, family
/// training, leisure coaching; with tariff changes so costs cross them.
async fn demo_catalogue(
    tx: &mut Tx,
    org_ids: &[i64],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<DemoModules> {
    let org = |i: usize| org_ids.get(i).copied().unwrap_or_default();
    let two_years_ago = today - Duration::days(2 * 365);
    let half_year_ago = today - Duration::days(182);
    let specs: [DemoModuleSpec<'_>; 5] = [
        (
            org(5),
            "Logeerhuis De Boomgaard",
            "ZB-VERBL",
            ModuleType::Residential,
            ModuleUnit::Night,
            Some(6),
            &[(two_years_ago, 21_000), (half_year_ago, 22_450)],
        ),
        (
            org(7),
            "Dagbehandeling jonge kind",
            "JUV-DB01",
            ModuleType::DayTreatment,
            ModuleUnit::Day,
            Some(12),
            &[(two_years_ago, 14_500), (half_year_ago, 15_275)],
        ),
        (
            org(6),
            "Intensieve gezinstraining",
            "CM-IGT",
            ModuleType::Ambulatory,
            ModuleUnit::Hour,
            None,
            &[(two_years_ago, 9_800)],
        ),
        (
            org(3),
            "Vrijetijdsbegeleiding",
            "SOV-VTB",
            ModuleType::SpecificActivity,
            ModuleUnit::Session,
            None,
            &[(two_years_ago, 4_500)],
        ),
        (
            org(1),
            "Schuldhulp-coaching",
            "MEE-SHC",
            ModuleType::Other,
            ModuleUnit::Hour,
            None,
            &[(two_years_ago, 8_200)],
        ),
    ];
    let mut ids = Vec::new();
    for (organisation_id, name, code, module_type, unit, places, tariffs) in specs {
        let id = module::insert(
            tx,
            &module::NewModule {
                organisation_id,
                name,
                code,
                module_type,
                unit,
                places,
                active: true,
            },
            now,
        )
        .await?;
        for (valid_from, cents) in tariffs {
            module::add_tariff(
                tx,
                id,
                Tariff {
                    valid_from: *valid_from,
                    cents: *cents,
                },
                None,
                now,
            )
            .await?;
        }
        ids.push(id);
    }
    Ok(DemoModules {
        residential: ids[0],
        day_treatment: ids[1],
        ambulatory: ids[2],
        activity: ids[3],
    })
}

impl Ctx<'_> {
    /// A coordinator's contacts week by week. How far a family gets through its
    /// hour budget follows a cycle, so the demo has families under, near, at and
    /// over it; a few in care have had two thin weeks lately.
    async fn demo_contacts(
        &mut self,
        episode_id: i64,
        spec: &ProgrammeSpec,
        from: NaiveDate,
        until: NaiveDate,
        // The first coordinator, the one who took over, and from which day.
        (first, then, handover_on): (i64, i64, NaiveDate),
        by: i64,
    ) -> Result<()> {
        let norm = i64::from(spec.norms.weekly_minutes_per_family);
        let budget = i64::from(spec.norms.budget_minutes_per_family);
        let weeks = ((until - from).num_days() / 7).max(1);
        // The family meant to end exactly at its budget is generated a little
        // under it and topped up below.
        let exactly_at_budget = self.cared % 5 == 3;
        let share = [0.45, 0.7, 0.85, 0.93, 1.15][self.cared % 5];
        let mut logged = 0;
        let thin_lately = until == self.today && self.cared % 7 == 3;
        // And one in seven has had no contact for over two weeks.
        let quiet_lately = until == self.today && self.cared % 7 == 5;
        self.cared += 1;
        let weekly = ((budget as f64 * share) as i64 / weeks).clamp(norm / 3, norm * 8 / 5);
        let notes = [
            (
                ContactKind::HomeVisit,
                90..180,
                "Huisbezoek met ouders; afspraken uit het plan doorgelopen.",
            ),
            (
                ContactKind::PhoneVideo,
                15..40,
                "Telefonisch contact over de week.",
            ),
            (
                ContactKind::NetworkMeeting,
                60..120,
                "Netwerkberaad met school en opa en oma.",
            ),
            (
                ContactKind::ProviderMeeting,
                45..90,
                "Overleg met de aanbieder van de module.",
            ),
            (ContactKind::Travel, 20..45, ""),
            (ContactKind::Administration, 20..60, "Verslaglegging."),
        ];
        let mut monday = wrapcare_core::contact::week_of(from);
        while monday <= until {
            let recent = (self.today - monday).num_days() < 15;
            let mut left = if thin_lately && recent {
                norm / 5
            } else {
                weekly
            };
            left = (left as f64 * self.rng.random_range(0.75..1.25)) as i64;
            while left > 10 {
                let (kind, range, note) = notes
                    .choose(&mut self.rng)
                    .cloned()
                    .unwrap_or(notes[0].clone());
                let day = monday + Duration::days(self.rng.random_range(0..5));
                if day < from || day > until {
                    left -= 30;
                    continue;
                }
                let minutes = self.rng.random_range(range).min(left.max(15));
                // Nothing since the Monday of the week before last, and at least 15 days.
                let quiet_since = (wrapcare_core::contact::week_of(self.today)
                    - Duration::weeks(2))
                .min(self.today - Duration::days(15));
                if quiet_lately && day >= quiet_since {
                    left -= minutes;
                    continue;
                }
                contact::insert(
                    self.tx,
                    &contact::NewContact {
                        episode_id,
                        worker_id: if day < handover_on { first } else { then },
                        contact_on: day,
                        minutes,
                        kind,
                        participants: if kind == ContactKind::HomeVisit {
                            "Moeder, vader, kinderen"
                        } else {
                            ""
                        },
                        note,
                        replaces_id: None,
                        created_by: by,
                    },
                    at(day, 17),
                )
                .await?;
                left -= minutes;
                logged += minutes;
            }
            monday += Duration::weeks(1);
        }
        // Administration on the last working days makes up the difference, when
        // the episode ran long enough for that to be a normal week's work.
        let mut gap = budget - logged;
        let mut day = until;
        if exactly_at_budget && !quiet_lately && gap > 0 && gap <= 40 * 60 {
            while gap > 0 && day >= from {
                if wrapcare_core::contact::week_of(day) != day - Duration::days(6)
                    && wrapcare_core::contact::week_of(day) != day - Duration::days(5)
                {
                    let minutes = gap.min(180);
                    contact::insert(
                        self.tx,
                        &contact::NewContact {
                            episode_id,
                            worker_id: if day < handover_on { first } else { then },
                            contact_on: day,
                            minutes,
                            kind: ContactKind::Administration,
                            participants: "",
                            note: "Verslaglegging en evaluatie.",
                            replaces_id: None,
                            created_by: by,
                        },
                        at(day, 18),
                    )
                    .await?;
                    gap -= minutes;
                }
                day -= Duration::days(1);
            }
        }
        Ok(())
    }

    /// The appointments of a family in care around today: one of the last
    /// few days (still to confirm, or called off) and one of today or the
    /// next days, each coordinator's spread over the days without overlaps.
    async fn demo_appointments(
        &mut self,
        episode_id: i64,
        worker_id: i64,
        supervisor: i64,
    ) -> Result<()> {
        let by = coach_user(self.tx, &[worker_id])
            .await?
            .unwrap_or(supervisor);
        let taken = self.appointments.entry(worker_id).or_default();
        let first = *taken;
        *taken += 2;
        let plans = [
            (
                ContactKind::HomeVisit,
                90,
                "Thuis",
                "Moeder, vader, kinderen",
                "Voortgang van de doelen bespreken",
            ),
            (
                ContactKind::NetworkMeeting,
                60,
                "Wijkcentrum",
                "Ouders, school, opa en oma",
                "Netwerkberaad: wie doet wat de komende weken",
            ),
        ];
        for (n, (kind, minutes, place, participants, purpose)) in plans.into_iter().enumerate() {
            let k = first + n;
            // The first of each family in the last days, the second today or soon.
            let offset = (k as i64 / 2) % 3;
            let day = if n == 0 {
                self.today - Duration::days(1 + offset)
            } else {
                self.today + Duration::days(offset)
            };
            let starts = [9 * 60, 11 * 60, 14 * 60][(k / 6) % 3] + 30 * ((k / 2) % 2) as u16;
            let slot = wrapcare_core::appointment::Slot {
                on: day,
                starts_minute: starts,
                ends_minute: starts + minutes,
            };
            let id = appointment::insert(
                self.tx,
                &appointment::NewAppointment {
                    episode_id,
                    worker_id,
                    slot,
                    kind,
                    place,
                    participants,
                    purpose,
                    created_by: by,
                },
                at(day - Duration::days(7), 10),
            )
            .await?;
            // Some of the week's past ones did not go ahead.
            if day < self.today && k % 6 == 4 {
                appointment::not_happened(
                    self.tx,
                    id,
                    "Afgezegd door het gezin: ziek.",
                    by,
                    at(day, 12),
                    1,
                )
                .await?;
            }
        }
        Ok(())
    }

    /// Modules brought in while the plan is carried out: a residential stay
    /// (running or ended), day treatment with days attended, or hours of
    /// family training, each for a child and a goal of the plan.
    async fn demo_modules(
        &mut self,
        episode_id: i64,
        family_id: i64,
        started_on: NaiveDate,
        closed_on: Option<NaiveDate>,
        by: i64,
    ) -> Result<()> {
        let until = closed_on.unwrap_or(self.today);
        let children: Vec<i64> = family::members(self.tx, family_id, started_on)
            .await?
            .into_iter()
            .filter(|m| m.role == "child" && m.birth_date.is_some())
            .map(|m| m.person_id)
            .collect();
        let Some(child) = children.first().copied() else {
            return Ok(());
        };
        let goal = plan::versions(self.tx, episode_id)
            .await?
            .first()
            .and_then(|v| v.content.goals.first().map(|g| g.key.clone()));
        let requested_on = (started_on + Duration::days(self.rng.random_range(10..30))).min(until);
        let pick = self.rng.random_range(0..10);
        let (module_id, kind) = match pick {
            0..=2 => (self.modules.residential, ModuleType::Residential),
            3..=5 => (self.modules.day_treatment, ModuleType::DayTreatment),
            6..=8 => (self.modules.ambulatory, ModuleType::Ambulatory),
            _ => (self.modules.activity, ModuleType::SpecificActivity),
        };
        let note = match kind {
            ModuleType::Residential => "Weekendlogeren om ouders te ontlasten.",
            ModuleType::DayTreatment => "Structuur overdag naast school.",
            _ => "",
        };
        let id = module::insert_referral(
            self.tx,
            &module::NewReferral {
                episode_id,
                module_id,
                goal_key: goal.as_deref(),
                requested_on,
                note,
                children: &[child],
                created_by: Some(by),
            },
            at(requested_on, 10),
        )
        .await?;
        let start = requested_on + Duration::days(self.rng.random_range(3..14));
        if start > until {
            return Ok(());
        }
        module::start(self.tx, id, start, 1, at(start, 10)).await?;
        // Some run on; others ended, most of them as planned.
        let length = match kind {
            ModuleType::Residential => self.rng.random_range(10..70),
            _ => self.rng.random_range(30..120),
        };
        let end = start + Duration::days(length);
        let ends = closed_on.is_some() || end < self.today && self.rng.random_bool(0.6);
        let last = if ends { end.min(until) } else { self.today };
        if ends {
            let reason = if self.rng.random_bool(0.8) {
                EndReason::Completed
            } else {
                EndReason::StoppedEarly
            };
            module::end(self.tx, id, last, reason, 2, at(last, 16)).await?;
        }
        if kind != ModuleType::Residential {
            let per_week = if kind == ModuleType::DayTreatment {
                3
            } else {
                1
            };
            let mut monday = wrapcare_core::contact::week_of(start);
            while monday <= last {
                for d in 0..per_week {
                    let day = monday + Duration::days(d * 2);
                    if day >= start && day <= last {
                        let units = if kind == ModuleType::Ambulatory {
                            self.rng.random_range(1..3)
                        } else {
                            1
                        };
                        module::record_delivery(self.tx, id, day, units, "import", at(day, 18))
                            .await?;
                    }
                }
                monday += Duration::weeks(1);
            }
        }
        Ok(())
    }
}
