//! The access log's writer, on SQLite and PostgreSQL: reads wait for their
//! entries, many reads share a commit, a log that cannot be written fails the
//! reads (nothing is shown without its entry), and the writer recovers.

use std::time::Duration;

use wrapcare_app::{Actor, App, AppError, Config};
use wrapcare_store::{Store, Tx};

async fn demo(store: Store) -> (App, Actor, Vec<i64>) {
    let app = App::new(
        store,
        Config {
            // Long enough for fifty reads at once on a busy test machine.
            access_log_timeout: Duration::from_millis(1500),
            ..Config::default()
        },
    );
    app.load_demo("access-log-test").await.expect("demo");
    let coach = app
        .cli_actor("coach1@demo.wrapcare.nl")
        .await
        .expect("coach");
    let families: Vec<i64> = app
        .my_families(&coach)
        .await
        .expect("mine")
        .iter()
        .map(|l| l.family_id)
        .collect();
    assert!(!families.is_empty());
    (app, coach, families)
}

/// Takes the access log out of reach, as a full disk or a stuck lock would:
/// SQLite's write lock, or an exclusive lock on the table in PostgreSQL.
async fn hold_the_log(store: &Store) -> Tx {
    let mut tx = store.write().await.expect("tx");
    if let Tx::Postgres(t) = &mut tx {
        sqlx::query("LOCK TABLE access_log IN EXCLUSIVE MODE")
            .execute(&mut **t)
            .await
            .expect("lock");
    }
    tx
}

async fn family_reads_of(app: &App, user_id: i64) -> usize {
    wrapcare_store::testing::access_log(app.store(), None, 100_000)
        .await
        .iter()
        .filter(|e| {
            e.user_id == Some(user_id) && e.action == "family.read" && e.outcome == "allowed"
        })
        .count()
}

async fn reads_wait_for_their_entries_and_fail_without_them(store: Store) {
    let (app, coach, families) = demo(store.clone()).await;
    let before = family_reads_of(&app, coach.user_id).await;

    // Fifty reads at once: all answered, each with its entry.
    let mut reads = Vec::new();
    for i in 0..50 {
        let (app, coach) = (app.clone(), coach.clone());
        let family = families[i % families.len()];
        reads.push(tokio::spawn(
            async move { app.family(&coach, family).await },
        ));
    }
    let mut answered = 0;
    for r in reads {
        r.await.expect("task").expect("read");
        answered += 1;
    }
    assert_eq!(
        family_reads_of(&app, coach.user_id).await,
        before + answered
    );

    // With the log out of reach every read fails, and shows nothing.
    let held = hold_the_log(&store).await;
    let mut reads = Vec::new();
    for i in 0..20 {
        let (app, coach) = (app.clone(), coach.clone());
        let family = families[i % families.len()];
        reads.push(tokio::spawn(
            async move { app.family(&coach, family).await },
        ));
    }
    for r in reads {
        let result = r.await.expect("task");
        assert!(
            matches!(result, Err(AppError::LogUnavailable)),
            "a read answered without its entry: {:?}",
            result.map(|v| v.id)
        );
    }
    let _ = held.rollback().await;

    // The writer recovers by itself; reads on the way in and out of an outage
    // are answered only when their entry is there.
    let start = family_reads_of(&app, coach.user_id).await;
    let mut reads = Vec::new();
    for i in 0..60 {
        let (app, coach) = (app.clone(), coach.clone());
        let family = families[i % families.len()];
        reads.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis((i as u64) * 15)).await;
            app.family(&coach, family).await.is_ok()
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let held = hold_the_log(&store).await;
    // Longer than a batch may wait, so some reads in between fail.
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let _ = held.rollback().await;
    let mut ok = 0;
    for r in reads {
        if r.await.expect("task") {
            ok += 1;
        }
    }
    assert!(ok > 0, "the writer recovered");
    let logged = family_reads_of(&app, coach.user_id).await - start;
    assert!(
        logged >= ok,
        "{ok} reads answered, only {logged} entries committed"
    );
    app.family(&coach, families[0])
        .await
        .expect("reads work again");
}

wrapcare_store::on_both_databases!(reads_wait_for_their_entries_and_fail_without_them);

