//! One behaviour, two databases: every test here runs on SQLite and on PostgreSQL.

use chrono::{NaiveDate, Utc};
use wrapcare_core::episode::{EpisodeState, Phase};
use wrapcare_core::programme::Norms;
use wrapcare_core::referral::{Member, NewReferral, ReferralSource, Urgency};
use wrapcare_core::role::Role;
use wrapcare_store::{
    Store, StoreError, access_log, episode, family, organisation, programme, referral, team, user,
    worker,
};

fn d(s: &str) -> NaiveDate {
    wrapcare_core::dates::parse_date(s).expect("test date")
}

struct Fixture {
    programme_id: i64,
    team_id: i64,
    organisation_id: i64,
    user_id: i64,
}

async fn fixture(store: &Store) -> Fixture {
    let now = Utc::now();
    let mut tx = store.write().await.expect("tx");
    let organisation_id = organisation::insert(&mut tx, "MEE", now)
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
    tx.commit().await.expect("commit");
    Fixture {
        programme_id,
        team_id,
        organisation_id,
        user_id,
    }
}

fn new_referral(programme_id: i64) -> NewReferral {
    NewReferral {
        programme_id,
        source: ReferralSource::Cjg,
        referrer_name: "R".into(),
        referrer_contact: "030".into(),
        received_on: d("2026-03-01"),
        urgency: Urgency::Normal,
        reason: "reden".into(),
        home_language: Some("nl".into()),
        address: None,
        postcode: None,
        city: Some("Amersfoort".into()),
        phone: None,
        members: vec![Member {
            given_name: "Sem".into(),
            family_name: "Jansen".into(),
            role: wrapcare_core::family::MemberRole::Child,
            parental_authority: false,
            birth: Some(wrapcare_core::family::Birth::Born(d("2015-01-01"))),
            bsn: Some("123456782".into()),
            phone: None,
            indications: vec![],
        }],
    }
}

/// A family with a waiting episode; returns (family, episode).
async fn waiting_family(store: &Store, f: &Fixture, surname: &str) -> (i64, i64) {
    let now = Utc::now();
    let mut tx = store.write().await.expect("tx");
    let r = referral::insert(&mut tx, &new_referral(f.programme_id), f.user_id, None, now)
        .await
        .expect("referral");
    let family_id = family::insert(
        &mut tx,
        &family::NewFamily {
            surname,
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
    referral::accept(&mut tx, r, family_id, f.user_id, now, 1)
        .await
        .expect("accept");
    let episode_id = episode::insert(
        &mut tx,
        &episode::NewEpisode {
            family_id,
            referral_id: r,
            team_id: f.team_id,
            programme_id: f.programme_id,
            urgency: Urgency::Normal,
            accepted_on: d("2026-03-02"),
            reference_date: d("2026-03-01"),
        },
        now,
    )
    .await
    .expect("episode");
    tx.commit().await.expect("commit");
    (family_id, episode_id)
}

async fn coordinator(store: &Store, f: &Fixture, name: &str, minutes: i64) -> i64 {
    let mut tx = store.write().await.expect("tx");
    let w = worker::insert(
        &mut tx,
        &worker::NewWorker {
            name,
            team_id: f.team_id,
            home_organisation_id: f.organisation_id,
            job: "coordinator",
            user_id: None,
        },
        Utc::now(),
    )
    .await
    .expect("worker");
    worker::insert_secondment(&mut tx, w, minutes, d("2025-01-01"), None)
        .await
        .expect("secondment");
    tx.commit().await.expect("commit");
    w
}

async fn reference_data_round_trips(store: Store) {
    let f = fixture(&store).await;
    let mut tx = store.write().await.expect("tx");
    let p = programme::get(&mut tx, f.programme_id)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(p.norms().families_per_fte, 3);
    assert_eq!(p.starts_on, d("2025-01-01"));
    let t = team::by_name(&mut tx, "team a")
        .await
        .expect("by name")
        .expect("case-insensitive");
    assert_eq!(t.programme_name, "Pilot");
    let u = user::by_email(&mut tx, "LEAD@example.nl")
        .await
        .expect("email")
        .expect("case-insensitive");
    assert_eq!(u.role, Role::Supervisor);
    let duplicate = user::insert(
        &mut tx,
        &user::NewUser {
            email: "lead@example.nl",
            name: "Other",
            role: Role::Analyst,
            team_id: None,
            password_hash: "y",
        },
        Utc::now(),
    )
    .await;
    assert!(
        matches!(duplicate, Err(StoreError::Conflict("unique"))),
        "{duplicate:?}"
    );
}

async fn referral_keeps_submitted_persons_and_idempotency(store: Store) {
    let f = fixture(&store).await;
    let mut tx = store.write().await.expect("tx");
    let input = new_referral(f.programme_id);
    let id = referral::insert(&mut tx, &input, f.user_id, Some("key-1"), Utc::now())
        .await
        .expect("insert");
    let stored = referral::get(&mut tx, id)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(stored.members, input.members);
    assert_eq!(stored.reference_date, d("2026-03-01"));
    assert_eq!(
        referral::by_idempotency_key(&mut tx, f.user_id, "key-1")
            .await
            .expect("by key")
            .map(|r| r.id),
        Some(id)
    );
    tx.commit().await.expect("commit");
    let mut tx = store.write().await.expect("tx");
    let again = referral::insert(&mut tx, &input, f.user_id, Some("key-1"), Utc::now()).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
}

async fn a_family_has_one_open_episode(store: Store) {
    let f = fixture(&store).await;
    let (family_id, _) = waiting_family(&store, &f, "Jansen").await;
    let mut tx = store.write().await.expect("tx");
    let r = referral::insert(
        &mut tx,
        &new_referral(f.programme_id),
        f.user_id,
        None,
        Utc::now(),
    )
    .await
    .expect("referral");
    let second = episode::insert(
        &mut tx,
        &episode::NewEpisode {
            family_id,
            referral_id: r,
            team_id: f.team_id,
            programme_id: f.programme_id,
            urgency: Urgency::High,
            accepted_on: d("2026-04-01"),
            reference_date: d("2026-04-01"),
        },
        Utc::now(),
    )
    .await;
    assert!(
        matches!(second, Err(StoreError::Conflict("open_episode"))),
        "{second:?}"
    );
}

async fn assignments_never_overlap(store: Store) {
    let f = fixture(&store).await;
    let (_, episode_id) = waiting_family(&store, &f, "Bakker").await;
    let a = coordinator(&store, &f, "A", 1920).await;
    let b = coordinator(&store, &f, "B", 1920).await;
    let mut tx = store.write().await.expect("tx");
    let first = episode::NewAssignment {
        episode_id,
        worker_id: a,
        starts_on: d("2026-03-05"),
        override_reason: None,
        assigned_by: f.user_id,
    };
    episode::insert_assignment(&mut tx, &first, Utc::now())
        .await
        .expect("first");
    tx.commit().await.expect("commit");

    // A second open assignment overlaps: the database refuses it.
    let mut tx = store.write().await.expect("tx");
    let clash = episode::NewAssignment {
        worker_id: b,
        starts_on: d("2026-04-01"),
        ..first
    };
    let refused = episode::insert_assignment(&mut tx, &clash, Utc::now()).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict("assignment_overlap"))),
        "{refused:?}"
    );
    tx.rollback().await.expect("rollback");

    // A handover on the same day ends one and starts the next.
    let mut tx = store.write().await.expect("tx");
    assert_eq!(
        episode::end_assignment(&mut tx, episode_id, d("2026-04-01"))
            .await
            .expect("end"),
        1
    );
    episode::insert_assignment(&mut tx, &clash, Utc::now())
        .await
        .expect("handover");
    tx.commit().await.expect("commit");
    let mut tx = store.write().await.expect("tx");
    let history = episode::assignments(&mut tx, episode_id)
        .await
        .expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].ends_on, Some(d("2026-04-01")));
    assert_eq!(history[1].ends_on, None);
    let current = episode::get(&mut tx, episode_id)
        .await
        .expect("get")
        .expect("exists");
    // The family file, read in one statement, holds the same assignments in the same order.
    let (opened, contents) = family::file::read(
        &mut tx,
        current.family_id,
        None,
        Utc::now(),
        d("2026-06-01"),
    )
    .await
    .expect("file")
    .expect("family");
    assert_eq!(opened.episodes[0].coordinator_id, Some(b));
    let of_episode = &contents.histories.assignments[&episode_id];
    assert_eq!(
        of_episode
            .iter()
            .map(|a| (a.id, a.ends_on))
            .collect::<Vec<_>>(),
        history
            .iter()
            .map(|a| (a.id, a.ends_on))
            .collect::<Vec<_>>()
    );
    assert_eq!(current.coordinator_id, Some(b));
}

