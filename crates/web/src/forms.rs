//! Plain HTML form posts: urlencoded pairs, the CSRF check, and turning
//! indexed field names (`members[0].given_name`) into the services' inputs.

use std::collections::HashMap;

use wrapcare_app::plan::{ActionInput, GoalInput, NetworkInput, PlanInput};
use wrapcare_app::questionnaire::ScheduleSetting;
use wrapcare_core::FieldError;
use wrapcare_core::indication::IndicationInput;
use wrapcare_core::questionnaire::{Catalogue, Planned, Respondent, When};
use wrapcare_core::referral::{MemberInput, ReferralInput};

/// A posted form as name → values.
#[derive(Debug, Clone, Default)]
pub struct FormData {
    values: HashMap<String, Vec<String>>,
}

impl FormData {
    pub fn new(pairs: Vec<(String, String)>) -> FormData {
        let mut values: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in pairs {
            values.entry(k).or_default().push(v);
        }
        FormData { values }
    }

    /// Nothing was filled in (the page is shown as read, not re-shown with a form).
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn get(&self, name: &str) -> &str {
        self.values
            .get(name)
            .and_then(|v| v.first())
            .map(String::as_str)
            .unwrap_or("")
    }

    pub fn opt(&self, name: &str) -> Option<String> {
        let v = self.get(name).trim();
        (!v.is_empty()).then(|| v.to_string())
    }

