//! The signals of a programme with 10,000 families in care: the set-based
//! queries and the domain's rules, as the attention page runs them, on SQLite
//! and (when `WRAPCARE_TEST_PG` reaches a server) PostgreSQL. Prints the
//! figures; the target is under 200 ms.
//!
//!     cargo bench -p wrapcare-app --bench signals [-- FAMILIES]
//!
//! `WRAPCARE_BENCH_KEEP=FILE` keeps a copy of the generated SQLite database
//! in FILE and leaves the generated PostgreSQL database in place (its URL is
//! printed; drop it when done). `WRAPCARE_BENCH_FROM=URL` (`sqlite://FILE`
//! or a PostgreSQL URL) times the reads on kept data without generating;
//! `WRAPCARE_BENCH_ONLY=postgres` leaves SQLite out.

use std::time::{Duration as Elapsed, Instant};

use chrono::{Duration, NaiveDate, Utc};
use wrapcare_app::signal::gather;
use wrapcare_core::contact::ContactKind;
use wrapcare_core::episode::{EpisodeState, Phase};
use wrapcare_core::plan::{AgreementMethod, Goal, PlanContent};
use wrapcare_core::programme::Norms;
use wrapcare_core::referral::{NewReferral, ReferralSource, Urgency};
use wrapcare_core::role::Role;
use wrapcare_core::signal::Thresholds;
use wrapcare_store::signal::{self, Scope};
use wrapcare_store::testing::TestDb;
use wrapcare_store::{
    Store, Tx, contact, episode, family, meeting, module, organisation, plan, programme, referral,
    team, user, worker,
};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const FAMILIES_PER_COORDINATOR: usize = 8;
const COORDINATORS_PER_TEAM: usize = 10;
const CONTACTS_PER_FAMILY: i64 = 20;
const RUNS: usize = 15;

fn referral_of(programme_id: i64, received_on: NaiveDate) -> NewReferral {
    NewReferral {
        programme_id,
        source: ReferralSource::IndicationBody,
        referrer_name: "Verwijzer".into(),
        referrer_contact: "030-0000000".into(),
        received_on,
        urgency: Urgency::Normal,
        reason: "Meervoudige problematiek".into(),
        home_language: None,
        address: None,
        postcode: None,
        city: Some("Middelburg".into()),
        phone: None,
        members: vec![],
    }
}

fn goal(key: &str, domain: &str) -> Goal {
    Goal {
        key: key.into(),
        domain: domain.into(),
        description: format!("Doel {key}"),
        persons: vec![],
        target_date: None,
        levels: Default::default(),
        baseline: -1,
        weight: 1,
    }
}