async fn stale_versions_are_refused(store: Store) {
    let f = fixture(&store).await;
    let (_, episode_id) = waiting_family(&store, &f, "Visser").await;
    let mut tx = store.write().await.expect("tx");
    let e = episode::get(&mut tx, episode_id)
        .await
        .expect("get")
        .expect("exists");
    let mut change = episode::StateChange::from(&e);
    change.state = EpisodeState::Withdrawn;
    change.withdrawn_on = Some(d("2026-03-10"));
    episode::update(&mut tx, episode_id, &change, e.version)
        .await
        .expect("first update");
    let again = episode::update(&mut tx, episode_id, &change, e.version).await;
    assert!(matches!(again, Err(StoreError::Stale)), "{again:?}");
}

async fn caseload_counts_open_assigned_episodes(store: Store) {
    let f = fixture(&store).await;
    let w = coordinator(&store, &f, "Part-time", 960).await;
    for (i, surname) in ["Smit", "Meijer"].iter().enumerate() {
        let (_, episode_id) = waiting_family(&store, &f, surname).await;
        let mut tx = store.write().await.expect("tx");
        episode::insert_assignment(
            &mut tx,
            &episode::NewAssignment {
                episode_id,
                worker_id: w,
                starts_on: d("2026-03-05"),
                override_reason: None,
                assigned_by: f.user_id,
            },
            Utc::now(),
        )
        .await
        .expect("assign");
        let e = episode::get(&mut tx, episode_id)
            .await
            .expect("get")
            .expect("exists");
        let mut change = episode::StateChange::from(&e);
        change.state = if i == 0 {
            EpisodeState::Assigned
        } else {
            EpisodeState::InCare
        };
        change.phase = (i == 1).then_some(Phase::Engagement);
        episode::update(&mut tx, episode_id, &change, e.version)
            .await
            .expect("update");
        tx.commit().await.expect("commit");
    }
    let mut tx = store.write().await.expect("tx");
    let loads = worker::loads(&mut tx, Some(f.team_id), Some(w), d("2026-06-01"))
        .await
        .expect("loads");
    assert_eq!(loads.len(), 1);
    assert_eq!(loads[0].caseload, 2);
    assert_eq!(loads[0].minutes_per_week, 960);
    // Before the secondment started the worker carries nothing.
    let before = worker::loads(&mut tx, Some(f.team_id), Some(w), d("2024-06-01"))
        .await
        .expect("loads");
    assert!(before.is_empty());
    let mine = episode::of_coordinator(&mut tx, w, d("2026-06-01"))
        .await
        .expect("mine");
    assert_eq!(mine.len(), 2);
}

async fn waiting_list_and_search(store: Store) {
    let f = fixture(&store).await;
    waiting_family(&store, &f, "de Vries").await;
    waiting_family(&store, &f, "Mulder").await;
    let mut tx = store.write().await.expect("tx");
    let list = episode::waiting_list(&mut tx, f.team_id, d("2026-06-01"))
        .await
        .expect("list");
    assert_eq!(list.len(), 2);
    let found = episode::search(&mut tx, f.team_id, "VRIES", d("2026-06-01"), 10)
        .await
        .expect("search");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].surname, "de Vries");
    let by_member = episode::search(&mut tx, f.team_id, "sem", d("2026-06-01"), 10)
        .await
        .expect("search");
    assert!(
        by_member.is_empty(),
        "persons were not added to these families"
    );
    let all_open = episode::search(&mut tx, f.team_id, "", d("2026-06-01"), 10)
        .await
        .expect("search");
    assert_eq!(all_open.len(), 2);
    let other_team = episode::search(&mut tx, f.team_id + 100, "", d("2026-06-01"), 10)
        .await
        .expect("search");
    assert!(other_team.is_empty());
}

async fn persons_memberships_and_candidates(store: Store) {
    let f = fixture(&store).await;
    let (family_id, _) = waiting_family(&store, &f, "Jansen").await;
    let mut tx = store.write().await.expect("tx");
    let now = Utc::now();
    let person = family::insert_person(
        &mut tx,
        &family::NewPerson {
            given_name: "Sem",
            family_name: "Jansen",
            birth_date: Some(d("2015-01-01")),
            expected_birth_date: None,
            bsn: Some("123456782"),
            phone: None,
        },
        now,
    )
    .await
    .expect("person");
    family::insert_membership(&mut tx, family_id, person, "child", false, d("2026-03-01"))
        .await
        .expect("membership");
    family::insert_indication(
        &mut tx,
        &family::NewIndication {
            person_id: person,
            referral_id: None,
            number: "IND-1",
            product: "IPT",
            starts_on: d("2026-02-01"),
            ends_on: d("2026-12-31"),
            issuer: "Intervence",
        },
    )
    .await
    .expect("indication");
    let members = family::members(&mut tx, family_id, d("2026-06-01"))
        .await
        .expect("members");
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].bsn.as_deref(), Some("123456782"));
    let indications = family::indications(&mut tx, family_id, d("2026-06-01"))
        .await
        .expect("indications");
    assert_eq!(indications[0].number, "IND-1");
    // The family file, read in one statement, holds the same members and indications.
    let (_, file) = family::file::read(&mut tx, family_id, None, now, d("2026-06-01"))
        .await
        .expect("file")
        .expect("family");
    assert_eq!(
        file.members
            .iter()
            .map(|m| (m.person_id, m.bsn.clone(), m.parental_authority))
            .collect::<Vec<_>>(),
        members
            .iter()
            .map(|m| (m.person_id, m.bsn.clone(), m.parental_authority))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        file.indications
            .iter()
            .map(|i| (i.id, i.ends_on))
            .collect::<Vec<_>>(),
        indications
            .iter()
            .map(|i| (i.id, i.ends_on))
            .collect::<Vec<_>>()
    );
    let by_bsn = family::candidates(&mut tx, Some("123456782"), "Other", None)
        .await
        .expect("candidates");
    assert_eq!(by_bsn.len(), 1);
    let by_name = family::candidates(&mut tx, None, "JANSEN", Some(d("2015-01-01")))
        .await
        .expect("candidates");
    assert_eq!(by_name[0].family_id, family_id);
    let none = family::candidates(&mut tx, None, "Jansen", None)
        .await
        .expect("candidates");
    assert!(none.is_empty());
}