/// The family page's plan and hours summaries, now added up by the database,
/// say what the full plan and contact views say, for every demo family.
async fn the_family_summary_matches_the_full_views(store: Store) {
    let (app, _, _) = demo(store).await;
    let mut compared = 0;
    for email in ["leider@demo.wrapcare.nl", "zeeland-leider@demo.wrapcare.nl"] {
        let lead = app.cli_actor(email).await.expect("supervisor");
        for line in app.search_families(&lead, "").await.expect("search") {
            let family = app.family(&lead, line.family_id).await.expect("family");
            let plan = app.plan(&lead, line.family_id).await.expect("plan");
            let contacts = app.contacts(&lead, line.family_id).await.expect("contacts");
            let summary = family
                .plan
                .as_ref()
                .map(|p| (p.number, p.status, p.t_score, p.review_due, p.overdue));
            let full = plan.current.as_ref().map(|v| {
                (
                    v.number,
                    v.status,
                    plan.t_score,
                    plan.review_due,
                    plan.overdue,
                )
            });
            assert_eq!(
                serde_json::to_string(&summary).expect("json"),
                serde_json::to_string(&full).expect("json"),
                "plan of family {}",
                line.family_id
            );
            if let Some(hours) = &family.hours {
                assert_eq!(hours.used_minutes, contacts.used_minutes);
                assert_eq!(hours.budget, contacts.budget);
                assert_eq!(hours.far_under_weekly_norm, contacts.far_under_weekly_norm);
                let weeks = &contacts.weeks[contacts.weeks.len().saturating_sub(12)..];
                assert_eq!(
                    serde_json::to_string(&hours.recent_weeks).expect("json"),
                    serde_json::to_string(weeks).expect("json")
                );
            }
            compared += 1;
        }
    }
    assert!(compared > 20, "{compared} families compared");
}

wrapcare_store::on_both_databases!(the_family_summary_matches_the_full_views);

/// The family file and the timeline are each read in one statement that the
/// database builds as JSON; for every demo family they hold exactly what the
/// ordinary query of each part holds.
async fn one_statement_reads_hold_what_each_part_holds(store: Store) {
    use wrapcare_store::{contact, emergency_access, episode, family, module, timeline};
    let (app, _, _) = demo(store.clone()).await;
    let now = app.now();
    let today = app.today();
    let mut tx = store.read_only().await.expect("tx");
    let family_ids: Vec<i64> = wrapcare_store::testing::family_ids(&mut tx).await;
    let (mut contacts_seen, mut referrals_seen, mut plans_seen) = (0, 0, 0);
    for &id in &family_ids {
        let (opened, file) = family::file::read(&mut tx, id, Some(1), now, today)
            .await
            .expect("file")
            .expect("family");
        let debug = |x: &dyn std::fmt::Debug| format!("{x:?}");
        assert_eq!(
            debug(&Some(opened.family.clone())),
            debug(&family::get(&mut tx, id).await.expect("family"))
        );
        let episodes = episode::of_family(&mut tx, id).await.expect("episodes");
        assert_eq!(debug(&opened.episodes), debug(&episodes), "family {id}");
        assert_eq!(
            debug(&opened.emergency),
            debug(
                &emergency_access::running(&mut tx, 1, id, now)
                    .await
                    .expect("running")
            )
        );
        assert_eq!(
            debug(&file.members),
            debug(&family::members(&mut tx, id, today).await.expect("members"))
        );
        assert_eq!(
            debug(&file.indications),
            debug(
                &family::indications(&mut tx, id, today)
                    .await
                    .expect("indications")
            )
        );
        let (_, sources) = timeline::read(&mut tx, id, None, now)
            .await
            .expect("timeline")
            .expect("family");
        for e in &episodes {
            let programme = wrapcare_store::programme::get(&mut tx, e.programme_id)
                .await
                .expect("programme");
            assert_eq!(
                debug(&file.programmes.get(&e.programme_id)),
                debug(&programme.as_ref())
            );
            assert_eq!(
                debug(
                    &file
                        .histories
                        .assignments
                        .get(&e.id)
                        .cloned()
                        .unwrap_or_default()
                ),
                debug(
                    &episode::assignments(&mut tx, e.id)
                        .await
                        .expect("assignments")
                )
            );
            let versions = wrapcare_store::plan::versions(&mut tx, e.id)
                .await
                .expect("versions");
            assert_eq!(
                debug(&file.plans.get(&e.id).map(|(v, _)| v)),
                debug(&versions.last()),
                "plan of episode {}",
                e.id
            );
            plans_seen += usize::from(!versions.is_empty());
            let entries = contact::of_episode(&mut tx, e.id).await.expect("contacts");
            assert_eq!(
                debug(&sources.contacts.get(&e.id).cloned().unwrap_or_default()),
                debug(&entries)
            );
            contacts_seen += entries.len();
            let mut per_day = std::collections::BTreeMap::new();
            for c in entries
                .iter()
                .filter(|c| c.status == wrapcare_core::contact::EntryStatus::Active)
            {
                *per_day.entry(c.contact_on).or_insert(0) += c.minutes;
            }
            assert_eq!(
                file.minutes_per_day.get(&e.id).cloned().unwrap_or_default(),
                per_day.into_iter().collect::<Vec<_>>()
            );
            let referrals = module::of_episode(&mut tx, e.id).await.expect("referrals");
            assert_eq!(
                debug(
                    &sources
                        .module_referrals
                        .get(&e.id)
                        .cloned()
                        .unwrap_or_default()
                ),
                debug(&referrals)
            );
            referrals_seen += referrals.len();
        }
    }
    tx.commit().await.expect("commit");
    assert!(family_ids.len() > 50, "{} families", family_ids.len());
    assert!(contacts_seen > 500 && referrals_seen > 10 && plans_seen > 20);
}