/// One programme with `families` families in care, spread over teams of ten
/// coordinators with eight families each; every family started some weeks
/// ago, has a plan with three goals and scores, twenty contacts, and now and
/// then a module waiting to start or an indication ending. The programme
/// asks the default schedule of questionnaires; each family took the
/// start's, and the rounds since are overdue.
async fn generate(store: &Store, families: usize, today: NaiveDate) -> Result<i64> {
    let now = Utc::now();
    let mut tx = store.write().await?;
    let org = organisation::insert(&mut tx, "Bench", now).await?;
    let programme_id = programme::insert(
        &mut tx,
        &programme::NewProgramme {
            name: "Bench IPT",
            starts_on: today - Duration::weeks(200),
            ends_on: None,
            norms: Norms {
                families_per_fte: 8,
                budget_minutes_per_family: 200 * 60,
                weekly_minutes_per_family: 4 * 60,
                start_within_weeks: 9,
                full_time_minutes_per_week: 36 * 60,
            },
            plan_first_weeks: 6,
            plan_review_weeks: 13,
            hourly_rate_cents: 9_500,
            thresholds: Default::default(),
        },
        now,
    )
    .await?;
    // The default schedule of questionnaires: every family is judged on it.
    wrapcare_store::questionnaire::set_schedule(
        &mut tx,
        programme_id,
        &wrapcare_core::questionnaire::schedule::default_schedule(),
    )
    .await?;
    let module_id = module::insert(
        &mut tx,
        &module::NewModule {
            organisation_id: org,
            name: "Dagbehandeling",
            code: "DB",
            module_type: wrapcare_core::module::ModuleType::DayTreatment,
            unit: wrapcare_core::module::ModuleUnit::Day,
            places: Some(20),
            active: true,
        },
        now,
    )
    .await?;
    let coordinators = families.div_ceil(FAMILIES_PER_COORDINATOR);
    let mut team_id = 0;
    let mut lead = 0;
    let mut workers = Vec::with_capacity(coordinators);
    for c in 0..coordinators {
        if c % COORDINATORS_PER_TEAM == 0 {
            let n = c / COORDINATORS_PER_TEAM;
            team_id = team::insert(&mut tx, &format!("Team {n}"), programme_id, now).await?;
            lead = user::insert(
                &mut tx,
                &user::NewUser {
                    email: &format!("lead{n}@bench.example"),
                    name: "Lead",
                    role: Role::Supervisor,
                    team_id: Some(team_id),
                    password_hash: "x",
                },
                now,
            )
            .await?;
        }
        let w = worker::insert(
            &mut tx,
            &worker::NewWorker {
                name: &format!("Coach {c}"),
                team_id,
                home_organisation_id: org,
                job: "coordinator",
                user_id: None,
            },
            now,
        )
        .await?;
        worker::insert_secondment(&mut tx, w, 36 * 60, today - Duration::weeks(200), None).await?;
        workers.push((w, team_id, lead));
    }
    for i in 0..families {
        let (worker_id, team_id, lead) = workers[i / FAMILIES_PER_COORDINATOR];
        add_family(
            &mut tx,
            i,
            programme_id,
            team_id,
            worker_id,
            lead,
            module_id,
            today,
        )
        .await?;
        if i % 1000 == 999 {
            tx.commit().await?;
            tx = store.write().await?;
        }
    }
    tx.commit().await?;
    store.analyze().await?;
    Ok(programme_id)
}