/// A supervisor's read of a family's file, as the log records it.
fn supervisor_read(user_id: i64, family_id: i64) -> access_log::Entry<'static> {
    access_log::Entry {
        at: Utc::now(),
        user_id: Some(user_id),
        role: "supervisor",
        channel: "page",
        family_id: Some(family_id),
        episode_id: None,
        referral_id: None,
        action: "family.read",
        outcome: "allowed",
        address: None,
        emergency_access_id: None,
        detail: None,
    }
}

async fn access_log_is_written_and_listed(store: Store) {
    let f = fixture(&store).await;
    let mut tx = store.write().await.expect("tx");
    access_log::insert(
        &mut tx,
        &access_log::Entry {
            channel: "api",
            outcome: "refused",
            address: Some("127.0.0.1"),
            ..supervisor_read(f.user_id, 42)
        },
    )
    .await
    .expect("insert");
    let rows = access_log::list(&mut tx, Some(42), None, 10)
        .await
        .expect("list");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].outcome, "refused");
    assert_eq!(rows[0].channel, "api");
}

/// Runs raw SQL as someone with the database in hand would, past the store.
async fn tamper(store: &Store, sql: &str) {
    let mut tx = store.write().await.expect("tx");
    match &mut tx {
        wrapcare_store::Tx::Sqlite(t) => {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
                .execute(&mut **t)
                .await
                .expect("tamper")
        }
        .rows_affected(),
        wrapcare_store::Tx::Postgres(t) => {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
                .execute(&mut **t)
                .await
                .expect("tamper")
        }
        .rows_affected(),
    };
    tx.commit().await.expect("commit");
}

async fn verdict(store: &Store, anchor: Option<&access_log::Head>) -> access_log::Verdict {
    access_log::verify(store, anchor, &|_, _| {})
        .await
        .expect("verify")
}

/// The chain names the first entry altered, removed or put in between, and a
/// head exported earlier catches entries cut off the end.
async fn the_access_log_chain_names_what_was_tampered_with(store: Store) {
    use access_log::{Fault, Verdict};
    let f = fixture(&store).await;
    let mut tx = store.write().await.expect("tx");
    let actions = [
        "family.read",
        "plan.read",
        "contact.log",
        "family.read",
        "timeline.read",
        "plan.save",
    ];
    let entries: Vec<access_log::Entry> = actions
        .iter()
        .map(|action| access_log::Entry {
            at: Utc::now(),
            user_id: Some(f.user_id),
            role: "coordinator",
            channel: "page",
            family_id: Some(7),
            episode_id: Some(9),
            referral_id: None,
            action,
            outcome: "allowed",
            address: Some("10.0.0.1"),
            emergency_access_id: None,
            detail: Some("{\"minutes\":60}"),
        })
        .collect();
    access_log::append(&mut tx, &entries[..3])
        .await
        .expect("append");
    tx.commit().await.expect("commit");
    let mut tx = store.write().await.expect("tx");
    access_log::append(&mut tx, &entries[3..])
        .await
        .expect("append");
    let head = access_log::head(&mut tx)
        .await
        .expect("head")
        .expect("a head");
    tx.commit().await.expect("commit");
    assert_eq!(head.id, 6);
    assert_eq!(
        verdict(&store, Some(&head)).await,
        Verdict::Intact {
            entries: 6,
            unsealed: 0,
            head: Some(head.clone())
        }
    );

    // The store itself refuses to change or remove an entry.
    for sql in [
        "UPDATE access_log SET action = 'nothing' WHERE id = 3",
        "DELETE FROM access_log WHERE id = 3",
    ] {
        let mut tx = store.write().await.expect("tx");
        let refused = match &mut tx {
            wrapcare_store::Tx::Sqlite(t) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut **t)
                .await
                .map(|_| ()),
            wrapcare_store::Tx::Postgres(t) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut **t)
                .await
                .map(|_| ()),
        };
        let message = format!("{refused:?}");
        assert!(message.contains("access_log_frozen"), "{sql}: {message}");
    }

    // Someone who switches the guards off first is still found out.
    match store.dialect() {
        wrapcare_store::Dialect::Sqlite => {
            tamper(
                &store,
                "DROP TRIGGER access_log_no_update; DROP TRIGGER access_log_no_delete",
            )
            .await
        }
        wrapcare_store::Dialect::Postgres => {
            tamper(&store, "ALTER TABLE access_log DISABLE TRIGGER USER").await
        }
    }
    tamper(
        &store,
        "UPDATE access_log SET action = 'nothing.here' WHERE id = 3",
    )
    .await;
    assert_eq!(
        verdict(&store, None).await,
        Verdict::Broken {
            id: 3,
            fault: Fault::Altered
        }
    );
    tamper(
        &store,
        "UPDATE access_log SET action = 'contact.log' WHERE id = 3",
    )
    .await;
    assert!(matches!(
        verdict(&store, None).await,
        Verdict::Intact { .. }
    ));

    // Removed: entry 4 is gone; entry 5 links to it.
    tamper(
        &store,
        "CREATE TABLE kept AS SELECT * FROM access_log WHERE id = 4; DELETE FROM access_log WHERE id = 4",
    )
    .await;
    assert_eq!(
        verdict(&store, None).await,
        Verdict::Broken {
            id: 5,
            fault: Fault::Removed { after: 3 }
        }
    );
    tamper(
        &store,
        "INSERT INTO access_log SELECT * FROM kept; DROP TABLE kept",
    )
    .await;
    assert!(matches!(
        verdict(&store, None).await,
        Verdict::Intact { .. }
    ));

    // Inserted: entries from 4 on move up one, and a well-formed entry
    // (a copy of entry 2, hashed properly after entry 3) goes in at 4.
    let mut tx = store.read_only().await.expect("tx");
    let rows = access_log::list(&mut tx, None, None, 10)
        .await
        .expect("list");
    let _ = tx.rollback().await;
    let third = rows.iter().find(|r| r.id == 3).expect("entry 3");
    let second = rows.iter().find(|r| r.id == 2).expect("entry 2");
    let prev = third.hash.clone().expect("sealed");
    let forged = access_log::hash_of(&prev, &second.entry());
    tamper(&store, "UPDATE access_log SET id = id + 100 WHERE id >= 4").await;
    tamper(&store, "UPDATE access_log SET id = id - 99 WHERE id >= 100").await;
    tamper(
        &store,
        &format!(
            "INSERT INTO access_log (id, at, user_id, role, channel, family_id, episode_id, referral_id, \
             action, outcome, address, emergency_access_id, detail, prev_hash, hash) \
             SELECT 4, at, user_id, role, channel, family_id, episode_id, referral_id, action, outcome, \
             address, emergency_access_id, detail, '{prev}', '{forged}' FROM access_log WHERE id = 2"
        ),
    )
    .await;
    assert_eq!(
        verdict(&store, None).await,
        Verdict::Broken {
            id: 4,
            fault: Fault::Inserted
        }
    );

    // Cut off the end, rebuilt cleanly: only the exported head tells.
    tamper(&store, "DELETE FROM access_log WHERE id >= 4").await;
    assert!(matches!(
        verdict(&store, None).await,
        Verdict::Intact { .. }
    ));
    assert_eq!(
        verdict(&store, Some(&head)).await,
        Verdict::Broken {
            id: 6,
            fault: Fault::HeadMissing
        }
    );
}

