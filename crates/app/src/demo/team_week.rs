//! The demo's team week: the backgrounds colleagues bring, four past weekly
//! meetings per team with discussions, decisions and their action items (most
//! done, some still open and one past its due date; each coordinator leaves
//! last week's with one open), a question put forward for this week, and a
//! module requested weeks ago that has not started.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use wrapcare_core::meeting::{AgendaReason, Principle};
use wrapcare_store::{Tx, episode, family, meeting, module};

use super::at;
use crate::Result;

/// One team, as the demo made it.
pub(super) struct DemoTeam {
    pub team_id: i64,
    /// The supervisor's login, who records the meetings.
    pub supervisor_user: i64,
    /// The supervisor's worker record, who chairs.
    pub lead_worker: i64,
    pub coordinators: Vec<i64>,
    /// Families in care with their coordinator, in the order they were made.
    pub in_care: Vec<(i64, i64)>,
    /// A module of the catalogue to request for a family.
    pub module_id: i64,
}

/// The field each demo organisation works in, by life domain.
pub(super) const ORGANISATION_DOMAINS: [&[&str]; 9] = [
    &["community", "housing"],
    &["daily_living", "work_education", "financial"],
    &["mental_health", "substance_use"],
    &["family_relations", "parenting", "social_network"],
    &["child_development", "justice"],
    &["child_development", "daytime"],
    &["mental_health", "child_development"],
    &["parenting", "family_relations", "daytime"],
    &["parenting", "physical_health", "social_network"],
];

/// What each coordinator brings beyond their organisation, by team.
const EXPERTISE: [&[&[&str]]; 2] = [
    &[
        &["financial", "housing"],
        &["justice", "community"],
        &["substance_use"],
        &["work_education", "daily_living"],
        &["physical_health"],
    ],
    &[
        &["mental_health"],
        &["financial", "daily_living"],
        &["justice"],
        &["social_network", "community"],
    ],
];

pub(super) async fn organisation_fields(tx: &mut Tx, organisations: &[i64]) -> Result<()> {
    for (org, domains) in organisations.iter().zip(ORGANISATION_DOMAINS) {
        meeting::set_organisation_domains(tx, *org, domains).await?;
    }
    Ok(())
}

/// What was discussed about a family, and what was decided.
struct Case {
    question: &'static str,
    notes: &'static str,
    advice: &'static str,
    action: &'static str,
}

const CASES: [Case; 6] = [
    Case {
        question: "Moeder zegt steeds af als school bij het netwerkberaad is. Hoe krijgen we haar \
                   weer aan tafel?",
        notes: "Moeder voelt zich beoordeeld door de mentor. Ze wil wel praten met de intern \
                begeleider. Oma is een steun die nog niet meedoet.",
        advice: "Eerst apart met moeder de agenda maken; oma uitnodigen; school laten starten met \
                 wat goed gaat.",
        action: "Met moeder de agenda van het netwerkberaad voorbereiden en oma uitnodigen",
    },
    Case {
        question: "De schulden lopen op en de huisbaas dreigt met ontruiming. Wat gaat nu voor?",
        notes: "Ontruiming is binnen zes weken mogelijk. Vader is aangemeld bij schuldhulp maar \
                de intake is pas over een maand.",
        advice: "Huisvesting gaat voor: met de woningcorporatie een betalingsregeling treffen en \
                 schuldhulp om een spoedintake vragen.",
        action: "Spoedintake schuldhulp aanvragen en betalingsregeling met de corporatie bespreken",
    },
    Case {
        question: "Het weekendlogeren helpt, maar de oudste wil niet meer naar huis. Bouwen we het \
                   af of juist op?",
        notes: "Thuis escaleert het vooral op zondagavond. De logeerouders zien een jongen die \
                tot rust komt.",
        advice: "Niet uitbreiden; de zondagavond samen met ouders en logeerouders uitwerken als \
                 overgangsmoment.",
        action: "Overgangsafspraak voor zondagavond maken met ouders en logeerouders",
    },
    Case {
        question: "Vader drinkt weer meer sinds hij zijn werk kwijt is. Bespreek ik dat in het \
                   netwerk of eerst alleen met hem?",
        notes: "Vader schaamt zich. Zijn broer weet ervan en wil helpen. De kinderen merken het \
                's avonds.",
        advice: "Eerst met vader alleen, met de vraag wat hij zelf wil; de broer als steun \
                 voorstellen; de verslavingszorg als module aanbieden.",
        action: "Gesprek met vader over zijn drinken en wie hij daarbij wil betrekken",
    },
    Case {
        question: "De doelen staan al twee maanden stil. Zijn het nog de doelen van het gezin?",
        notes: "Het plan is opgesteld in de eerste weken, toen de crisis alles bepaalde. Ouders \
                noemen nu andere zorgen: de dagbesteding van de jongste.",
        advice: "Het plan opnieuw met het gezin doorlopen en de doelen in hun woorden formuleren.",
        action: "Plan met het gezin evalueren en de doelen herformuleren",
    },
    Case {
        question: "Moeder spreekt weinig Nederlands en de tolk is telkens een ander. Hoe houden \
                   we de lijn vast?",
        notes: "Een vaste tolk is mogelijk via de gemeente. De buurvrouw spreekt Turks en wordt \
                door moeder vertrouwd.",
        advice: "Een vaste tolk aanvragen; de buurvrouw vragen voor het netwerk, niet als tolk.",
        action: "Vaste tolk aanvragen bij de gemeente",
    },
];