#[allow(clippy::too_many_arguments)]
async fn add_family(
    tx: &mut Tx,
    i: usize,
    programme_id: i64,
    team_id: i64,
    worker_id: i64,
    lead: i64,
    module_id: i64,
    today: NaiveDate,
) -> Result<()> {
    let now = Utc::now();
    let n = i as i64;
    // Started between 3 and 40 weeks ago.
    let started = today - Duration::days(21 + (n * 37) % 260);
    let reference = started - Duration::days(20 + n % 70);
    let r = referral::insert(tx, &referral_of(programme_id, reference), lead, None, now).await?;
    let family_id = family::insert(
        tx,
        &family::NewFamily {
            surname: &format!("Gezin {i}"),
            address: None,
            postcode: None,
            city: Some("Middelburg"),
            phone: None,
            home_language: None,
        },
        now,
    )
    .await?;
    referral::accept(tx, r, family_id, lead, now, 1).await?;
    let episode_id = episode::insert(
        tx,
        &episode::NewEpisode {
            family_id,
            referral_id: r,
            team_id,
            programme_id,
            urgency: Urgency::Normal,
            accepted_on: reference + Duration::days(3),
            reference_date: reference,
        },
        now,
    )
    .await?;
    episode::insert_assignment(
        tx,
        &episode::NewAssignment {
            episode_id,
            worker_id,
            starts_on: started - Duration::days(2),
            override_reason: None,
            assigned_by: lead,
        },
        now,
    )
    .await?;
    let phase = Phase::from_number(1 + (n % 4)).unwrap_or(Phase::Implementation);
    episode::update(
        tx,
        episode_id,
        &episode::StateChange {
            state: EpisodeState::InCare,
            started_on: Some(started),
            waiting_days: Some((started - reference).num_days()),
            phase: Some(phase),
            closed_on: None,
            closure_reason: None,
            withdrawn_on: None,
            withdrawal_reason: None,
        },
        1,
    )
    .await?;
    // The start's self-sufficiency, as most coordinators take it; the
    // rounds since are left for the schedule to ask.
    let scores = [wrapcare_core::questionnaire::Score {
        subscale: "total".into(),
        value: Some(2.5),
        answered: 12,
        items: 15,
    }];
    wrapcare_store::questionnaire::insert_measurement(
        tx,
        &wrapcare_store::questionnaire::NewMeasurement {
            episode_id,
            instrument: "self_sufficiency",
            instrument_version: 1,
            respondent: wrapcare_core::questionnaire::Respondent::Coordinator,
            occasion: wrapcare_core::questionnaire::Occasion::Start,
            taken_on: started,
            answers: r#"{"housing":2}"#,
            recorded_by: Some(lead),
            link_id: None,
            scores: &scores,
        },
        now,
    )
    .await?;
    episode::insert_phase_change(tx, episode_id, Phase::Engagement, started, lead, now).await?;
    if phase != Phase::Engagement {
        episode::insert_phase_change(
            tx,
            episode_id,
            phase,
            started + Duration::weeks(4),
            lead,
            now,
        )
        .await?;
    }
    // Twenty contacts, the latest a few days ago (some families longer).
    let span = (today - started).num_days().max(1);
    for c in 0..CONTACTS_PER_FAMILY {
        let ago = (span * c) / CONTACTS_PER_FAMILY + (n % 20);
        contact::insert(
            tx,
            &contact::NewContact {
                episode_id,
                worker_id,
                contact_on: today - Duration::days(ago.min(span)),
                minutes: 60 + (c * 17 + n) % 180,
                kind: ContactKind::ALL[(c as usize + i) % ContactKind::ALL.len()],
                participants: "moeder",
                note: "Huisbezoek; afspraken doorgenomen.",
                replaces_id: None,
                created_by: lead,
            },
            now,
        )
        .await?;
    }
    if (today - started).num_weeks() >= 6 {
        let content = PlanContent {
            vision: "Rust in huis".into(),
            goals: vec![
                goal("g1", "housing"),
                goal("g2", "parenting"),
                goal("g3", "school"),
            ],
            ..PlanContent::default()
        };
        let agreed_on = started + Duration::weeks(5);
        let id = plan::insert_draft(tx, episode_id, 1, &content, lead, now).await?;
        plan::agree(
            tx,
            id,
            &plan::Agreement {
                agreed_by: "Ouders",
                agreed_on,
                how: AgreementMethod::InPerson,
                recorded_by: lead,
                goals: &content.goals,
            },
            1,
            now,
        )
        .await?;
        for (k, g) in content.goals.iter().enumerate() {
            for s in 0..2 {
                let on = agreed_on + Duration::weeks(3 + 4 * s + k as i64);
                if on <= today {
                    plan::insert_score(
                        tx,
                        episode_id,
                        &g.key,
                        on,
                        (s as i8) - (k as i8 % 2),
                        lead,
                        now,
                    )
                    .await?;
                }
            }
        }
    }
    if i.is_multiple_of(5) {
        module::insert_referral(
            tx,
            &module::NewReferral {
                episode_id,
                module_id,
                goal_key: None,
                requested_on: today - Duration::days(n % 40),
                note: "",
                children: &[],
                created_by: Some(lead),
            },
            now,
        )
        .await?;
    }
    if i.is_multiple_of(3) {
        let person = family::insert_person(
            tx,
            &family::NewPerson {
                given_name: "Kind",
                family_name: &format!("Gezin {i}"),
                birth_date: NaiveDate::from_ymd_opt(2014, 5, 1),
                expected_birth_date: None,
                bsn: None,
                phone: None,
            },
            now,
        )
        .await?;
        family::insert_membership(tx, family_id, person, "child", false, reference).await?;
        family::insert_indication(
            tx,
            &family::NewIndication {
                person_id: person,
                referral_id: Some(r),
                number: &format!("IND-{i}"),
                product: "Intensieve ambulante hulp",
                starts_on: reference,
                ends_on: today + Duration::days(n % 120),
                issuer: "Intervence",
            },
        )
        .await?;
    }
    Ok(())
}

fn ms(d: Elapsed) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn measure(kind: &str, families: usize) -> Result<()> {
    let db = TestDb::of(kind).await;
    let today = Utc::now()
        .with_timezone(&chrono_tz::Europe::Amsterdam)
        .date_naive();
    let started = Instant::now();
    let programme_id = generate(&db.store, families, today).await?;
    let generated = started.elapsed();
    // Generating takes a minute or more; a kept copy lets one re-run the
    // reads alone while changing them (`WRAPCARE_BENCH_FROM`).
    let keep = std::env::var("WRAPCARE_BENCH_KEEP").ok();
    if let (Some(copy), "sqlite") = (&keep, kind) {
        wrapcare_store::testing::execute(&db.store, &format!("VACUUM INTO '{copy}'")).await;
        eprintln!("sqlite   kept a copy in {copy}");
    }
    time_reads(kind, &db.store, programme_id, today, families, generated).await?;
    if keep.is_some() && kind == "postgres" {
        eprintln!("postgres kept the database {}", db.url);
    } else {
        db.cleanup().await;
    }
    Ok(())
}