async fn agreed_plan_versions_are_frozen_by_the_database(store: Store) {
    use wrapcare_core::plan::{AgreementMethod, PlanContent};
    use wrapcare_store::plan;
    let f = fixture(&store).await;
    let (_, episode_id) = waiting_family(&store, &f, "Plan").await;
    let now = Utc::now();
    let mut tx = store.write().await.expect("tx");
    let domains = plan::life_domains(&mut tx).await.expect("domains");
    assert_eq!(domains.len(), 15);
    assert_eq!(domains[0].code, "financial");
    let content = PlanContent {
        vision: "Rust".into(),
        ..PlanContent::default()
    };
    let id = plan::insert_draft(&mut tx, episode_id, 1, &content, f.user_id, now)
        .await
        .expect("draft");
    let second = plan::insert_draft(&mut tx, episode_id, 2, &content, f.user_id, now).await;
    assert!(
        matches!(second, Err(StoreError::Conflict("plan_version_exists"))),
        "one draft at a time: {second:?}"
    );
    tx.rollback().await.expect("rollback");
    let mut tx = store.write().await.expect("tx");
    let id = plan::insert_draft(&mut tx, episode_id, 1, &content, f.user_id, now)
        .await
        .unwrap_or(id);
    let changed = PlanContent {
        vision: "Rust en ruimte".into(),
        ..PlanContent::default()
    };
    plan::update_draft(&mut tx, id, &changed, 1, now)
        .await
        .expect("save");
    assert!(matches!(
        plan::update_draft(&mut tx, id, &content, 1, now).await,
        Err(StoreError::Stale)
    ));
    let agreement = plan::Agreement {
        agreed_by: "Moeder",
        agreed_on: d("2026-04-01"),
        how: AgreementMethod::InPerson,
        recorded_by: f.user_id,
        goals: &content.goals,
    };
    plan::agree(&mut tx, id, &agreement, 2, now)
        .await
        .expect("agree");
    tx.commit().await.expect("commit");
    // Even a direct UPDATE of an agreed version is refused by the database.
    let mut tx = store.write().await.expect("tx");
    let refused = plan::overwrite_content(&mut tx, id, &content).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict("plan_version_agreed"))),
        "{refused:?}"
    );
    tx.rollback().await.expect("rollback");
    let mut tx = store.write().await.expect("tx");
    let versions = plan::versions(&mut tx, episode_id).await.expect("versions");
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].content, changed);
    assert_eq!(versions[0].agreed_how, Some(AgreementMethod::InPerson));
    plan::insert_score(
        &mut tx,
        episode_id,
        "g1",
        d("2026-05-01"),
        1,
        f.user_id,
        now,
    )
    .await
    .expect("score");
    assert_eq!(
        plan::scores(&mut tx, episode_id).await.expect("scores")[0].level,
        1
    );
}