/// Team topics: bottlenecks in working by the principles, what the team
/// saw, what it advised and what someone does about it.
struct Topic {
    title: &'static str,
    principles: &'static [Principle],
    notes: &'static str,
    advice: &'static str,
    action: &'static str,
}

const TOPICS: [Topic; 3] = [
    Topic {
        title: "Knelpunt: gezinnen noemen weinig mensen uit hun eigen netwerk; het netwerkberaad \
                blijft een overleg van professionals",
        principles: &[Principle::NaturalSupports, Principle::TeamBased],
        notes: "Bij vier van de zes lopende gezinnen zit niemand uit het eigen netwerk aan tafel. \
                Gezinnen schamen zich of willen familie niet belasten.",
        advice: "Vroeg vragen wie er al helpt, ook in kleine dingen; de netwerkkaart samen maken \
                 in plaats van als formulier.",
        action: "In fase 1 met elk gezin een netwerkkaart maken en minstens twee eigen mensen \
                 uitnodigen",
    },
    Topic {
        title: "Verbetering: het plan in de woorden van het gezin, met hun eigen titel",
        principles: &[Principle::FamilyVoiceAndChoice, Principle::Individualised],
        notes: "Ouders herkennen zich niet in plannen vol vaktaal; de onderzoeker hoorde dat \
                terug in de interviews.",
        advice: "Doelen opschrijven zoals het gezin ze zegt, en de vaktaal alleen in de \
                 toelichting.",
        action: "Drie plannen herschrijven in de woorden van het gezin en terugbrengen in het \
                 overleg",
    },
    Topic {
        title: "Knelpunt: aanbieders starten modules pas na weken, terwijl het plan er nu om vraagt",
        principles: &[Principle::Collaboration, Principle::Persistence],
        notes: "Drie aanvragen wachtten langer dan vier weken; de coördinatoren belden elk apart.",
        advice: "Eén contactpersoon per aanbieder en een vaste termijn afspreken.",
        action: "Met de twee aanbieders afspraken maken over starten binnen twee weken",
    },
];