wrapcare_store::on_both_databases!(one_statement_reads_hold_what_each_part_holds);

/// What administrators change is in the log, with what changed and no secrets.
async fn administrators_changes_are_logged_with_what_changed(store: Store) {
    use wrapcare_app::admin::{ProgrammeInput, UserInput};
    let (app, _, _) = demo(store).await;
    let admin = app
        .cli_actor("admin@demo.wrapcare.nl")
        .await
        .expect("admin");
    let input = ProgrammeInput {
        name: "Pilot Noord".into(),
        starts_on: "2026-01-01".into(),
        ends_on: String::new(),
        families_per_fte: "3".into(),
        budget_hours_per_family: "200".into(),
        weekly_hours_per_family: "7".into(),
        start_within_weeks: "9".into(),
        full_time_hours_per_week: "32".into(),
        ..Default::default()
    };
    let programme = app
        .create_programme(&admin, &input)
        .await
        .expect("programme");
    app.update_programme(
        &admin,
        programme,
        &ProgrammeInput {
            families_per_fte: "4".into(),
            ..input.clone()
        },
        1,
    )
    .await
    .expect("update");
    let team = app
        .create_team(&admin, "Team Noord", &programme.to_string())
        .await
        .expect("team");
    let issued = app
        .create_user(
            &admin,
            &UserInput {
                email: "nieuw@example.nl".into(),
                name: "Nieuwe Collega".into(),
                role: "coordinator".into(),
                team_id: team.to_string(),
            },
        )
        .await
        .expect("user");
    let user = issued.user.id;
    app.set_user_role(
        &admin,
        user,
        &UserInput {
            role: "analyst".into(),
            ..Default::default()
        },
        issued.user.version,
    )
    .await
    .expect("role");
    let reset = app.reset_password(&admin, user).await.expect("reset");
    app.deactivate_user(Some(&admin), wrapcare_app::admin::UserRef::Id(user))
        .await
        .expect("deactivate");

    let log = wrapcare_store::testing::access_log(app.store(), None, 50).await;
    let detail = |action: &str| -> serde_json::Value {
        let entry = log
            .iter()
            .find(|e| e.action == action)
            .unwrap_or_else(|| panic!("{action} is not logged"));
        assert_eq!(entry.user_id, Some(admin.user_id));
        serde_json::from_str(entry.detail.as_deref().unwrap_or("null")).expect("json")
    };
    let update = detail("admin.update_programme");
    assert_eq!(update["from"], serde_json::json!({ "families_per_fte": 3 }));
    assert_eq!(update["to"], serde_json::json!({ "families_per_fte": 4 }));
    assert_eq!(detail("admin.create_programme")["programme_id"], programme);
    assert_eq!(detail("admin.create_team")["team_id"], team);
    assert_eq!(detail("admin.create_user")["role"], "coordinator");
    let role = detail("admin.set_user_role");
    assert_eq!(role["from"]["role"], "coordinator");
    assert_eq!(role["to"]["role"], "analyst");
    assert_eq!(detail("admin.reset_password")["user_id"], user);
    assert_eq!(detail("admin.deactivate_user")["user_id"], user);
    for e in &log {
        let text = e.detail.as_deref().unwrap_or("");
        assert!(!text.contains(&reset.password), "a password in the log");
        assert!(!text.contains("nieuw@example.nl") && !text.contains("Nieuwe Collega"));
    }
}

