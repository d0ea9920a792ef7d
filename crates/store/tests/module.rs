//! Service modules in the store: catalogue, dated tariffs, referrals with their
//! children, start and end guarded by version, delivered units. Every test runs
//! on SQLite and on PostgreSQL.

use chrono::{NaiveDate, Utc};
use wrapcare_core::module::{EndReason, ModuleType, ModuleUnit, ReferralState, Tariff};
use wrapcare_core::programme::Norms;
use wrapcare_core::referral::{NewReferral, ReferralSource, Urgency};
use wrapcare_core::role::Role;
use wrapcare_store::{
    Store, StoreError, episode, family, module, organisation, programme, referral, team, user,
};

fn d(s: &str) -> NaiveDate {
    wrapcare_core::dates::parse_date(s).expect("test date")
}

struct Fixture {
    programme_id: i64,
    organisation_id: i64,
    user_id: i64,
    episode_id: i64,
    /// Two children of the family.
    children: [i64; 2],
}

/// A programme, a provider, a supervisor and a family with an episode and two children.
async fn fixture(store: &Store) -> Fixture {
    let now = Utc::now();
    let mut tx = store.write().await.expect("tx");
    let organisation_id = organisation::insert(&mut tx, "Zandbergen", now)
        .await
        .expect("org");
    let programme_id = programme::insert(
        &mut tx,
        &programme::NewProgramme {
            name: "Pilot",
            starts_on: d("2025-01-01"),
            ends_on: None,
            norms: Norms {
                families_per_fte: 3,
                budget_minutes_per_family: 12_000,
                weekly_minutes_per_family: 420,
                start_within_weeks: 9,
                full_time_minutes_per_week: 1920,
            },
            plan_first_weeks: 6,
            plan_review_weeks: 13,
            hourly_rate_cents: 9_500,
            thresholds: Default::default(),
        },
        now,
    )
    .await
    .expect("programme");
    let team_id = team::insert(&mut tx, "Team A", programme_id, now)
        .await
        .expect("team");
    let user_id = user::insert(
        &mut tx,
        &user::NewUser {
            email: "lead@example.nl",
            name: "Lead",
            role: Role::Supervisor,
            team_id: Some(team_id),
            password_hash: "x",
        },
        now,
    )
    .await
    .expect("user");
    let r = referral::insert(
        &mut tx,
        &NewReferral {
            programme_id,
            source: ReferralSource::Cjg,
            referrer_name: "R".into(),
            referrer_contact: "030".into(),
            received_on: d("2026-03-01"),
            urgency: Urgency::Normal,
            reason: "reden".into(),
            home_language: None,
            address: None,
            postcode: None,
            city: Some("Amersfoort".into()),
            phone: None,
            members: vec![],
        },
        user_id,
        None,
        now,
    )
    .await
    .expect("referral");
    let family_id = family::insert(
        &mut tx,
        &family::NewFamily {
            surname: "Jansen",
            address: None,
            postcode: None,
            city: Some("Amersfoort"),
            phone: None,
            home_language: None,
        },
        now,
    )
    .await
    .expect("family");
    referral::accept(&mut tx, r, family_id, user_id, now, 1)
        .await
        .expect("accept");
    let episode_id = episode::insert(
        &mut tx,
        &episode::NewEpisode {
            family_id,
            referral_id: r,
            team_id,
            programme_id,
            urgency: Urgency::Normal,
            accepted_on: d("2026-03-02"),
            reference_date: d("2026-03-01"),
        },
        now,
    )
    .await
    .expect("episode");
    let mut children = [0; 2];
    for (i, given_name) in ["Sem", "Noor"].iter().enumerate() {
        let person = family::insert_person(
            &mut tx,
            &family::NewPerson {
                given_name,
                family_name: "Jansen",
                birth_date: Some(d("2015-01-01")),
                expected_birth_date: None,
                bsn: None,
                phone: None,
            },
            now,
        )
        .await
        .expect("person");
        family::insert_membership(&mut tx, family_id, person, "child", false, d("2026-03-01"))
            .await
            .expect("membership");
        children[i] = person;
    }
    tx.commit().await.expect("commit");
    Fixture {
        programme_id,
        organisation_id,
        user_id,
        episode_id,
        children,
    }
}

fn new_module(
    organisation_id: i64,
    name: &'static str,
    code: &'static str,
    module_type: ModuleType,
) -> module::NewModule<'static> {
    module::NewModule {
        organisation_id,
        name,
        code,
        module_type,
        unit: match module_type {
            ModuleType::Residential => ModuleUnit::Night,
            ModuleType::DayTreatment => ModuleUnit::Day,
            _ => ModuleUnit::Hour,
        },
        places: module_type.has_places().then_some(6),
        active: true,
    }
}