/// The totals the signals read are kept by the database with every contact
/// and by the store with every score: after inserts, a correction, a removal
/// and a back-dated score they equal what the raw rows say, and a contact's
/// minutes cannot be changed in place behind them.
async fn kept_totals_match_the_rows(store: Store) {
    use wrapcare_core::contact::{ContactKind, EntryStatus};
    use wrapcare_core::plan::{AgreementMethod, Goal, PlanContent};
    use wrapcare_store::{contact, plan};
    let f = fixture(&store).await;
    let (_, episode_id) = waiting_family(&store, &f, "Totaal").await;
    let worker_id = coordinator(&store, &f, "Coach", 1920).await;
    let now = Utc::now();
    let mut tx = store.write().await.expect("tx");
    let mut ids = Vec::new();
    for (day, minutes, kind) in [
        ("2026-04-01", 60, ContactKind::HomeVisit),
        ("2026-04-08", 90, ContactKind::HomeVisit),
        ("2026-04-09", 30, ContactKind::Travel),
        ("2026-04-10", 45, ContactKind::PhoneVideo),
    ] {
        let id = contact::insert(
            &mut tx,
            &contact::NewContact {
                episode_id,
                worker_id,
                contact_on: d(day),
                minutes,
                kind,
                participants: "moeder",
                note: "",
                replaces_id: None,
                created_by: f.user_id,
            },
            now,
        )
        .await
        .expect("contact");
        ids.push(id);
    }
    // The latest home visit is removed, the phone call corrected to 50 minutes.
    contact::retire(
        &mut tx,
        ids[1],
        EntryStatus::Removed,
        "dubbel",
        f.user_id,
        1,
        now,
    )
    .await
    .expect("remove");
    contact::retire(
        &mut tx,
        ids[3],
        EntryStatus::Corrected,
        "tijd",
        f.user_id,
        1,
        now,
    )
    .await
    .expect("correct");
    contact::insert(
        &mut tx,
        &contact::NewContact {
            episode_id,
            worker_id,
            contact_on: d("2026-04-10"),
            minutes: 50,
            kind: ContactKind::PhoneVideo,
            participants: "moeder",
            note: "",
            replaces_id: Some(ids[3]),
            created_by: f.user_id,
        },
        now,
    )
    .await
    .expect("correction");
    // Two phase changes, the later one recorded first: the later day counts.
    for (phase, day) in [
        (wrapcare_core::episode::Phase::PlanDevelopment, "2026-04-20"),
        (wrapcare_core::episode::Phase::Engagement, "2026-04-02"),
    ] {
        wrapcare_store::episode::insert_phase_change(
            &mut tx,
            episode_id,
            phase,
            d(day),
            f.user_id,
            now,
        )
        .await
        .expect("phase");
    }
    // Each kind in turn, each later than all before: the latest contact with
    // the family moves exactly for the domain's kinds "with the family".
    let mut latest_with_family = d("2026-04-10");
    for (i, kind) in ContactKind::ALL.into_iter().enumerate() {
        let on = d("2026-05-01") + chrono::Duration::days(i as i64);
        contact::insert(
            &mut tx,
            &contact::NewContact {
                episode_id,
                worker_id,
                contact_on: on,
                minutes: 10,
                kind,
                participants: "moeder",
                note: "",
                replaces_id: None,
                created_by: f.user_id,
            },
            now,
        )
        .await
        .expect("contact of a kind");
        if kind.is_with_family() {
            latest_with_family = on;
        }
        let sql = "SELECT last_family_contact_on FROM episode_totals WHERE episode_id = $1";
        let kept: Option<NaiveDate> = match &mut tx {
            wrapcare_store::Tx::Sqlite(t) => sqlx::query_scalar(sql)
                .bind(episode_id)
                .fetch_one(&mut **t)
                .await
                .expect("latest"),
            wrapcare_store::Tx::Postgres(t) => sqlx::query_scalar(sql)
                .bind(episode_id)
                .fetch_one(&mut **t)
                .await
                .expect("latest"),
        };
        assert_eq!(
            kept,
            Some(latest_with_family),
            "after a contact of kind {kind:?}"
        );
    }
    let goals = vec![Goal {
        key: "g1".into(),
        domain: "housing".into(),
        description: "Eigen woning".into(),
        persons: vec![],
        target_date: None,
        levels: Default::default(),
        baseline: -1,
        weight: 1,
    }];
    let content = PlanContent {
        goals: goals.clone(),
        ..PlanContent::default()
    };
    let plan_id = plan::insert_draft(&mut tx, episode_id, 1, &content, f.user_id, now)
        .await
        .expect("draft");
    plan::agree(
        &mut tx,
        plan_id,
        &plan::Agreement {
            agreed_by: "Moeder",
            agreed_on: d("2026-04-01"),
            how: AgreementMethod::InPerson,
            recorded_by: f.user_id,
            goals: &goals,
        },
        1,
        now,
    )
    .await
    .expect("agree");
    // Scored at the baseline, then up, then (back-dated, before the rise) at
    // the baseline again: the rise on 1 June is still the latest change.
    for (day, level) in [("2026-05-01", -1), ("2026-06-01", 0), ("2026-05-15", -1)] {
        plan::insert_score(&mut tx, episode_id, "g1", d(day), level, f.user_id, now)
            .await
            .expect("score");
    }
    tx.commit().await.expect("commit");

    let mut tx = store.read_only().await.expect("read");
    let totals = "SELECT active_minutes, last_family_contact_on, phase_since, plan_agreed_on \
                  FROM episode_totals WHERE episode_id = $1";
    type Totals = (i64, Option<NaiveDate>, Option<NaiveDate>, Option<NaiveDate>);
    let kept: Totals = match &mut tx {
        wrapcare_store::Tx::Sqlite(t) => sqlx::query_as(totals)
            .bind(episode_id)
            .fetch_one(&mut **t)
            .await
            .expect("totals"),
        wrapcare_store::Tx::Postgres(t) => sqlx::query_as(totals)
            .bind(episode_id)
            .fetch_one(&mut **t)
            .await
            .expect("totals"),
    };
    // 60 (home visit) + 30 (travel) + 50 (the corrected call) + one of each
    // kind on 1 May; the removed visit and the replaced call count no more.
    let every_kind: i64 = ContactKind::ALL.len() as i64 * 10;
    assert_eq!(
        kept,
        (
            140 + every_kind,
            Some(latest_with_family),
            Some(d("2026-04-20")),
            Some(d("2026-04-01"))
        )
    );
    // Minutes per week, against the domain's weeks over the active contacts.
    let mut expected: std::collections::BTreeMap<NaiveDate, i64> = Default::default();
    let mut active: Vec<(NaiveDate, i64)> = vec![
        (d("2026-04-01"), 60),
        (d("2026-04-09"), 30),
        (d("2026-04-10"), 50),
    ];
    for i in 0..ContactKind::ALL.len() {
        active.push((d("2026-05-01") + chrono::Duration::days(i as i64), 10));
    }
    for (on, minutes) in active {
        *expected
            .entry(wrapcare_core::contact::week_of(on))
            .or_default() += minutes;
    }
    let weeks = "SELECT week_of, CAST(minutes AS BIGINT) FROM episode_week_minutes \
                 WHERE episode_id = $1 AND minutes > 0 ORDER BY week_of";
    let kept_weeks: Vec<(NaiveDate, i64)> = match &mut tx {
        wrapcare_store::Tx::Sqlite(t) => sqlx::query_as(weeks)
            .bind(episode_id)
            .fetch_all(&mut **t)
            .await
            .expect("weeks"),
        wrapcare_store::Tx::Postgres(t) => sqlx::query_as(weeks)
            .bind(episode_id)
            .fetch_all(&mut **t)
            .await
            .expect("weeks"),
    };
    assert_eq!(kept_weeks, expected.into_iter().collect::<Vec<_>>());
    let goals = "SELECT goal_key, description, first_agreed_on, level_changed_on \
                 FROM current_goals WHERE episode_id = $1";
    type Current = (String, String, NaiveDate, Option<NaiveDate>);
    let progress: Vec<Current> = match &mut tx {
        wrapcare_store::Tx::Sqlite(t) => sqlx::query_as(goals)
            .bind(episode_id)
            .fetch_all(&mut **t)
            .await
            .expect("goals"),
        wrapcare_store::Tx::Postgres(t) => sqlx::query_as(goals)
            .bind(episode_id)
            .fetch_all(&mut **t)
            .await
            .expect("goals"),
    };
    assert_eq!(
        progress,
        vec![(
            "g1".to_string(),
            "Eigen woning".to_string(),
            d("2026-04-01"),
            Some(d("2026-06-01"))
        )]
    );
    tx.rollback().await.expect("rollback");

    let mut tx = store.write().await.expect("tx");
    let sql = format!("UPDATE contacts SET minutes = 1 WHERE id = {}", ids[0]);
    let changed = match &mut tx {
        wrapcare_store::Tx::Sqlite(t) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut **t)
            .await
            .map(|_| ()),
        wrapcare_store::Tx::Postgres(t) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut **t)
            .await
            .map(|_| ()),
    };
    assert!(
        changed.is_err_and(|e| e.to_string().contains("contact_frozen")),
        "minutes changed in place"
    );
    tx.rollback().await.expect("rollback");
}