wrapcare_store::on_both_databases!(administrators_changes_are_logged_with_what_changed);

/// A part of a file that is not there (a plan version, a contact, a module
/// referral of another episode) is answered 404 and logged as such.
async fn missing_parts_of_a_file_are_logged(store: Store) {
    let (app, coach, families) = demo(store).await;
    let family = families[0];
    assert!(matches!(
        app.plan_version(&coach, family, None, 999, None).await,
        Err(AppError::NotFound)
    ));
    let remove = wrapcare_app::contact::RemoveInput {
        reason: "dubbel".into(),
        version: 1,
    };
    assert!(matches!(
        app.remove_contact(&coach, family, 999_999, &remove).await,
        Err(AppError::NotFound)
    ));
    let step = wrapcare_app::module::ModuleStepInput {
        on: app.today().format("%Y-%m-%d").to_string(),
        reason: "completed".into(),
        version: 1,
    };
    assert!(matches!(
        app.end_module(&coach, family, 999_999, &step).await,
        Err(AppError::NotFound)
    ));
    let log = wrapcare_store::testing::access_log(app.store(), Some(family), 20).await;
    for action in ["plan.read_version", "contact.remove", "module.end"] {
        assert!(
            log.iter().any(|e| e.action == action
                && e.outcome == "not_found"
                && e.user_id == Some(coach.user_id)),
            "{action} not logged: {log:?}"
        );
    }
}

wrapcare_store::on_both_databases!(missing_parts_of_a_file_are_logged);

/// Runs SQL as another server or the command line would: past this App.
async fn past_the_application(store: &Store, sql: &str) {
    let mut tx = store.write().await.expect("tx");
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    match &mut tx {
        Tx::Sqlite(t) => sqlx::raw_sql(sql).execute(&mut **t).await.map(|_| ()),
        Tx::Postgres(t) => sqlx::raw_sql(sql).execute(&mut **t).await.map(|_| ()),
    }
    .expect("sql");
    tx.commit().await.expect("commit");
}

/// Neither the file nor its timeline opens for `actor`: 404, as if missing.
async fn assert_no_need_to_know(app: &App, actor: &Actor, family: i64) {
    assert!(matches!(
        app.family(actor, family).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        app.timeline(actor, family).await,
        Err(AppError::NotFound)
    ));
}