async fn modules_keep_dated_tariffs(store: Store) {
    let f = fixture(&store).await;
    let now = Utc::now();
    let mut tx = store.write().await.expect("tx");
    let stay = module::insert(
        &mut tx,
        &new_module(
            f.organisation_id,
            "Logeerhuis",
            "ZB-VERBL",
            ModuleType::Residential,
        ),
        now,
    )
    .await
    .expect("module");
    let training = module::insert(
        &mut tx,
        &new_module(
            f.organisation_id,
            "Gezinstraining",
            "ZB-IGT",
            ModuleType::Ambulatory,
        ),
        now,
    )
    .await
    .expect("module");
    // Added out of order: the store hands them back oldest first.
    for (valid_from, cents) in [("2026-07-01", 22_450), ("2026-01-01", 21_000)] {
        module::add_tariff(
            &mut tx,
            stay,
            Tariff {
                valid_from: d(valid_from),
                cents,
            },
            Some(f.user_id),
            now,
        )
        .await
        .expect("tariff");
    }
    module::add_tariff(
        &mut tx,
        training,
        Tariff {
            valid_from: d("2026-01-01"),
            cents: 9_800,
        },
        None,
        now,
    )
    .await
    .expect("tariff");
    let stored = module::get(&mut tx, stay)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(stored.name, "Logeerhuis");
    assert_eq!(stored.organisation_name, "Zandbergen");
    assert_eq!(stored.module_type, ModuleType::Residential);
    assert_eq!(stored.unit, ModuleUnit::Night);
    assert_eq!(stored.places, Some(6));
    assert!(stored.active);
    assert_eq!(stored.version, 1);
    let by_code = module::by_code(&mut tx, "ZANDBERGEN", "ZB-IGT")
        .await
        .expect("by code")
        .expect("provider name is case-insensitive");
    assert_eq!(by_code.id, training);
    assert!(
        module::by_code(&mut tx, "Zandbergen", "zb-igt")
            .await
            .expect("by code")
            .is_none(),
        "the provider's code is exact"
    );
    let names: Vec<String> = module::list(&mut tx)
        .await
        .expect("list")
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(names, vec!["Gezinstraining", "Logeerhuis"]);
    let of_stay = module::tariffs(&mut tx, Some(&[stay]))
        .await
        .expect("tariffs");
    assert_eq!(
        of_stay,
        vec![
            (
                stay,
                Tariff {
                    valid_from: d("2026-01-01"),
                    cents: 21_000
                }
            ),
            (
                stay,
                Tariff {
                    valid_from: d("2026-07-01"),
                    cents: 22_450
                }
            ),
        ]
    );
    assert_eq!(
        module::tariffs(&mut tx, None)
            .await
            .expect("all tariffs")
            .len(),
        3
    );
    tx.commit().await.expect("commit");

    // A second tariff on the same date is refused by the database.
    let mut tx = store.write().await.expect("tx");
    let again = module::add_tariff(
        &mut tx,
        stay,
        Tariff {
            valid_from: d("2026-07-01"),
            cents: 30_000,
        },
        None,
        now,
    )
    .await;
    assert!(
        matches!(again, Err(StoreError::Conflict("unique"))),
        "{again:?}"
    );
    tx.rollback().await.expect("rollback");
    // So is a second module of the same name at the same provider.
    let mut tx = store.write().await.expect("tx");
    let clash = module::insert(
        &mut tx,
        &new_module(
            f.organisation_id,
            "Logeerhuis",
            "OTHER",
            ModuleType::Residential,
        ),
        now,
    )
    .await;
    assert!(
        matches!(clash, Err(StoreError::Conflict("unique"))),
        "{clash:?}"
    );
    tx.rollback().await.expect("rollback");

    // An update is guarded by the version it was read at.
    let mut tx = store.write().await.expect("tx");
    let mut changed = new_module(
        f.organisation_id,
        "Logeerhuis De Boomgaard",
        "ZB-VERBL",
        ModuleType::Residential,
    );
    changed.places = Some(8);
    module::update(&mut tx, stay, &changed, 1)
        .await
        .expect("update");
    let stale = module::update(&mut tx, stay, &changed, 1).await;
    assert!(matches!(stale, Err(StoreError::Stale)), "{stale:?}");
    let stored = module::get(&mut tx, stay)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(
        (stored.name.as_str(), stored.places, stored.version),
        ("Logeerhuis De Boomgaard", Some(8), 2)
    );
    let tariffs = module::tariffs(&mut tx, Some(&[stay]))
        .await
        .expect("tariffs");
    assert_eq!(
        tariffs.iter().map(|(_, t)| t.cents).collect::<Vec<_>>(),
        vec![21_000, 22_450],
        "the refused tariff left nothing behind"
    );
}