/// A large batch goes in as a few multi-row statements and chains as one entry at a time would.
async fn a_large_batch_chains_like_single_entries(store: Store) {
    use access_log::Verdict;
    let f = fixture(&store).await;
    let details: Vec<String> = (0..75).map(|i| format!("{{\"n\":{i}}}")).collect();
    let entries: Vec<access_log::Entry> = details
        .iter()
        .map(|d| access_log::Entry {
            at: Utc::now(),
            user_id: Some(f.user_id),
            role: "coordinator",
            channel: "api",
            family_id: Some(3),
            episode_id: None,
            referral_id: None,
            action: "family.read",
            outcome: "allowed",
            address: None,
            emergency_access_id: None,
            detail: Some(d),
        })
        .collect();
    let mut tx = store.write().await.expect("tx");
    access_log::append(&mut tx, &entries).await.expect("append");
    tx.commit().await.expect("commit");
    let Verdict::Intact {
        entries: n, head, ..
    } = verdict(&store, None).await
    else {
        panic!("the chain broke");
    };
    assert_eq!((n, head.map(|h| h.id)), (75, Some(75)));
    let mut tx = store.read_only().await.expect("tx");
    let listed = access_log::list(&mut tx, Some(3), None, 100)
        .await
        .expect("list");
    tx.rollback().await.expect("rollback");
    // Newest first, in the order given, each hash chained to the one before.
    assert_eq!(listed[0].detail.as_deref(), Some("{\"n\":74}"));
    assert_eq!(listed[74].detail.as_deref(), Some("{\"n\":0}"));
    for pair in listed.windows(2) {
        assert_eq!(pair[0].prev_hash, pair[1].hash);
    }
}

async fn generation(store: &Store) -> i64 {
    let mut tx = store.single_read().await.expect("read");
    let n = wrapcare_store::generation::current(&mut tx)
        .await
        .expect("generation");
    tx.commit().await.expect("done");
    n
}

/// Every table a page shows raises the data generation on insert, update and
/// delete: a table added without its triggers would leave cached files stale.
async fn every_shown_table_raises_the_generation(store: Store) {
    let mut tx = store.read_only().await.expect("tx");
    // (table, events) for every table, the events its counting triggers cover.
    let covered: Vec<(String, String)> = match &mut tx {
        wrapcare_store::Tx::Sqlite(t) => sqlx::query_as(
            "SELECT m.name, COALESCE((SELECT group_concat(UPPER(substr(g.name, \
             length(m.name) + 13)), ',') FROM sqlite_master g WHERE g.type = 'trigger' \
             AND g.tbl_name = m.name AND g.name LIKE m.name || '_generation_%' \
             AND g.sql LIKE '%UPDATE data_generation SET n = n + 1%'), '') \
             FROM sqlite_master m WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
             AND m.name <> '_sqlx_migrations' ORDER BY m.name",
        )
        .fetch_all(&mut **t)
        .await
        .expect("tables"),
        wrapcare_store::Tx::Postgres(t) => sqlx::query_as(
            "SELECT c.relname::text, COALESCE((SELECT string_agg(CASE WHEN tg.tgtype & 4 <> 0 \
             AND tg.tgtype & 8 <> 0 AND tg.tgtype & 16 <> 0 THEN 'INSERT,UPDATE,DELETE' END, ',') \
             FROM pg_trigger tg JOIN pg_proc p ON p.oid = tg.tgfoid \
             WHERE tg.tgrelid = c.oid AND p.proname = 'raise_data_generation' \
             AND tg.tgdeferrable AND tg.tginitdeferred), '') \
             FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace \
             WHERE c.relkind = 'r' AND s.nspname = current_schema() \
             AND c.relname <> '_sqlx_migrations' ORDER BY c.relname",
        )
        .fetch_all(&mut **t)
        .await
        .expect("tables"),
    };
    tx.rollback().await.expect("rollback");
    assert!(covered.len() > 20, "tables: {covered:?}");
    for (table, events) in covered {
        let mut events: Vec<&str> = events.split(',').filter(|e| !e.is_empty()).collect();
        events.sort_unstable();
        if wrapcare_store::generation::UNCOUNTED.contains(&table.as_str()) {
            assert!(
                events.is_empty(),
                "{table} raises the generation: {events:?}"
            );
        } else {
            assert_eq!(events, ["DELETE", "INSERT", "UPDATE"], "{table}");
        }
    }
}

/// A change raises the generation when it commits, once; a rolled-back change
/// and an access-log entry do not.
async fn a_committed_change_raises_the_generation(store: Store) {
    let start = generation(&store).await;
    let f = fixture(&store).await;
    let after_fixture = generation(&store).await;
    assert!(after_fixture > start);

    let mut tx = store.write().await.expect("tx");
    organisation::insert(&mut tx, "Lijn5", Utc::now())
        .await
        .expect("org");
    // Not yet visible to a read while the change is open.
    assert_eq!(generation(&store).await, after_fixture);
    tx.rollback().await.expect("rollback");
    assert_eq!(generation(&store).await, after_fixture);

    let mut tx = store.write().await.expect("tx");
    access_log::insert(
        &mut tx,
        &access_log::Entry {
            channel: "page",
            outcome: "allowed",
            address: None,
            ..supervisor_read(f.user_id, 1)
        },
    )
    .await
    .expect("log");
    tx.commit().await.expect("commit");
    assert_eq!(generation(&store).await, after_fixture);

    // Raw SQL past the store counts as much as the store's own changes.
    tamper(&store, "UPDATE teams SET name = name || ' Noord'").await;
    let changed = generation(&store).await;
    assert!(changed > after_fixture);
    tamper(&store, "DELETE FROM organisations WHERE name = 'niemand'").await;
    assert_eq!(generation(&store).await, changed, "no row, no change");
}