    /// All posted pairs, to show a form again as it was typed.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = self
            .values
            .iter()
            .flat_map(|(k, vs)| vs.iter().map(move |v| (k.clone(), v.clone())))
            .collect();
        pairs.sort();
        pairs
    }

    /// Every value posted under a name (checkbox groups).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.values
            .get(name)
            .map(|v| v.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    pub fn checked(&self, name: &str) -> bool {
        matches!(self.get(name), "on" | "true" | "1" | "yes")
    }

    /// Whether the form carries the session's CSRF token (compared in constant time).
    pub fn csrf_ok(&self, expected: &str) -> bool {
        let given = self.get("csrf").as_bytes();
        let expected = expected.as_bytes();
        given.len() == expected.len()
            && !expected.is_empty()
            && given
                .iter()
                .zip(expected)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    /// The highest index used for `prefix[i]…` names, plus one.
    fn count(&self, prefix: &str) -> usize {
        self.values
            .keys()
            .filter_map(|k| k.strip_prefix(prefix))
            .filter_map(|rest| rest.strip_prefix('['))
            .filter_map(|rest| rest.split_once(']'))
            .filter_map(|(n, _)| n.parse::<usize>().ok())
            .map(|n| n + 1)
            .max()
            .unwrap_or(0)
            .min(50)
    }

    /// The referral form's fields as the service's input.
    pub fn referral(&self) -> ReferralInput {
        let members = (0..self.count("members"))
            .map(|i| {
                let p = format!("members[{i}]");
                let f = |name: &str| self.get(&format!("{p}.{name}")).to_string();
                let indications = (0..self.count(&format!("{p}.indications")))
                    .map(|j| {
                        let q = format!("{p}.indications[{j}]");
                        let g = |name: &str| self.get(&format!("{q}.{name}")).to_string();
                        IndicationInput {
                            number: g("number"),
                            product: g("product"),
                            starts_on: g("starts_on"),
                            ends_on: g("ends_on"),
                            issuer: g("issuer"),
                        }
                    })
                    .collect();
                MemberInput {
                    given_name: f("given_name"),
                    family_name: f("family_name"),
                    role: f("role"),
                    parental_authority: self.checked(&format!("{p}.parental_authority")),
                    birth_date: f("birth_date"),
                    expected_birth_date: f("expected_birth_date"),
                    bsn: f("bsn"),
                    phone: f("phone"),
                    indications,
                }
            })
            .collect();
        ReferralInput {
            programme_id: self.get("programme_id").to_string(),
            source: self.get("source").to_string(),
            referrer_name: self.get("referrer_name").to_string(),
            referrer_contact: self.get("referrer_contact").to_string(),
            received_on: self.get("received_on").to_string(),
            urgency: self.get("urgency").to_string(),
            reason: self.get("reason").to_string(),
            home_language: self.get("home_language").to_string(),
            address: self.get("address").to_string(),
            postcode: self.get("postcode").to_string(),
            city: self.get("city").to_string(),
            phone: self.get("phone").to_string(),
            members,
        }
    }

    /// The plan form's fields as the service's input; untouched slots are left out.
    pub fn plan(&self) -> PlanInput {
        let goals = (0..self.count("goals"))
            .map(|i| {
                let p = format!("goals[{i}]");
                let f = |name: &str| self.get(&format!("{p}.{name}")).to_string();
                GoalInput {
                    key: f("key"),
                    domain: f("domain"),
                    description: f("description"),
                    persons: self
                        .all(&format!("{p}.persons"))
                        .iter()
                        .filter_map(|v| v.parse().ok())
                        .collect(),
                    target_date: f("target_date"),
                    levels: (0..5).map(|l| f(&format!("levels[{l}]"))).collect(),
                    baseline: f("baseline"),
                    weight: f("weight"),
                }
            })
            .filter(|g| {
                !(g.description.trim().is_empty()
                    && g.key.is_empty()
                    && g.target_date.is_empty()
                    && g.levels.iter().all(|l| l.trim().is_empty()))
            })
            .collect();
        let actions = (0..self.count("actions"))
            .map(|i| {
                let f = |name: &str| self.get(&format!("actions[{i}].{name}")).to_string();
                ActionInput {
                    key: f("key"),
                    goal_key: f("goal_key"),
                    what: f("what"),
                    owner_kind: f("owner_kind"),
                    owner: f("owner"),
                    due_on: f("due_on"),
                    status: f("status"),
                }
            })
            .filter(|a| {
                !(a.key.is_empty() && a.what.trim().is_empty() && a.owner.trim().is_empty())
            })
            .collect();
        let network = (0..self.count("network"))
            .map(|i| {
                let f = |name: &str| self.get(&format!("network[{i}].{name}")).to_string();
                NetworkInput {
                    key: f("key"),
                    name: f("name"),
                    relation: f("relation"),
                    contact: f("contact"),
                    part: f("part"),
                }
            })
            .filter(|n| {
                !(n.key.is_empty()
                    && [&n.name, &n.relation, &n.contact, &n.part]
                        .iter()
                        .all(|v| v.trim().is_empty()))
            })
            .collect();
        PlanInput {
            vision: self.get("vision").to_string(),
            strengths: self.get("strengths").to_string(),
            concerns: self.get("concerns").to_string(),
            needs: self.get("needs").to_string(),
            safety: wrapcare_core::plan::SafetyPlan {
                risks: self.get("safety.risks").to_string(),
                signs: self.get("safety.signs").to_string(),
                who_does_what: self.get("safety.who_does_what").to_string(),
                who_to_call: self.get("safety.who_to_call").to_string(),
            },
            goals,
            actions,
            network,
            version: self.get("version").trim().parse().unwrap_or_default(),
        }
    }

    /// How many slots of a repeated group the form showed.
    pub fn slots(&self, prefix: &str) -> usize {
        self.count(prefix)
    }

    /// How many member slots the form showed (to show one more on request).
    pub fn member_slots(&self) -> usize {
        self.count("members")
    }
}

/// The form field of one moment in the questionnaire schedule's grid
/// (`self_sufficiency.coordinator.every`).
pub fn schedule_field(instrument: &str, respondent: Respondent, moment: &str) -> String {
    format!("{instrument}.{}.{moment}", respondent.as_str())
}

/// A programme's questionnaire setting from the grid of instruments ×
/// respondents × moments, with the field each schedule line came from (so
/// the domain's `schedule[i]` errors show by their field) and the fields
/// that are not whole numbers.
pub fn schedule_setting(
    form: &FormData,
    catalogue: &Catalogue,
) -> (ScheduleSetting, Vec<String>, Vec<FieldError>) {
    let mut schedule = Vec::new();
    let mut fields = Vec::new();
    let mut errors = Vec::new();
    let number = |name: &str, errors: &mut Vec<FieldError>| -> Option<u32> {
        let raw = form.get(name).trim();
        if raw.is_empty() {
            return None;
        }
        let parsed = raw.parse::<u32>().ok();
        if parsed.is_none() {
            errors.push(FieldError {
                field: name.to_string(),
                key: "error-whole-number",
            });
        }
        parsed
    };
    for instrument in catalogue.iter() {
        for &respondent in &instrument.respondents {
            let mut line = |when: When, field: String| {
                schedule.push(Planned {
                    instrument: instrument.id.clone(),
                    respondent,
                    when,
                });
                fields.push(field);
            };
            let start = schedule_field(&instrument.id, respondent, "start");
            if form.checked(&start) {
                line(When::Start, start);
            }
            let every = schedule_field(&instrument.id, respondent, "every");
            if let Some(weeks) = number(&every, &mut errors) {
                line(When::Every { weeks }, every);
            }
            let closure = schedule_field(&instrument.id, respondent, "closure");
            if form.checked(&closure) {
                line(When::Closure, closure);
            }
        }
    }
    let grace_days = match form.get("grace_days").trim() {
        "" => {
            errors.push(FieldError {
                field: "grace_days".into(),
                key: "error-required",
            });
            0
        }
        _ => number("grace_days", &mut errors).unwrap_or(0),
    };
    let setting = ScheduleSetting {
        version: form.get("version").trim().parse().unwrap_or_default(),
        grace_days,
        schedule,
    };
    (setting, fields, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexed_names_become_members() {
        let form = FormData::new(vec![
            ("members[1].given_name".into(), "Sem".into()),
            ("members[1].role".into(), "child".into()),
            ("members[1].indications[0].number".into(), "IND-1".into()),
            ("members[0].given_name".into(), "Anna".into()),
            ("members[0].parental_authority".into(), "on".into()),
            ("programme_id".into(), "2".into()),
        ]);
        let input = form.referral();
        assert_eq!(input.members.len(), 2);
        assert_eq!(input.members[0].given_name, "Anna");
        assert!(input.members[0].parental_authority);
        assert_eq!(input.members[1].indications[0].number, "IND-1");
        assert_eq!(input.programme_id, "2");
    }

    #[test]
    fn csrf_must_match_exactly() {
        let form = FormData::new(vec![("csrf".into(), "abc".into())]);
        assert!(form.csrf_ok("abc"));
        assert!(!form.csrf_ok("abd"));
        assert!(!form.csrf_ok(""));
        assert!(!FormData::default().csrf_ok("abc"));
    }

    #[test]
    fn absurd_indexes_are_capped() {
        let form = FormData::new(vec![("members[999999].given_name".into(), "x".into())]);
        assert_eq!(form.member_slots(), 50);
    }
}