async fn referrals_start_and_end_by_version(store: Store) {
    let f = fixture(&store).await;
    let now = Utc::now();
    let [sem, noor] = f.children;
    let mut tx = store.write().await.expect("tx");
    let stay = module::insert(
        &mut tx,
        &new_module(
            f.organisation_id,
            "Logeerhuis",
            "ZB-VERBL",
            ModuleType::Residential,
        ),
        now,
    )
    .await
    .expect("module");
    let training = module::insert(
        &mut tx,
        &new_module(
            f.organisation_id,
            "Gezinstraining",
            "ZB-IGT",
            ModuleType::Ambulatory,
        ),
        now,
    )
    .await
    .expect("module");
    let both = [noor, sem];
    let id = module::insert_referral(
        &mut tx,
        &module::NewReferral {
            episode_id: f.episode_id,
            module_id: stay,
            goal_key: Some("g1"),
            requested_on: d("2026-04-01"),
            note: "Weekendlogeren",
            children: &both,
            created_by: Some(f.user_id),
        },
        now,
    )
    .await
    .expect("referral");
    let requested = module::get_referral(&mut tx, id)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(requested.state, ReferralState::Requested);
    assert_eq!(requested.episode_id, f.episode_id);
    assert_eq!(requested.goal_key.as_deref(), Some("g1"));
    assert_eq!(requested.note, "Weekendlogeren");
    assert_eq!(requested.period(), (None, None));
    let mut sorted = vec![sem, noor];
    sorted.sort_unstable();
    assert_eq!(requested.children, sorted, "children by person id");
    assert_eq!(requested.version, 1);
    // A requested referral is no stay yet.
    assert!(
        module::residential_stays_of(&mut tx, sem)
            .await
            .expect("stays")
            .is_empty()
    );
    assert!(
        module::running_periods(&mut tx)
            .await
            .expect("periods")
            .is_empty()
    );
    module::start(&mut tx, id, d("2026-04-03"), 1, now)
        .await
        .expect("start");
    tx.commit().await.expect("commit");

    // The database refuses a start before the request (a CHECK), whatever the caller checked.
    let mut tx = store.write().await.expect("tx");
    let early = module::insert_referral(
        &mut tx,
        &module::NewReferral {
            episode_id: f.episode_id,
            module_id: training,
            goal_key: None,
            requested_on: d("2026-05-01"),
            note: "",
            children: &[noor],
            created_by: None,
        },
        now,
    )
    .await
    .expect("referral");
    let refused = module::start(&mut tx, early, d("2026-04-30"), 1, now).await;
    assert!(refused.is_err(), "start before request: {refused:?}");
    tx.rollback().await.expect("rollback");

    let mut tx = store.write().await.expect("tx");
    let started = module::get_referral(&mut tx, id)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(started.state, ReferralState::Started);
    assert_eq!(started.period(), (Some(d("2026-04-03")), None));
    assert_eq!(started.version, 2);
    // Starting again, or ending with the version read before the start, is stale.
    let twice = module::start(&mut tx, id, d("2026-04-04"), 2, now).await;
    assert!(matches!(twice, Err(StoreError::Stale)), "{twice:?}");
    let stale = module::end(&mut tx, id, d("2026-04-05"), EndReason::Completed, 1, now).await;
    assert!(matches!(stale, Err(StoreError::Stale)), "{stale:?}");
    assert_eq!(
        module::residential_stays_of(&mut tx, noor)
            .await
            .expect("stays"),
        vec![(id, d("2026-04-03"), None)]
    );
    assert_eq!(
        module::running_periods(&mut tx).await.expect("periods"),
        vec![(stay, d("2026-04-03"), None)]
    );
    module::end(
        &mut tx,
        id,
        d("2026-04-05"),
        EndReason::StoppedEarly,
        2,
        now,
    )
    .await
    .expect("end");
    let ended = module::get_referral(&mut tx, id)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(ended.state, ReferralState::Ended);
    assert_eq!(ended.end_reason, Some(EndReason::StoppedEarly));
    assert_eq!(
        ended.period(),
        (Some(d("2026-04-03")), Some(d("2026-04-05")))
    );
    assert_eq!(ended.version, 3);
    // An ended referral does not end again, even with the current version.
    let again = module::end(&mut tx, id, d("2026-04-06"), EndReason::Completed, 3, now).await;
    assert!(matches!(again, Err(StoreError::Stale)), "{again:?}");
    assert_eq!(
        module::residential_stays_of(&mut tx, sem)
            .await
            .expect("stays"),
        vec![(id, d("2026-04-03"), Some(d("2026-04-05")))]
    );
    // Only residential stays count as stays; other started modules are running periods.
    let hours = module::insert_referral(
        &mut tx,
        &module::NewReferral {
            episode_id: f.episode_id,
            module_id: training,
            goal_key: None,
            requested_on: d("2026-04-10"),
            note: "",
            children: &[sem],
            created_by: None,
        },
        now,
    )
    .await
    .expect("referral");
    module::start(&mut tx, hours, d("2026-04-12"), 1, now)
        .await
        .expect("start");
    assert_eq!(
        module::residential_stays_of(&mut tx, sem)
            .await
            .expect("stays")
            .len(),
        1
    );
    let mut periods = module::running_periods(&mut tx).await.expect("periods");
    periods.sort();
    let mut expected = vec![
        (stay, d("2026-04-03"), Some(d("2026-04-05"))),
        (training, d("2026-04-12"), None),
    ];
    expected.sort();
    assert_eq!(periods, expected);
    // Newest request first per episode; all of them per programme.
    let of_episode: Vec<i64> = module::of_episode(&mut tx, f.episode_id)
        .await
        .expect("of episode")
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(of_episode, vec![hours, id]);
    let of_programme = module::of_programme(&mut tx, f.programme_id)
        .await
        .expect("of programme");
    assert_eq!(of_programme.len(), 2);
    assert_eq!(
        of_programme
            .iter()
            .find(|r| r.id == id)
            .expect("stay")
            .children,
        sorted
    );
    assert!(
        module::of_programme(&mut tx, f.programme_id + 100)
            .await
            .expect("other programme")
            .is_empty()
    );
}