/// A meeting: one per team and day, its attendees replaced as a whole, its
/// agenda in order, discussions guarded by their version, action items that
/// stay open on later agendas until done and count as overdue the day after
/// their due date, questions taken onto an agenda once, and backgrounds.
async fn meetings_keep_their_agenda_and_open_actions(store: Store) {
    use wrapcare_core::meeting::{AgendaReason, Principle};
    use wrapcare_store::meeting;
    use wrapcare_store::signal::Scope;
    let f = fixture(&store).await;
    let w1 = coordinator(&store, &f, "Anna", 1920).await;
    let w2 = coordinator(&store, &f, "Bram", 1920).await;
    let (family_id, _) = waiting_family(&store, &f, "Jansen").await;
    let now = Utc::now();
    let held_on = d("2026-05-07");
    let mut tx = store.write().await.expect("tx");
    let s2 = worker::secondments(&mut tx, w2).await.expect("secondments");
    worker::end_secondment(&mut tx, s2[0].id, d("2026-04-01"), s2[0].version)
        .await
        .expect("Bram left");
    assert_eq!(
        worker::seconded_on(&mut tx, f.team_id, held_on)
            .await
            .expect("seconded"),
        vec![w1],
        "a colleague who left is no longer chosen"
    );
    let new = meeting::NewMeeting {
        team_id: f.team_id,
        held_on,
        chair_worker_id: Some(w1),
        minute_taker_worker_id: None,
        created_by: f.user_id,
    };
    let id = meeting::insert(&mut tx, &new, now).await.expect("meeting");
    tx.commit().await.expect("commit");
    let mut tx = store.write().await.expect("tx");
    assert!(
        meeting::insert(&mut tx, &new, now).await.is_err(),
        "one meeting per team and day"
    );
    tx.rollback().await.expect("rollback");

    let mut tx = store.write().await.expect("tx");
    assert_eq!(
        meeting::on_day(&mut tx, f.team_id, held_on)
            .await
            .expect("on day")
            .map(|m| m.id),
        Some(id)
    );
    meeting::set_attendees(&mut tx, id, &[w1, w2])
        .await
        .expect("attendees");
    meeting::set_attendees(&mut tx, id, &[w1])
        .await
        .expect("attendees");
    assert_eq!(
        meeting::attendees(&mut tx, id).await.expect("attendees"),
        vec![w1]
    );

    let family_item = meeting::insert_item(
        &mut tx,
        &meeting::NewItem {
            meeting_id: id,
            reason: AgendaReason::Intervision,
            family_id: Some(family_id),
            title: "",
            principles: &[],
            domains: &["parenting".to_string()],
            question: "Hoe betrekken we opa?",
        },
    )
    .await
    .expect("family item");
    let topic = meeting::insert_item(
        &mut tx,
        &meeting::NewItem {
            meeting_id: id,
            reason: AgendaReason::Topic,
            family_id: None,
            title: "Knelpunt: netwerk",
            principles: &[Principle::NaturalSupports, Principle::TeamBased],
            domains: &[],
            question: "",
        },
    )
    .await
    .expect("topic");
    let order = |items: Vec<meeting::AgendaItem>| items.iter().map(|i| i.id).collect::<Vec<_>>();
    assert_eq!(
        order(meeting::items(&mut tx, id).await.expect("items")),
        vec![family_item, topic]
    );
    meeting::move_item(&mut tx, id, topic, true)
        .await
        .expect("up");
    assert_eq!(
        order(meeting::items(&mut tx, id).await.expect("items")),
        vec![topic, family_item]
    );
    meeting::move_item(&mut tx, id, topic, true)
        .await
        .expect("at the top");
    assert_eq!(
        order(meeting::items(&mut tx, id).await.expect("items")),
        vec![topic, family_item]
    );
    let items = meeting::items(&mut tx, id).await.expect("items");
    let fam = items
        .iter()
        .find(|i| i.id == family_item)
        .expect("family item");
    assert_eq!(fam.surname.as_deref(), Some("Jansen"));
    assert_eq!(fam.domains, vec!["parenting".to_string()]);
    let top = items.iter().find(|i| i.id == topic).expect("topic");
    assert_eq!(
        top.principles,
        vec![Principle::NaturalSupports, Principle::TeamBased]
    );

    meeting::record_discussion(
        &mut tx,
        family_item,
        ("Hoe betrekken we opa?", "Opa wil wel.", "Bellen."),
        fam.version,
    )
    .await
    .expect("discussion");
    assert!(matches!(
        meeting::record_discussion(&mut tx, family_item, ("", "ouder", ""), fam.version).await,
        Err(StoreError::Stale)
    ));

    let action = meeting::insert_action(
        &mut tx,
        &meeting::NewAction {
            agenda_item_id: family_item,
            description: "Opa bellen",
            owner_worker_id: w1,
            due_on: d("2026-05-14"),
            created_by: f.user_id,
        },
        now,
    )
    .await
    .expect("action");
    let ids = |a: Vec<meeting::ActionItem>| a.iter().map(|x| x.id).collect::<Vec<_>>();
    assert!(
        ids(meeting::open_actions_before(&mut tx, f.team_id, held_on)
            .await
            .expect("open"))
        .is_empty(),
        "not before its own meeting"
    );
    assert_eq!(
        ids(
            meeting::open_actions_before(&mut tx, f.team_id, d("2026-05-14"))
                .await
                .expect("open")
        ),
        vec![action]
    );
    assert_eq!(
        ids(meeting::open_actions_of_worker(&mut tx, w1)
            .await
            .expect("mine")),
        vec![action]
    );
    for (today, overdue) in [("2026-05-14", false), ("2026-05-15", true)] {
        for scope in [
            Scope::Team(f.team_id),
            Scope::Programme(f.programme_id),
            Scope::Coordinator(w1),
        ] {
            let found = meeting::overdue_actions(&mut tx, scope, d(today))
                .await
                .expect("overdue");
            assert_eq!(!found.is_empty(), overdue, "{today} {scope:?}");
        }
    }
    assert!(
        meeting::overdue_actions(&mut tx, Scope::Coordinator(w2), d("2026-06-01"))
            .await
            .expect("overdue")
            .is_empty()
    );
    let a = meeting::get_action(&mut tx, action)
        .await
        .expect("get")
        .expect("action");
    assert_eq!(
        (a.family_id, a.held_on, a.owner_name.as_str()),
        (Some(family_id), held_on, "Anna")
    );
    meeting::complete_action(&mut tx, action, d("2026-05-12"), f.user_id, a.version)
        .await
        .expect("done");
    assert!(matches!(
        meeting::complete_action(&mut tx, action, d("2026-05-12"), f.user_id, a.version).await,
        Err(StoreError::Stale)
    ));
    assert!(
        meeting::open_actions_before(&mut tx, f.team_id, d("2026-06-01"))
            .await
            .expect("open")
            .is_empty()
    );
    assert!(
        meeting::overdue_actions(&mut tx, Scope::Team(f.team_id), d("2026-06-01"))
            .await
            .expect("overdue")
            .is_empty()
    );

    meeting::put_forward(
        &mut tx,
        &meeting::NewQuestion {
            family_id,
            team_id: f.team_id,
            worker_id: w1,
            question: "Wie kent de school?",
            domains: &["child_development".to_string()],
        },
        now,
    )
    .await
    .expect("question");
    let open = meeting::open_questions(&mut tx, f.team_id)
        .await
        .expect("questions");
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].domains, vec!["child_development".to_string()]);
    meeting::take_questions(&mut tx, f.team_id, family_id, family_item)
        .await
        .expect("taken");
    assert!(
        meeting::open_questions(&mut tx, f.team_id)
            .await
            .expect("questions")
            .is_empty()
    );

    let topics = meeting::topics_of_team(&mut tx, f.team_id)
        .await
        .expect("topics");
    assert_eq!(
        topics.iter().map(|(on, i)| (*on, i.id)).collect::<Vec<_>>(),
        vec![(held_on, topic)]
    );

    meeting::set_organisation_domains(&mut tx, f.organisation_id, &["housing", "financial"])
        .await
        .expect("field");
    meeting::set_expertise(&mut tx, w1, &["justice"])
        .await
        .expect("expertise");
    meeting::set_expertise(&mut tx, w1, &["substance_use"])
        .await
        .expect("replaced");
    let mut backgrounds = meeting::backgrounds(&mut tx, f.team_id)
        .await
        .expect("backgrounds");
    for b in &mut backgrounds {
        b.1.sort();
        b.2.sort();
    }
    backgrounds.sort();
    let field = vec!["financial".to_string(), "housing".to_string()];
    assert_eq!(
        backgrounds,
        vec![
            (w1, field.clone(), vec!["substance_use".to_string()]),
            (w2, field, Vec::new())
        ]
    );

    assert_eq!(
        meeting::team_families(&mut tx, f.team_id)
            .await
            .expect("families"),
        vec![(family_id, "Jansen".to_string())]
    );
    assert_eq!(
        meeting::of_team(&mut tx, f.team_id)
            .await
            .expect("list")
            .len(),
        1
    );
    tx.commit().await.expect("commit");
}

