//! The family timeline and hour norms of a busy family (2,000 contacts, 50
//! module referrals): computing both and rendering them to HTML, as the pages
//! do after the queries. Run with `cargo bench -p wrapcare-web`.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use wrapcare_app::contact::summarise;
use wrapcare_app::timeline::{EpisodeSources, TimelineSources, TimelineView, build};
use wrapcare_core::contact::{ContactKind, EntryStatus};
use wrapcare_core::episode::{EpisodeState, Phase};
use wrapcare_core::module::{EndReason, ReferralState};
use wrapcare_core::programme::Norms;
use wrapcare_core::referral::Urgency;
use wrapcare_store::{contact, episode, module};
use wrapcare_web::i18n::{I18n, Lang, Tr};
use wrapcare_web::pages::Ctx;

fn day(offset: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 6).unwrap_or_default() + Duration::days(offset)
}

fn stamp() -> DateTime<Utc> {
    DateTime::from_timestamp(1_750_000_000, 0).unwrap_or_default()
}

fn busy_family() -> (episode::Episode, TimelineSources, Vec<contact::Contact>) {
    let e = episode::Episode {
        id: 1,
        family_id: 1,
        referral_id: 1,
        team_id: 1,
        programme_id: 1,
        state: EpisodeState::InCare,
        urgency: Urgency::Normal,
        accepted_on: day(0),
        reference_date: day(-20),
        started_on: Some(day(7)),
        waiting_days: Some(27),
        phase: Some(Phase::Engagement),
        phase_since: Some(day(7)),
        closed_on: None,
        closure_reason: None,
        withdrawn_on: None,
        withdrawal_reason: None,
        coordinator_id: Some(1),
        coordinator_name: Some("Sanne Verbeek".into()),
        coordinator_user_id: Some(1),
        assigned_since: Some(day(5)),
        from_indication: true,
        version: 1,
    };
    let kinds = ContactKind::ALL;
    let contacts: Vec<contact::Contact> = (0..2_000)
        .map(|i| contact::Contact {
            id: i,
            episode_id: 1,
            worker_id: 1,
            worker_name: "Sanne Verbeek".into(),
            contact_on: day(7 + i / 3),
            minutes: 30 + (i % 5) * 20,
            kind: kinds[(i % 6) as usize],
            participants: if i % 3 == 0 {
                "Moeder, kinderen".into()
            } else {
                String::new()
            },
            note: "Huisbezoek; afspraken uit het plan doorgelopen.".into(),
            status: if i % 50 == 0 {
                EntryStatus::Removed
            } else {
                EntryStatus::Active
            },
            replaces_id: None,
            created_at: stamp(),
            changed_at: None,
            change_reason: None,
            changed_by_name: None,
            version: 1,
        })
        .collect();
    let referrals: Vec<module::ModuleReferral> = (0..50)
        .map(|i| module::ModuleReferral {
            id: i,
            episode_id: 1,
            module_id: 1 + i % 4,
            goal_key: Some("g1".into()),
            state: if i % 2 == 0 {
                ReferralState::Ended
            } else {
                ReferralState::Started
            },
            requested_on: day(10 + i * 12),
            started_on: Some(day(14 + i * 12)),
            ended_on: (i % 2 == 0).then(|| day(30 + i * 12)),
            end_reason: (i % 2 == 0).then_some(EndReason::Completed),
            note: String::new(),
            created_at: stamp(),
            version: 1,
            children: vec![2],
        })
        .collect();
    let sources = TimelineSources {
        names: [(2, "Daan de Vries".to_string())].into_iter().collect(),
        modules: (1..=4)
            .map(|m| (m, (format!("Module {m}"), "Aanbieder".to_string())))
            .collect(),
        episodes: vec![EpisodeSources {
            episode: e.clone(),
            received_on: Some(day(-20)),
            assignments: vec![episode::Assignment {
                id: 1,
                worker_id: 1,
                worker_name: "Sanne Verbeek".into(),
                starts_on: day(5),
                ends_on: None,
                override_reason: None,
            }],
            phases: vec![episode::PhaseChange {
                phase: 1,
                starts_on: day(7),
            }],
            agreed_plans: vec![(1, day(40)), (2, day(130)), (3, day(220))],
            contacts: contacts.clone(),
            module_referrals: referrals,
        }],
    };
    (e, sources, contacts)
}

fn timeline_and_norms(c: &mut Criterion) {
    let (e, sources, contacts) = busy_family();
    let norms = Norms {
        families_per_fte: 3,
        budget_minutes_per_family: 12_000,
        weekly_minutes_per_family: 420,
        start_within_weeks: 9,
        full_time_minutes_per_week: 32 * 60,
    };
    let i18n = I18n::load();
    let ctx = Ctx {
        tr: Tr {
            i18n: &i18n,
            lang: Lang::Nl,
        },
        user: None,
        path: "",
    };
    let today = day(700);
    c.bench_function("timeline and norms: 2,000 contacts, 50 modules", |b| {
        b.iter(|| {
            let hours = summarise(&e, norms, contacts.clone(), today);
            let view = TimelineView {
                family_id: 1,
                surname: "de Vries".into(),
                entries: build(black_box(&sources)).into(),
                renditions: Default::default(),
            };
            let timeline = wrapcare_web::pages::module::timeline_body(&ctx, &view, false, 1);
            let norms_html = wrapcare_web::pages::contact::norms(&ctx, &hours);
            black_box(timeline.into_string().len() + norms_html.into_string().len())
        })
    });
}

criterion_group!(benches, timeline_and_norms);
criterion_main!(benches);
