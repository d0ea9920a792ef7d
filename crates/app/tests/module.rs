//! Service modules, the family timeline and the costs of care through the
//! application layer, on the demo, on SQLite and PostgreSQL.

use chrono::{Duration, NaiveDate};
use wrapcare_app::cost::PeriodQuery;
use wrapcare_app::module::{
    DeliveryInput, ModuleInput, ModuleReferralInput, ModuleReferralView, ModuleReferralsView,
    ModuleStepInput, ModuleView, TariffInput,
};
use wrapcare_app::{Actor, App, AppError, Config};
use wrapcare_core::contact::EntryStatus;
use wrapcare_core::episode::EpisodeState;
use wrapcare_core::module::{EndReason, ModuleType, ReferralState};
use wrapcare_core::timeline::EventKind;
use wrapcare_store::Store;

const PASSWORD: &str = "module-test-password";
const COACHES: [&str; 5] = [
    "coach1@demo.wrapcare.nl",
    "coach2@demo.wrapcare.nl",
    "coach3@demo.wrapcare.nl",
    "coach4@demo.wrapcare.nl",
    "coach5@demo.wrapcare.nl",
];

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

async fn demo(store: Store) -> App {
    let app = App::new(store, Config::default());
    app.load_demo(PASSWORD)
        .await
        .expect("demo")
        .expect("empty database");
    app
}

async fn actor(app: &App, email: &str) -> Actor {
    app.cli_actor(email).await.expect("demo login")
}