/// Schedules, measurements with their scores and one-time links: one
/// response per moment and per link, a link used once.
async fn questionnaires_keep_one_response_per_moment_and_link(store: Store) {
    use wrapcare_core::questionnaire::{Occasion, Planned, Respondent, Score, When};
    use wrapcare_store::questionnaire as q;
    let f = fixture(&store).await;
    let (family_id, episode_id) = waiting_family(&store, &f, "Jansen").await;
    let now = Utc::now();

    let schedule = vec![
        Planned {
            instrument: "appreciation".into(),
            respondent: Respondent::Parent,
            when: When::Every { weeks: 26 },
        },
        Planned {
            instrument: "self_sufficiency".into(),
            respondent: Respondent::Coordinator,
            when: When::Start,
        },
    ];
    let mut tx = store.write().await.expect("tx");
    q::set_schedule(&mut tx, f.programme_id, &schedule)
        .await
        .expect("schedule");
    q::set_schedule(&mut tx, f.programme_id, &schedule)
        .await
        .expect("replaced, not added");
    let scores = [
        Score {
            subscale: "appreciation".into(),
            value: Some(4.25),
            answered: 12,
            items: 13,
        },
        Score {
            subscale: "mark".into(),
            value: None,
            answered: 0,
            items: 1,
        },
    ];
    let link_id = q::insert_link(
        &mut tx,
        &q::NewLink {
            episode_id,
            instrument: "appreciation",
            respondent: Respondent::Parent,
            occasion: Occasion::Repeat(1),
            token_hash: "hash-1",
            lang: "nl",
            created_by: f.user_id,
            expires_at: now + chrono::Duration::days(14),
        },
        now,
    )
    .await
    .expect("link");
    q::use_link(&mut tx, link_id, now).await.expect("first use");
    assert!(matches!(
        q::use_link(&mut tx, link_id, now).await,
        Err(StoreError::Stale)
    ));
    let measurement = q::NewMeasurement {
        episode_id,
        instrument: "appreciation",
        instrument_version: 1,
        respondent: Respondent::Parent,
        occasion: Occasion::Repeat(1),
        taken_on: d("2026-09-01"),
        answers: r#"{"heard":5,"comment":"fijn"}"#,
        recorded_by: None,
        link_id: Some(link_id),
        scores: &scores,
    };
    q::insert_measurement(&mut tx, &measurement, now)
        .await
        .expect("measurement");
    tx.commit().await.expect("commit");

    let mut tx = store.write().await.expect("tx");
    let again = q::insert_measurement(&mut tx, &measurement, now).await;
    assert!(
        matches!(again, Err(StoreError::Conflict(_))),
        "a second response to one moment: {again:?}"
    );
    tx.rollback().await.expect("rollback");

    let mut tx = store.read_only().await.expect("tx");
    assert_eq!(
        q::schedule_of(&mut tx, f.programme_id).await.expect("read"),
        schedule
    );
    assert_eq!(
        q::schedules(&mut tx).await.expect("read")[&f.programme_id],
        schedule
    );
    assert_eq!(
        q::grace_days(&mut tx).await.expect("read")[&f.programme_id],
        14
    );
    let taken = q::measurements_of_family(&mut tx, family_id)
        .await
        .expect("read");
    assert_eq!(taken.len(), 1);
    assert!(taken[0].via_link);
    assert_eq!(taken[0].occasion, Occasion::Repeat(1));
    let mut stored = taken[0].scores.clone();
    stored.sort_by(|a, b| a.subscale.cmp(&b.subscale));
    assert_eq!(
        stored,
        [
            q::StoredScore {
                subscale: "appreciation".into(),
                value: Some(4.25),
                answered: 12,
                items: 13
            },
            q::StoredScore {
                subscale: "mark".into(),
                value: None,
                answered: 0,
                items: 1
            },
        ]
    );
    // The signals read which questionnaires the episode took from the
    // list kept with each measurement.
    let episodes = wrapcare_store::signal::episodes(
        &mut tx,
        wrapcare_store::signal::Scope::Team(f.team_id),
        [d("2026-11-16"), d("2026-11-23")],
    )
    .await
    .expect("read");
    let row = episodes
        .iter()
        .find(|e| e.episode_id == episode_id)
        .expect("the episode");
    assert_eq!(
        row.measured,
        [wrapcare_core::questionnaire::schedule::Measured {
            instrument: "appreciation".into(),
            respondent: Respondent::Parent,
            occasion: Occasion::Repeat(1),
        }]
    );
    let link = q::link_by_hash(&mut tx, "hash-1")
        .await
        .expect("read")
        .expect("found");
    assert_eq!((link.family_id, link.used_at.is_some()), (family_id, true));
    assert!(
        q::link_by_hash(&mut tx, "guessed")
            .await
            .expect("read")
            .is_none()
    );
    assert_eq!(
        q::links_of_family(&mut tx, family_id)
            .await
            .expect("read")
            .len(),
        1
    );
    tx.rollback().await.expect("rollback");
}

wrapcare_store::on_both_databases!(
    every_shown_table_raises_the_generation,
    a_committed_change_raises_the_generation,
    agreed_plan_versions_are_frozen_by_the_database,
    reference_data_round_trips,
    referral_keeps_submitted_persons_and_idempotency,
    a_family_has_one_open_episode,
    assignments_never_overlap,
    stale_versions_are_refused,
    caseload_counts_open_assigned_episodes,
    waiting_list_and_search,
    persons_memberships_and_candidates,
    access_log_is_written_and_listed,
    the_access_log_chain_names_what_was_tampered_with,
    a_large_batch_chains_like_single_entries,
    kept_totals_match_the_rows,
    meetings_keep_their_agenda_and_open_actions,
    questionnaires_keep_one_response_per_moment_and_link,
);