async fn deliveries_replace_the_same_day(store: Store) {
    let f = fixture(&store).await;
    let now = Utc::now();
    let mut tx = store.write().await.expect("tx");
    let day_care = module::insert(
        &mut tx,
        &new_module(
            f.organisation_id,
            "Dagbehandeling",
            "JUV-DB01",
            ModuleType::DayTreatment,
        ),
        now,
    )
    .await
    .expect("module");
    let mut ids = Vec::new();
    for child in f.children {
        let id = module::insert_referral(
            &mut tx,
            &module::NewReferral {
                episode_id: f.episode_id,
                module_id: day_care,
                goal_key: None,
                requested_on: d("2026-04-01"),
                note: "",
                children: &[child],
                created_by: None,
            },
            now,
        )
        .await
        .expect("referral");
        module::start(&mut tx, id, d("2026-04-02"), 1, now)
            .await
            .expect("start");
        ids.push(id);
    }
    let (first, second) = (ids[0], ids[1]);
    module::record_delivery(&mut tx, first, d("2026-04-07"), 1, "import", now)
        .await
        .expect("delivery");
    module::record_delivery(&mut tx, first, d("2026-04-06"), 1, "import", now)
        .await
        .expect("delivery");
    module::record_delivery(&mut tx, second, d("2026-04-06"), 1, "coordinator", now)
        .await
        .expect("delivery");
    // A later report of the same day replaces the earlier one.
    module::record_delivery(&mut tx, first, d("2026-04-06"), 3, "coordinator", now)
        .await
        .expect("replace");
    assert_eq!(
        module::deliveries(&mut tx, &[first])
            .await
            .expect("deliveries"),
        vec![(first, d("2026-04-06"), 3), (first, d("2026-04-07"), 1)]
    );
    assert_eq!(
        module::deliveries(&mut tx, &[first, second])
            .await
            .expect("deliveries"),
        vec![
            (first, d("2026-04-06"), 3),
            (second, d("2026-04-06"), 1),
            (first, d("2026-04-07"), 1),
        ],
        "in date order"
    );
    assert!(
        module::deliveries(&mut tx, &[])
            .await
            .expect("none asked")
            .is_empty()
    );
    tx.commit().await.expect("commit");
    // The database refuses zero units and an unknown source.
    for (units, source) in [(0, "import"), (1001, "import"), (1, "guess")] {
        let mut tx = store.write().await.expect("tx");
        let refused =
            module::record_delivery(&mut tx, second, d("2026-04-08"), units, source, now).await;
        assert!(refused.is_err(), "{units} {source}: {refused:?}");
        tx.rollback().await.expect("rollback");
    }
    let mut tx = store.write().await.expect("tx");
    assert_eq!(
        module::deliveries(&mut tx, &[second])
            .await
            .expect("deliveries")
            .len(),
        1,
        "nothing stored by the refusals"
    );
}

wrapcare_store::on_both_databases!(
    modules_keep_dated_tariffs,
    referrals_start_and_end_by_version,
    deliveries_replace_the_same_day,
);