async fn time_reads(
    kind: &str,
    store: &Store,
    programme_id: i64,
    today: NaiveDate,
    families: usize,
    generated: Elapsed,
) -> Result<()> {
    let mut times = Vec::with_capacity(RUNS);
    let mut count = 0;
    for _ in 0..RUNS {
        let at = Instant::now();
        let mut tx = store.read_only().await?;
        let gathered = gather(&mut tx, Scope::Programme(programme_id), today).await?;
        tx.commit().await?;
        times.push(at.elapsed());
        count = gathered.signals.len();
    }
    // Each read alone, to see where the time goes when the total moves.
    let scope = Scope::Programme(programme_id);
    let this_monday = wrapcare_core::contact::week_of(today);
    let weeks = [
        this_monday - Duration::weeks(2),
        this_monday - Duration::weeks(1),
    ];
    macro_rules! alone {
        ($name:literal, $read:expr) => {{
            let mut spent = Vec::with_capacity(RUNS);
            for _ in 0..RUNS {
                let at = Instant::now();
                let mut tx = store.read_only().await?;
                let rows = $read(&mut tx).await?.len();
                tx.commit().await?;
                spent.push((at.elapsed(), rows));
            }
            spent.sort();
            let (median, rows) = spent[RUNS / 2];
            eprintln!(
                "{kind:<8}   {:<24} {rows:>6} rows, median {:.1} ms",
                $name,
                ms(median)
            );
        }};
    }
    alone!("episodes", |tx| signal::episodes(tx, scope, weeks));
    alone!("goals", |tx| signal::goals(
        tx,
        scope,
        Thresholds::default().goal_unchanged_since_at_most(today)
    ));
    alone!("requested modules", |tx| signal::requested_modules(
        tx, scope
    ));
    alone!("indications ending", |tx| signal::indications_ending(
        tx,
        scope,
        today,
        today + Duration::weeks(6)
    ));
    alone!("coordinators", |tx| signal::coordinators(tx, scope, today));
    alone!("acknowledgements", |tx| signal::acknowledgements(tx, scope));
    alone!("overdue actions", |tx| meeting::overdue_actions(
        tx, scope, today
    ));
    times.sort();
    println!(
        "{kind:<8} {families} families in care: {count} signals; median {:.1} ms, min {:.1} ms, max {:.1} ms over {RUNS} runs (data generated in {:.1} s)",
        ms(times[RUNS / 2]),
        ms(times[0]),
        ms(times[RUNS - 1]),
        generated.as_secs_f64()
    );
    Ok(())
}

fn main() -> Result<()> {
    let families = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<usize>().ok())
        .unwrap_or(10_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        if let Ok(url) = std::env::var("WRAPCARE_BENCH_FROM") {
            let store = Store::connect(&url).await?;
            store.migrate().await?;
            let today = Utc::now()
                .with_timezone(&chrono_tz::Europe::Amsterdam)
                .date_naive();
            let mut tx = store.read_only().await?;
            let id = programme::list(&mut tx)
                .await?
                .into_iter()
                .map(|p| p.id)
                .max();
            tx.commit().await?;
            let id = id.ok_or("no programme in the kept copy")?;
            let kind = if url.starts_with("sqlite:") {
                "sqlite"
            } else {
                "postgres"
            };
            return time_reads(kind, &store, id, today, families, Elapsed::ZERO).await;
        }
        if std::env::var("WRAPCARE_BENCH_ONLY").as_deref() != Ok("postgres") {
            measure("sqlite", families).await?;
        }
        if wrapcare_store::testing::postgres_reachable().await {
            measure("postgres", families).await?;
        } else {
            println!("postgres: no server at WRAPCARE_TEST_PG; skipped");
        }
        Ok(())
    })
}