pub(super) async fn team_week(
    tx: &mut Tx,
    team: &DemoTeam,
    team_index: usize,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<()> {
    for (worker, domains) in team
        .coordinators
        .iter()
        .zip(EXPERTISE[team_index % EXPERTISE.len()].iter())
    {
        meeting::set_expertise(tx, *worker, domains).await?;
    }
    let mut everyone = vec![team.lead_worker];
    everyone.extend(&team.coordinators);
    let n = team.in_care.len().max(1);
    // Four weekly meetings, the oldest first; this week's is still to open.
    for week in (1..=4i64).rev() {
        let held_on = today - Duration::weeks(week);
        let minute_taker = team
            .coordinators
            .get(week as usize % team.coordinators.len().max(1));
        let id = meeting::insert(
            tx,
            &meeting::NewMeeting {
                team_id: team.team_id,
                held_on,
                chair_worker_id: Some(team.lead_worker),
                minute_taker_worker_id: minute_taker.copied(),
                created_by: team.supervisor_user,
            },
            at(held_on, 8),
        )
        .await?;
        // Someone is missing most weeks.
        let absent = everyone.get(1 + (week as usize * 3) % everyone.len().max(2));
        let present: Vec<i64> = everyone
            .iter()
            .copied()
            .filter(|w| Some(w) != absent || week == 4)
            .collect();
        meeting::set_attendees(tx, id, &present).await?;
        for slot in 0..2usize {
            let case_index = (week as usize * 2 + slot + team_index) % CASES.len();
            let Some(&(family_id, coordinator)) = team.in_care.get((week as usize * 2 + slot) % n)
            else {
                continue;
            };
            let case = &CASES[case_index];
            let reason = if slot == 0 {
                AgendaReason::Intervision
            } else {
                AgendaReason::Signals
            };
            let domains: Vec<String> = Vec::new();
            let item = meeting::insert_item(
                tx,
                &meeting::NewItem {
                    meeting_id: id,
                    reason,
                    family_id: Some(family_id),
                    title: "",
                    principles: &[],
                    domains: &domains,
                    question: case.question,
                },
            )
            .await?;
            meeting::record_discussion(tx, item, (case.question, case.notes, case.advice), 1)
                .await?;
            // Last week's actions are still open; of the week before one ran
            // past its due date; the older ones were done.
            let due_on = held_on + Duration::days(if slot == 0 { 7 } else { 10 });
            let action = meeting::insert_action(
                tx,
                &meeting::NewAction {
                    agenda_item_id: item,
                    description: case.action,
                    owner_worker_id: coordinator,
                    due_on,
                    created_by: team.supervisor_user,
                },
                at(held_on, 9),
            )
            .await?;
            let done = week >= 3 || (week == 2 && slot == 1);
            if done {
                let on = (held_on + Duration::days(5)).min(today);
                meeting::complete_action(tx, action, on, team.supervisor_user, 1).await?;
            }
        }
        if week % 2 == 0 {
            let topic = &TOPICS[(week as usize / 2 + team_index) % TOPICS.len()];
            let item = meeting::insert_item(
                tx,
                &meeting::NewItem {
                    meeting_id: id,
                    reason: AgendaReason::Topic,
                    family_id: None,
                    title: topic.title,
                    principles: topic.principles,
                    domains: &[],
                    question: "",
                },
            )
            .await?;
            meeting::record_discussion(tx, item, ("", topic.notes, topic.advice), 1).await?;
            let action = meeting::insert_action(
                tx,
                &meeting::NewAction {
                    agenda_item_id: item,
                    description: topic.action,
                    owner_worker_id: team.lead_worker,
                    due_on: held_on + Duration::weeks(4),
                    created_by: team.supervisor_user,
                },
                at(held_on, 9),
            )
            .await?;
            if week == 4 {
                let on = held_on + Duration::weeks(3);
                meeting::complete_action(tx, action, on, team.supervisor_user, 1).await?;
            }
        }
    }
    // Last week the team agreed that everyone asks their families whom they
    // want at the table: an open action for each coordinator.
    let held_on = today - Duration::weeks(1);
    if let Some(last) = meeting::on_day(tx, team.team_id, held_on).await? {
        let item = meeting::insert_item(
            tx,
            &meeting::NewItem {
                meeting_id: last.id,
                reason: AgendaReason::Topic,
                family_id: None,
                title: "Verbetering: het gezin kiest zelf wie er bij het netwerkberaad komt",
                principles: &[Principle::FamilyVoiceAndChoice, Principle::NaturalSupports],
                domains: &[],
                question: "",
            },
        )
        .await?;
        meeting::record_discussion(
            tx,
            item,
            (
                "",
                "Bij de meeste netwerkberaden nodigt de coördinator uit. Gezinnen zeggen achteraf \
                 dat ze anderen hadden willen vragen.",
                "Het gezin de uitnodigingen laten doen, met hulp waar dat nodig is.",
            ),
            1,
        )
        .await?;
        for &coordinator in &team.coordinators {
            meeting::insert_action(
                tx,
                &meeting::NewAction {
                    agenda_item_id: item,
                    description: "Met elk van je gezinnen nagaan wie zij zelf bij het volgende \
                                  netwerkberaad willen",
                    owner_worker_id: coordinator,
                    due_on: today + Duration::days(9),
                    created_by: team.supervisor_user,
                },
                at(held_on, 9),
            )
            .await?;
        }
    }
    // A coordinator puts a family forward for this week's meeting.
    if let Some(&(family_id, coordinator)) = team.in_care.last() {
        let domains = vec!["parenting".to_string(), "mental_health".to_string()];
        meeting::put_forward(
            tx,
            &meeting::NewQuestion {
                family_id,
                team_id: team.team_id,
                worker_id: coordinator,
                question: "Vader wil de opvoeding anders aanpakken dan moeder, en de kinderen \
                           spelen hen tegen elkaar uit. Wie heeft ervaring met ouders die het \
                           oneens zijn?",
                domains: &domains,
            },
            now - Duration::days(1),
        )
        .await?;
    }
    module_not_started(tx, team, today).await
}

/// A module the plan asked for three weeks ago that the provider has not
/// started: the signal the team follows up with the provider.
async fn module_not_started(tx: &mut Tx, team: &DemoTeam, today: NaiveDate) -> Result<()> {
    // A family of the second coordinator, whose families are otherwise calm.
    let second = team.coordinators.get(1);
    let Some(&(family_id, _)) = team
        .in_care
        .iter()
        .find(|(_, w)| Some(w) == second)
        .or(team.in_care.get(1))
    else {
        return Ok(());
    };
    let Some(e) = episode::open_of_family(tx, family_id).await? else {
        return Ok(());
    };
    let child = family::members(tx, family_id, today)
        .await?
        .into_iter()
        .find(|m| m.role == "child")
        .map(|m| m.person_id);
    let Some(child) = child else {
        return Ok(());
    };
    let requested_on = today - Duration::days(20);
    module::insert_referral(
        tx,
        &module::NewReferral {
            episode_id: e.id,
            module_id: team.module_id,
            goal_key: None,
            requested_on,
            note: "Het gezin wacht op een plek; de aanbieder is gebeld.",
            children: &[child],
            created_by: Some(team.supervisor_user),
        },
        at(requested_on, 11),
    )
    .await?;
    Ok(())
}