/// A file read from the copy the application keeps is never older than the
/// database: a change made past the application shows at once, a coordinator
/// taken off the family loses it at once, and an emergency access ends when
/// its time is up.
async fn a_kept_file_is_never_older_than_the_database(store: Store) {
    let (app, coach, families) = demo(store.clone()).await;
    let family = families[0];
    let json = |v: &wrapcare_app::family::FamilyView| serde_json::to_value(v).expect("json");
    let first = app.family(&coach, family).await.expect("read");
    let again = app.family(&coach, family).await.expect("read again");
    assert_eq!(json(&first), json(&again));
    let timeline = app.timeline(&coach, family).await.expect("timeline");

    past_the_application(
        &store,
        &format!(
            "UPDATE families SET phone = '0301234567', surname = 'Verhoeven' WHERE id = {family}"
        ),
    )
    .await;
    let changed = app.family(&coach, family).await.expect("read");
    assert_eq!(changed.phone.as_deref(), Some("0301234567"));
    assert_ne!(json(&changed), json(&first));
    let changed = app.timeline(&coach, family).await.expect("timeline");
    assert_eq!(changed.surname, "Verhoeven");
    assert_ne!(changed.surname, timeline.surname);

    // Handed over to a colleague: the file is the colleague's, no longer coach1's.
    let colleague = app
        .cli_actor("coach2@demo.wrapcare.nl")
        .await
        .expect("colleague");
    let worker = colleague.worker_id.expect("a coordinator");
    past_the_application(
        &store,
        &format!(
            "UPDATE assignments SET worker_id = {worker} WHERE ends_on IS NULL \
             AND episode_id IN (SELECT id FROM episodes WHERE family_id = {family})"
        ),
    )
    .await;
    assert_no_need_to_know(&app, &coach, family).await;
    app.family(&colleague, family)
        .await
        .expect("the colleague's file now");

    // An emergency access opens it again, until its time is up.
    let mut tx = store.write().await.expect("tx");
    let now = app.now();
    wrapcare_store::emergency_access::insert(
        &mut tx,
        family,
        coach.user_id,
        "the test needs it",
        now,
        now + chrono::Duration::milliseconds(1500),
    )
    .await
    .expect("emergency access");
    tx.commit().await.expect("commit");
    let opened = app
        .family(&coach, family)
        .await
        .expect("under emergency access");
    assert!(opened.access.emergency_until.is_some());
    app.timeline(&coach, family)
        .await
        .expect("timeline under emergency access");
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_no_need_to_know(&app, &coach, family).await;

    // The supervisor's waiting list, likewise.
    let lead = app
        .cli_actor("leider@demo.wrapcare.nl")
        .await
        .expect("supervisor");
    let waiting = app.waiting_list(&lead).await.expect("waiting list");
    let first = waiting.first().expect("someone waits").family_id;
    assert_eq!(
        app.waiting_list(&lead).await.expect("again").len(),
        waiting.len()
    );
    past_the_application(
        &store,
        &format!("UPDATE families SET surname = 'Zwart' WHERE id = {first}"),
    )
    .await;
    let changed = app.waiting_list(&lead).await.expect("waiting list");
    let line = changed
        .iter()
        .find(|l| l.family_id == first)
        .expect("still waits");
    assert_eq!(line.surname, "Zwart");
}

wrapcare_store::on_both_databases!(a_kept_file_is_never_older_than_the_database);

/// A request that looked up its token learned the data generation with it.
/// Its own change, made after, shows in what it reads next; a change from
/// outside the process shows from the next request on.
async fn a_request_sees_its_own_change_and_the_next_one_everyones(store: Store) {
    let (app, _coach, families) = demo(store.clone()).await;
    let family = families[0];
    let token = app
        .create_token("coach1@demo.wrapcare.nl")
        .await
        .expect("token");
    let request = app.token_actor(&token, None).await.expect("by token");
    assert!(request.seen.is_some());
    let used =
        |v: &wrapcare_app::family::FamilyView| v.hours.as_ref().expect("in care").used_minutes;
    let before = used(&app.family(&request, family).await.expect("read"));
    app.log_contact(
        &request,
        family,
        &wrapcare_app::contact::ContactInput {
            contact_on: app.today().format("%Y-%m-%d").to_string(),
            minutes: "90".into(),
            kind: "home_visit".into(),
            participants: "moeder".into(),
            note: "Huisbezoek".into(),
        },
    )
    .await
    .expect("contact");
    let after = used(&app.family(&request, family).await.expect("read"));
    assert_eq!(after, before + 90, "the request's own change shows");

    // From another process (the command line, a second server): this one
    // counted no write, so only a request that looks up its token anew sees it.
    let mut tx = store.write_uncounted().await.expect("tx");
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE families SET phone = '0307654321' WHERE id = {family}"
    ));
    match &mut tx {
        Tx::Sqlite(t) => sqlx::raw_sql(sql).execute(&mut **t).await.map(|_| ()),
        Tx::Postgres(t) => sqlx::raw_sql(sql).execute(&mut **t).await.map(|_| ()),
    }
    .expect("sql");
    tx.commit().await.expect("commit");
    let next = app.token_actor(&token, None).await.expect("by token");
    let read = app.family(&next, family).await.expect("read");
    assert_eq!(read.phone.as_deref(), Some("0307654321"));
}

wrapcare_store::on_both_databases!(a_request_sees_its_own_change_and_the_next_one_everyones);