/// The (field, key) pairs of an `Invalid` answer; anything else fails the test.
fn refused<T: std::fmt::Debug>(result: Result<T, AppError>) -> Vec<(String, &'static str)> {
    match result {
        Err(AppError::Invalid(i)) => i.0.into_iter().map(|e| (e.field, e.key)).collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

fn has(errors: &[(String, &'static str)], field: &str, key: &str) -> bool {
    errors.iter().any(|(f, k)| f == field && *k == key)
}

async fn module_named(app: &App, admin: &Actor, name: &str) -> ModuleView {
    app.modules(admin)
        .await
        .expect("catalogue")
        .into_iter()
        .find(|m| m.name == name)
        .expect("demo module")
}

/// An Amersfoort coordinator's family in care for at least a month, with a
/// child and no referral to a module of `kind` yet; with the family's
/// coordinator and the child.
async fn family_without(app: &App, kind: ModuleType) -> (Actor, i64, i64) {
    let today = app.today();
    for email in COACHES {
        let coach = actor(app, email).await;
        for line in app.my_families(&coach).await.expect("mine") {
            let month_ago = today - Duration::days(30);
            if line.state != EpisodeState::InCare
                || line.accepted_on > month_ago
                || line.started_on.is_none_or(|s| s > month_ago)
            {
                continue;
            }
            let view = app
                .module_referrals(&coach, line.family_id)
                .await
                .expect("modules");
            if view.referrals.iter().any(|r| r.module_type == kind) {
                continue;
            }
            if let Some(child) = view.children.first() {
                return (coach, line.family_id, child.person_id);
            }
        }
    }
    panic!("the demo has no family in care without a {kind:?} module");
}

/// The referral in `view` that is not among `before`.
fn new_referral(before: &ModuleReferralsView, view: &ModuleReferralsView) -> ModuleReferralView {
    view.referrals
        .iter()
        .find(|r| before.referrals.iter().all(|b| b.id != r.id))
        .expect("the new referral")
        .clone()
}

fn referral(view: &ModuleReferralsView, id: i64) -> ModuleReferralView {
    view.referrals
        .iter()
        .find(|r| r.id == id)
        .expect("referral in view")
        .clone()
}

fn step(on: NaiveDate, reason: &str, version: i64) -> ModuleStepInput {
    ModuleStepInput {
        on: iso(on),
        reason: reason.into(),
        version,
    }
}

fn period(from: NaiveDate, to: NaiveDate) -> PeriodQuery {
    PeriodQuery {
        from: Some(iso(from)),
        to: Some(iso(to)),
    }
}

async fn admins_keep_the_catalogue(store: Store) {
    let app = demo(store).await;
    let admin = actor(&app, "admin@demo.wrapcare.nl").await;
    let catalogue = app.modules(&admin).await.expect("catalogue");
    assert_eq!(catalogue.len(), 5);
    let boomgaard = module_named(&app, &admin, "Logeerhuis De Boomgaard").await;
    assert_eq!(boomgaard.module_type, ModuleType::Residential);
    assert_eq!(boomgaard.places, Some(6));
    assert_eq!(boomgaard.tariffs.len(), 2);
    assert_eq!(
        boomgaard.current_tariff_cents,
        Some(22_450),
        "the tariff changed half a year ago"
    );
    let provider = boomgaard.organisation_id.to_string();
    let today = app.today();
    let module = |name: &str, module_type: &str, unit: &str, places: &str| ModuleInput {
        organisation_id: provider.clone(),
        name: name.into(),
        code: format!("T-{name}"),
        module_type: module_type.into(),
        unit: unit.into(),
        places: places.into(),
        active: String::new(),
    };
    let tariff = |euros: &str| TariffInput {
        valid_from: iso(today - Duration::days(30)),
        tariff_cents: String::new(),
        tariff_euros: euros.into(),
    };
    let id = app
        .create_module_with_tariff(
            &admin,
            &module("Gezinshuis", "residential", "night", "4"),
            &tariff("185,50"),
        )
        .await
        .expect("create");
    let created = module_named(&app, &admin, "Gezinshuis").await;
    assert_eq!(created.id, id);
    assert_eq!(created.current_tariff_cents, Some(18_550));
    assert_eq!(created.places, Some(4));
    assert_eq!(created.places_in_use, Some(0));
    assert!(created.active, "a new module is active");

    // Refused, field by field, and nothing stored.
    let errors = refused(
        app.create_module_with_tariff(
            &admin,
            &module("Cent", "residential", "night", "4"),
            &tariff("185,505"),
        )
        .await,
    );
    assert!(
        has(&errors, "tariff_euros", "error-tariff-whole-cents"),
        "{errors:?}"
    );
    let errors = refused(
        app.create_module_with_tariff(
            &admin,
            &module("Plaatsen", "ambulatory", "hour", "3"),
            &tariff("98"),
        )
        .await,
    );
    assert!(
        has(&errors, "places", "error-places-not-for-type"),
        "{errors:?}"
    );
    let errors = refused(
        app.create_module(
            &admin,
            &ModuleInput {
                organisation_id: "999999".into(),
                ..module("Onbekend", "other", "hour", "")
            },
        )
        .await,
    );
    assert!(
        has(&errors, "organisation_id", "error-unknown-organisation"),
        "{errors:?}"
    );
    let errors = refused(
        app.create_module(&admin, &module("Gezinshuis", "residential", "night", "2"))
            .await,
    );
    assert!(has(&errors, "name", "error-module-taken"), "{errors:?}");
    let errors = refused(
        app.create_module_with_tariff(
            &admin,
            &module("Beide", "residential", "night", ""),
            &tariff(""),
        )
        .await,
    );
    assert!(
        has(&errors, "places", "error-required") && has(&errors, "tariff_euros", "error-required"),
        "module and tariff errors together: {errors:?}"
    );
    let coach = actor(&app, "coach1@demo.wrapcare.nl").await;
    assert!(matches!(
        app.create_module_with_tariff(
            &coach,
            &module("Coach", "ambulatory", "hour", ""),
            &tariff("98")
        )
        .await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        app.add_tariff(&coach, id, &tariff("200")).await,
        Err(AppError::Forbidden)
    ));
    assert_eq!(
        app.modules(&admin).await.expect("catalogue").len(),
        6,
        "only the valid module was stored"
    );

    // A second tariff on the same day is refused; one on another day is added.
    let errors = refused(app.add_tariff(&admin, id, &tariff("190")).await);
    assert!(
        has(&errors, "valid_from", "error-tariff-date-taken"),
        "{errors:?}"
    );
    app.add_tariff(
        &admin,
        id,
        &TariffInput {
            valid_from: iso(today - Duration::days(10)),
            tariff_cents: "19000".into(),
            tariff_euros: String::new(),
        },
    )
    .await
    .expect("new tariff");
    let errors = refused(
        app.add_tariff(
            &admin,
            id,
            &TariffInput {
                valid_from: iso(today),
                tariff_cents: "190.5".into(),
                tariff_euros: String::new(),
            },
        )
        .await,
    );
    assert!(
        has(&errors, "tariff_cents", "error-tariff-whole-cents"),
        "{errors:?}"
    );
    let changed = module_named(&app, &admin, "Gezinshuis").await;
    assert_eq!(changed.current_tariff_cents, Some(19_000));
    assert_eq!(
        changed
            .tariffs
            .iter()
            .map(|t| (t.valid_from, t.cents))
            .collect::<Vec<_>>(),
        vec![
            (today - Duration::days(30), 18_550),
            (today - Duration::days(10), 19_000)
        ]
    );
    assert!(matches!(
        app.add_tariff(&admin, 999_999, &tariff("1")).await,
        Err(AppError::NotFound)
    ));

    // An update carries the version it was read at.
    app.update_module(
        &admin,
        id,
        &module("Gezinshuis", "residential", "night", "5"),
        changed.version,
    )
    .await
    .expect("update");
    assert!(matches!(
        app.update_module(
            &admin,
            id,
            &module("Gezinshuis", "residential", "night", "7"),
            changed.version
        )
        .await,
        Err(AppError::Stale)
    ));
    assert_eq!(
        module_named(&app, &admin, "Gezinshuis").await.places,
        Some(5)
    );
    // Intake and analysts do not see the catalogue.
    for email in ["intake@demo.wrapcare.nl", "analist@demo.wrapcare.nl"] {
        let other = actor(&app, email).await;
        assert!(
            matches!(app.modules(&other).await, Err(AppError::Forbidden)),
            "{email}"
        );
    }
}

async fn a_stay_counts_its_nights_at_each_nights_tariff(store: Store) {
    let app = demo(store).await;
    let admin = actor(&app, "admin@demo.wrapcare.nl").await;
    let today = app.today();
    let day = |n: i64| today - Duration::days(n);
    let boomgaard = module_named(&app, &admin, "Logeerhuis De Boomgaard").await;
    let (old, new) = (22_450, 23_000);
    assert_eq!(boomgaard.current_tariff_cents, Some(old));
    let (coach, family, child) = family_without(&app, ModuleType::Residential).await;
    let occupancy_before = app
        .module_occupancy(&coach, boomgaard.id, Some(day(20)), Some(day(5)))
        .await
        .expect("occupancy");
    let before = app.module_referrals(&coach, family).await.expect("modules");
    let request = ModuleReferralInput {
        module_id: boomgaard.id.to_string(),
        children: vec![child],
        goal_key: String::new(),
        requested_on: iso(day(20)),
        note: "Weekendlogeren".into(),
    };
    let view = app
        .request_module(&coach, family, &request)
        .await
        .expect("request");
    let first = new_referral(&before, &view);
    assert_eq!(first.state, ReferralState::Requested);
    assert_eq!(first.module_id, boomgaard.id);
    assert_eq!(
        first
            .children
            .iter()
            .map(|c| c.person_id)
            .collect::<Vec<_>>(),
        vec![child]
    );
    assert_eq!((first.units, first.cost_cents), (0, 0));

    // Not before the request.
    let errors = refused(
        app.start_module(&coach, family, first.id, &step(day(21), "", first.version))
            .await,
    );
    assert!(
        has(&errors, "on", "error-module-start-before-request"),
        "{errors:?}"
    );
    let view = app
        .start_module(&coach, family, first.id, &step(day(18), "", first.version))
        .await
        .expect("start");
    let first = referral(&view, first.id);
    assert_eq!(first.state, ReferralState::Started);
    assert_eq!(first.started_on, Some(day(18)));

    // The same child cannot stay somewhere else while this stay runs.
    let view = app
        .request_module(&coach, family, &request)
        .await
        .expect("second request");
    let second = view
        .referrals
        .iter()
        .find(|r| {
            r.id != first.id && r.state == ReferralState::Requested && r.module_id == boomgaard.id
        })
        .expect("second referral")
        .clone();
    let errors = refused(
        app.start_module(
            &coach,
            family,
            second.id,
            &step(day(16), "", second.version),
        )
        .await,
    );
    assert!(has(&errors, "on", "error-stay-overlap"), "{errors:?}");

    // The tariff changes in the middle of the stay.
    app.add_tariff(
        &admin,
        boomgaard.id,
        &TariffInput {
            valid_from: iso(day(14)),
            tariff_cents: new.to_string(),
            tariff_euros: String::new(),
        },
    )
    .await
    .expect("tariff change");
    let errors = refused(
        app.end_module(
            &coach,
            family,
            first.id,
            &step(day(19), "completed", first.version),
        )
        .await,
    );
    assert!(
        has(&errors, "on", "error-module-end-before-start"),
        "{errors:?}"
    );
    assert!(matches!(
        app.end_module(
            &coach,
            family,
            first.id,
            &step(day(10), "completed", first.version - 1)
        )
        .await,
        Err(AppError::Stale)
    ));
    let view = app
        .end_module(
            &coach,
            family,
            first.id,
            &step(day(10), "completed", first.version),
        )
        .await
        .expect("end");
    let first = referral(&view, first.id);
    assert_eq!(first.state, ReferralState::Ended);
    assert_eq!(first.end_reason, Some(EndReason::Completed));
    // Eight nights: four before the change at the old tariff, four from it at the new one.
    assert_eq!(first.units, 8);
    assert_eq!(first.unpriced_units, 0);
    assert_eq!(first.cost_cents, 4 * old + 4 * new);
    let errors = refused(
        app.end_module(
            &coach,
            family,
            first.id,
            &step(day(9), "completed", first.version),
        )
        .await,
    );
    assert!(
        has(&errors, "form", "error-module-already-ended"),
        "{errors:?}"
    );

    // Within the ended stay still overlaps; the day it ended another may begin.
    let errors = refused(
        app.start_module(
            &coach,
            family,
            second.id,
            &step(day(12), "", second.version),
        )
        .await,
    );
    assert!(has(&errors, "on", "error-stay-overlap"), "{errors:?}");
    let view = app
        .start_module(
            &coach,
            family,
            second.id,
            &step(day(10), "", second.version),
        )
        .await
        .expect("start on the day the other ended");
    let second = referral(&view, second.id);
    // From the 1st to the 3rd is two nights.
    let view = app
        .end_module(
            &coach,
            family,
            second.id,
            &step(day(8), "stopped_early", second.version),
        )
        .await
        .expect("end");
    let second = referral(&view, second.id);
    assert_eq!((second.units, second.cost_cents), (2, 2 * new));

    // Places in use: one more on each night of the two stays, no more on other days.
    let occupancy = app
        .module_occupancy(&coach, boomgaard.id, Some(day(20)), Some(day(5)))
        .await
        .expect("occupancy");
    assert_eq!(occupancy.days.len(), 16);
    assert_eq!(occupancy.module.places, Some(6));
    for (now, was) in occupancy.days.iter().zip(&occupancy_before.days) {
        assert_eq!(now.day, was.day);
        let ago = (today - now.day).num_days();
        let mine = i64::from((9..=18).contains(&ago));
        assert_eq!(now.in_use, was.in_use + mine, "{}", now.day);
    }
    assert!(matches!(
        app.module_occupancy(&coach, boomgaard.id, Some(day(5)), Some(day(20)))
            .await,
        Err(AppError::Invalid(_))
    ));
    assert!(matches!(
        app.module_occupancy(&coach, boomgaard.id, Some(day(400)), Some(day(5)))
            .await,
        Err(AppError::Invalid(_))
    ));
    assert!(matches!(
        app.module_occupancy(&coach, 999_999, None, None).await,
        Err(AppError::NotFound)
    ));

    // Another family's referral is not found through this family, nor this one by strangers.
    let mut foreign = None;
    'search: for email in COACHES {
        let owner = actor(&app, email).await;
        for line in app.my_families(&owner).await.expect("mine") {
            if line.family_id == family {
                continue;
            }
            let v = app
                .module_referrals(&owner, line.family_id)
                .await
                .expect("modules");
            if let Some(r) = v.referrals.first() {
                foreign = Some(r.clone());
                break 'search;
            }
        }
    }
    let foreign = foreign.expect("another family with a module");
    assert!(matches!(
        app.end_module(
            &coach,
            family,
            foreign.id,
            &step(day(1), "completed", foreign.version)
        )
        .await,
        Err(AppError::NotFound)
    ));
    for email in ["ipt1@demo.wrapcare.nl", "coach1@demo.wrapcare.nl"] {
        if email == coach.email {
            continue;
        }
        let stranger = actor(&app, email).await;
        assert!(
            matches!(
                app.module_referrals(&stranger, family).await,
                Err(AppError::NotFound)
            ),
            "{email}"
        );
        assert!(
            matches!(
                app.request_module(&stranger, family, &request).await,
                Err(AppError::NotFound)
            ),
            "{email}"
        );
        assert!(
            matches!(
                app.end_module(
                    &stranger,
                    family,
                    second.id,
                    &step(day(1), "completed", second.version)
                )
                .await,
                Err(AppError::NotFound)
            ),
            "{email}"
        );
    }
    let other_coach = if coach.email == "coach2@demo.wrapcare.nl" {
        "coach3@demo.wrapcare.nl"
    } else {
        "coach2@demo.wrapcare.nl"
    };
    let stranger = actor(&app, other_coach).await;
    assert!(matches!(
        app.timeline(&stranger, family).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        app.family_costs(&stranger, family, &PeriodQuery::default())
            .await,
        Err(AppError::NotFound)
    ));

    // The costs of the period of the first stay: its nights and the coordinator's hours.
    app.log_contact(
        &coach,
        family,
        &wrapcare_app::contact::ContactInput {
            contact_on: iso(day(15)),
            minutes: "7".into(),
            kind: "phone_video".into(),
            participants: String::new(),
            note: "Even bellen over het logeren".into(),
        },
    )
    .await
    .expect("contact");
    let costs = app
        .family_costs(&coach, family, &period(day(18), day(11)))
        .await
        .expect("costs");
    assert_eq!((costs.from, costs.to), (day(18), day(11)));
    assert_eq!(costs.families, 1);
    assert_eq!(costs.hourly_rate_cents, 9_500);
    let minutes: i64 = app
        .contacts(&coach, family)
        .await
        .expect("contacts")
        .entries
        .iter()
        .filter(|c| {
            c.status == EntryStatus::Active && c.contact_on >= day(18) && c.contact_on <= day(11)
        })
        .map(|c| c.minutes)
        .sum();
    assert!(minutes >= 7);
    assert_eq!(costs.coordinator_minutes, minutes);
    assert_eq!(
        costs.coordinator_cents,
        (minutes as f64 * 9_500.0 / 60.0).round() as i64
    );
    let line = costs
        .modules
        .iter()
        .find(|l| l.module_id == boomgaard.id)
        .expect("the stay's line");
    assert_eq!((line.units, line.unpriced_units), (8, 0));
    assert_eq!(line.cents, 4 * old + 4 * new);
    assert_eq!(
        costs.module_cents,
        costs.modules.iter().map(|l| l.cents).sum::<i64>()
    );
    assert_eq!(
        costs.total_cents,
        costs.coordinator_cents + costs.module_cents
    );
    // Both stays over a wider period; the second one's two nights at the new tariff.
    let wide = app
        .family_costs(&coach, family, &period(day(18), day(1)))
        .await
        .expect("costs");
    let line = wide
        .modules
        .iter()
        .find(|l| l.module_id == boomgaard.id)
        .expect("the stays' line");
    assert_eq!((line.units, line.cents), (10, 4 * old + 6 * new));
    let errors = refused(
        app.family_costs(&coach, family, &period(day(5), day(10)))
            .await,
    );
    assert!(has(&errors, "to", "error-ends-before-start"), "{errors:?}");
    let errors = refused(
        app.family_costs(
            &coach,
            family,
            &PeriodQuery {
                from: Some("gisteren".into()),
                to: None,
            },
        )
        .await,
    );
    assert!(has(&errors, "from", "error-date-format"), "{errors:?}");

    // The programme's costs: totals for analysts, not for coordinators.
    let analyst = actor(&app, "analist@demo.wrapcare.nl").await;
    let programme = app
        .programme_costs(&analyst, costs.programme_id, &period(day(18), day(11)))
        .await
        .expect("programme costs");
    assert!(programme.families >= 1);
    assert!(programme.coordinator_minutes >= costs.coordinator_minutes);
    let line = programme
        .modules
        .iter()
        .find(|l| l.module_id == boomgaard.id)
        .expect("the programme's stays");
    assert!(line.units >= 8 && line.cents >= 4 * old + 4 * new);
    assert_eq!(
        programme.total_cents,
        programme.coordinator_cents + programme.module_cents
    );
    assert!(matches!(
        app.programme_costs(&coach, costs.programme_id, &PeriodQuery::default())
            .await,
        Err(AppError::Forbidden)
    ));
    let errors = refused(
        app.programme_costs(&analyst, costs.programme_id, &period(day(1), day(2)))
            .await,
    );
    assert!(has(&errors, "to", "error-ends-before-start"), "{errors:?}");
    assert!(matches!(
        app.programme_costs(&analyst, 999_999, &PeriodQuery::default())
            .await,
        Err(AppError::NotFound)
    ));

    // The timeline tells it in date order, from the referral on.
    let timeline = app.timeline(&coach, family).await.expect("timeline");
    assert_eq!(timeline.family_id, family);
    let entries = &timeline.entries;
    assert_eq!(entries[0].kind, Some(EventKind::ReferralReceived));
    assert!(
        entries.windows(2).all(|w| w[0].on <= w[1].on),
        "entries in date order"
    );
    let at = |kind: EventKind, on: NaiveDate| {
        entries
            .iter()
            .filter(|e| {
                e.kind == Some(kind)
                    && e.on == on
                    && e.module.as_deref() == Some("Logeerhuis De Boomgaard")
            })
            .count()
    };
    assert_eq!(at(EventKind::ModuleRequested, day(20)), 2);
    assert_eq!(at(EventKind::ModuleStarted, day(18)), 1);
    assert_eq!(at(EventKind::ModuleEnded, day(10)), 1);
    assert_eq!(at(EventKind::ModuleStarted, day(10)), 1);
    assert_eq!(at(EventKind::ModuleEnded, day(8)), 1);
    let ended = entries
        .iter()
        .find(|e| e.kind == Some(EventKind::ModuleEnded) && e.on == day(8))
        .expect("end of the second stay");
    assert_eq!(ended.end_reason, Some(EndReason::StoppedEarly));
    assert_eq!(ended.children.len(), 1);
    let position = |pred: &dyn Fn(&wrapcare_app::timeline::TimelineEntry) -> bool| {
        entries.iter().position(pred).expect("entry")
    };
    let started = position(&|e| e.kind == Some(EventKind::ModuleStarted) && e.on == day(18));
    let call = position(&|e| {
        e.kind == Some(EventKind::Contact)
            && e.note.as_deref() == Some("Even bellen over het logeren")
    });
    let first_end = position(&|e| e.kind == Some(EventKind::ModuleEnded) && e.on == day(10));
    assert!(
        started < call && call < first_end,
        "the call falls within the stay"
    );
    assert!(
        entries
            .iter()
            .any(|e| e.kind == Some(EventKind::HelpStarted)),
        "a family in care has a start of help"
    );

    // Each read of the family's modules and timeline is in the access log, refusals too.
    let log = wrapcare_store::testing::access_log(app.store(), Some(family), 500).await;
    assert!(log.iter().any(|e| e.user_id == Some(coach.user_id)
        && e.action == "timeline.read"
        && e.outcome == "allowed"));
    assert!(log.iter().any(|e| e.user_id == Some(coach.user_id)
        && e.action == "module.read"
        && e.outcome == "allowed"));
    assert!(log.iter().any(|e| e.user_id == Some(stranger.user_id)
        && e.action == "timeline.read"
        && e.outcome == "refused"));
    assert!(log.iter().any(|e| e.user_id == Some(coach.user_id)
        && e.action == "cost.read"
        && e.outcome == "allowed"));
}

async fn delivered_days_fall_within_the_module(store: Store) {
    let app = demo(store).await;
    let admin = actor(&app, "admin@demo.wrapcare.nl").await;
    let today = app.today();
    let day = |n: i64| today - Duration::days(n);
    let day_care = module_named(&app, &admin, "Dagbehandeling jonge kind").await;
    assert_eq!(day_care.module_type, ModuleType::DayTreatment);
    let tariff = day_care.current_tariff_cents.expect("tariff");
    let (coach, family, child) = family_without(&app, ModuleType::DayTreatment).await;
    let occupancy_before = app
        .module_occupancy(&coach, day_care.id, Some(day(20)), Some(today))
        .await
        .expect("occupancy");
    let before = app.module_referrals(&coach, family).await.expect("modules");
    let request = |module_id: i64| ModuleReferralInput {
        module_id: module_id.to_string(),
        children: vec![child],
        goal_key: String::new(),
        requested_on: iso(day(20)),
        note: String::new(),
    };
    let view = app
        .request_module(&coach, family, &request(day_care.id))
        .await
        .expect("request");
    let r = new_referral(&before, &view);
    let delivery = |on: NaiveDate, units: &str| DeliveryInput {
        delivered_on: iso(on),
        units: units.into(),
    };
    let errors = refused(
        app.record_delivery(&coach, family, r.id, &delivery(day(13), "1"))
            .await,
    );
    assert!(
        has(&errors, "delivered_on", "error-module-not-started-yet"),
        "{errors:?}"
    );
    assert!(matches!(
        app.start_module(&coach, family, r.id, &step(day(14), "", r.version + 1))
            .await,
        Err(AppError::Stale)
    ));
    let view = app
        .start_module(&coach, family, r.id, &step(day(14), "", r.version))
        .await
        .expect("start");
    let r = referral(&view, r.id);
    app.record_delivery(&coach, family, r.id, &delivery(day(13), "1"))
        .await
        .expect("a day attended");
    app.record_delivery(&coach, family, r.id, &delivery(day(13), "1"))
        .await
        .expect("reported again");
    let view = app
        .record_delivery(&coach, family, r.id, &delivery(day(11), "1"))
        .await
        .expect("another day");
    let r = referral(&view, r.id);
    assert_eq!(r.units, 2, "a day reported twice counts once");
    assert_eq!(r.cost_cents, 2 * tariff);
    // One child attends at most one day a day; not before the start, nor in the future.
    for (on, units, field, key) in [
        (day(12), "2", "units", "error-units-per-day"),
        (day(12), "0", "units", "error-units-per-day"),
        (day(12), "een", "units", "error-units-per-day"),
        (
            day(15),
            "1",
            "delivered_on",
            "error-delivery-outside-module",
        ),
        (
            today + Duration::days(1),
            "1",
            "delivered_on",
            "error-date-in-future",
        ),
    ] {
        let errors = refused(
            app.record_delivery(&coach, family, r.id, &delivery(on, units))
                .await,
        );
        assert!(has(&errors, field, key), "{on} {units}: {errors:?}");
    }
    let view = app
        .end_module(&coach, family, r.id, &step(day(5), "completed", r.version))
        .await
        .expect("end");
    let r = referral(&view, r.id);
    let errors = refused(
        app.record_delivery(&coach, family, r.id, &delivery(day(4), "1"))
            .await,
    );
    assert!(
        has(&errors, "delivered_on", "error-delivery-outside-module"),
        "{errors:?}"
    );
    app.record_delivery(&coach, family, r.id, &delivery(day(5), "1"))
        .await
        .expect("the last day counts");
    let r = referral(
        &app.module_referrals(&coach, family).await.expect("modules"),
        r.id,
    );
    assert_eq!((r.units, r.cost_cents), (3, 3 * tariff));
    // Day treatment takes a place on each day from its start to its end, both included.
    let occupancy = app
        .module_occupancy(&coach, day_care.id, Some(day(20)), Some(today))
        .await
        .expect("occupancy");
    assert_eq!(occupancy.days.len(), 21);
    for (now, was) in occupancy.days.iter().zip(&occupancy_before.days) {
        let ago = (today - now.day).num_days();
        let mine = i64::from((5..=14).contains(&ago));
        assert_eq!(now.in_use, was.in_use + mine, "{}", now.day);
    }
    // A stay's nights follow from its dates, never from deliveries.
    let boomgaard = module_named(&app, &admin, "Logeerhuis De Boomgaard").await;
    let before = app.module_referrals(&coach, family).await.expect("modules");
    let view = app
        .request_module(&coach, family, &request(boomgaard.id))
        .await
        .expect("request");
    let stay = new_referral(&before, &view);
    let errors = refused(
        app.record_delivery(&coach, family, stay.id, &delivery(day(3), "1"))
            .await,
    );
    assert!(
        has(&errors, "units", "error-delivery-nights-follow-dates"),
        "{errors:?}"
    );
    // A request names a module, a child of the family and a day since acceptance.
    let errors = refused(
        app.request_module(
            &coach,
            family,
            &ModuleReferralInput {
                module_id: "999999".into(),
                children: vec![],
                goal_key: "no-such-goal".into(),
                requested_on: iso(today + Duration::days(1)),
                note: String::new(),
            },
        )
        .await,
    );
    for (field, key) in [
        ("module_id", "error-unknown-module"),
        ("children", "error-choose-child"),
        ("goal_key", "error-unknown-goal"),
        ("requested_on", "error-date-in-future"),
    ] {
        assert!(has(&errors, field, key), "{field}: {errors:?}");
    }
    let errors = refused(
        app.request_module(
            &coach,
            family,
            &ModuleReferralInput {
                children: vec![child, 999_999],
                ..request(day_care.id)
            },
        )
        .await,
    );
    assert!(
        has(&errors, "children", "error-not-a-child-of-family"),
        "{errors:?}"
    );
    assert_eq!(
        app.module_referrals(&coach, family)
            .await
            .expect("modules")
            .referrals
            .len(),
        before.referrals.len() + 1,
        "the refused requests stored nothing"
    );
}

async fn offered_modules_show_the_places_taken(store: Store) {
    let app = demo(store).await;
    let admin = actor(&app, "admin@demo.wrapcare.nl").await;
    let today = app.today();
    let boomgaard = module_named(&app, &admin, "Logeerhuis De Boomgaard").await;
    let (coach, family, child) = family_without(&app, ModuleType::Residential).await;
    let before = app.module_referrals(&coach, family).await.expect("modules");
    let view = app
        .request_module(
            &coach,
            family,
            &ModuleReferralInput {
                module_id: boomgaard.id.to_string(),
                children: vec![child],
                goal_key: String::new(),
                requested_on: iso(today - Duration::days(3)),
                note: String::new(),
            },
        )
        .await
        .expect("request");
    let stay = new_referral(&before, &view);
    app.start_module(
        &coach,
        family,
        stay.id,
        &step(today - Duration::days(2), "", stay.version),
    )
    .await
    .expect("a stay running tonight");
    let in_catalogue = module_named(&app, &admin, "Logeerhuis De Boomgaard")
        .await
        .places_in_use;
    assert!(
        in_catalogue.is_some_and(|n| n >= 1),
        "tonight's stay takes a place: {in_catalogue:?}"
    );
    assert_eq!(
        in_catalogue,
        boomgaard.places_in_use.map(|n| n + 1),
        "one more than before the stay"
    );
    // The modules offered for a new referral show the places taken today, as the catalogue does.
    let offered = app
        .module_referrals(&coach, family)
        .await
        .expect("modules")
        .modules
        .into_iter()
        .find(|m| m.id == boomgaard.id)
        .expect("offered");
    assert_eq!(
        offered.places_in_use, in_catalogue,
        "the places taken, as the catalogue shows them"
    );
}

wrapcare_store::on_both_databases!(
    admins_keep_the_catalogue,
    a_stay_counts_its_nights_at_each_nights_tariff,
    delivered_days_fall_within_the_module,
    offered_modules_show_the_places_taken,
);
