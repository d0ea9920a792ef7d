//! Message catalogues (Fluent): Dutch by default, English complete.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

static NL: &str = include_str!("../locales/nl.ftl");
static EN: &str = include_str!("../locales/en.ftl");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Nl,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "nl" => Some(Lang::Nl),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    fn index(self) -> usize {
        match self {
            Lang::Nl => 0,
            Lang::En => 1,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Nl => Lang::En,
            Lang::En => Lang::Nl,
        }
    }
}

pub struct I18n {
    /// Indexed by [`Lang::index`].
    catalogues: [Catalogue; 2],
}

struct Catalogue {
    bundle: FluentBundle<FluentResource>,
    /// The messages that take no arguments, resolved once at start: most texts
    /// of a page are these, and resolving a Fluent pattern anew for each use
    /// costs a page more than its database query does.
    plain: HashMap<String, String>,
}

impl Catalogue {
    fn load(lang: Lang, source: &str) -> Catalogue {
        let id: LanguageIdentifier = lang.code().parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        // Pages are plain HTML; Unicode isolation marks would only get in the way.
        bundle.set_use_isolating(false);
        let resource = match FluentResource::try_new(source.to_string()) {
            Ok(r) => r,
            // A broken catalogue is a build defect the catalogue test catches; keep what parsed.
            Err((r, _)) => r,
        };
        let _ = bundle.add_resource(resource);
        let mut plain = HashMap::new();
        for key in catalogue_keys(source) {
            let Some(pattern) = bundle.get_message(&key).and_then(|m| m.value()) else {
                continue;
            };
            // A message that wants an argument reports it missing here.
            let mut errors = Vec::new();
            let text = bundle
                .format_pattern(pattern, None, &mut errors)
                .into_owned();
            if errors.is_empty() {
                plain.insert(key, text);
            }
        }
        Catalogue { bundle, plain }
    }
}

impl I18n {
    pub fn load() -> I18n {
        I18n {
            catalogues: [Catalogue::load(Lang::Nl, NL), Catalogue::load(Lang::En, EN)],
        }
    }

    fn catalogue(&self, lang: Lang) -> &Catalogue {
        &self.catalogues[lang.index()]
    }

    /// The text of a key; the key itself when missing (the catalogue test keeps that from shipping).
    pub fn t(&self, lang: Lang, key: &str) -> Cow<'_, str> {
        match self.catalogue(lang).plain.get(key) {
            Some(text) => Cow::Borrowed(text),
            None => Cow::Owned(self.format(lang, key, None)),
        }
    }

    pub fn t_args(&self, lang: Lang, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        self.format(lang, key, Some(&fluent_args))
    }

    fn format(&self, lang: Lang, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundle = &self.catalogue(lang).bundle;
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_string();
        };
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }

    pub fn has(&self, lang: Lang, key: &str) -> bool {
        self.catalogue(lang).bundle.get_message(key).is_some()
    }
}

/// The message ids defined in a catalogue source.
pub fn catalogue_keys(source: &str) -> BTreeSet<String> {
    source
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_string()))
        .collect()
}

pub fn sources() -> [(Lang, &'static str); 2] {
    [(Lang::Nl, NL), (Lang::En, EN)]
}

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MONTHS_NL: [&str; 12] = [
    "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
];

/// A translator bound to one language, handed to page templates.
#[derive(Clone, Copy)]
pub struct Tr<'a> {
    pub i18n: &'a I18n,
    pub lang: Lang,
}

impl<'a> Tr<'a> {
    pub fn t(&self, key: &str) -> Cow<'a, str> {
        self.i18n.t(self.lang, key)
    }

    pub fn t1(&self, key: &str, name: &str, value: impl Into<FluentValue<'static>>) -> String {
        self.i18n.t_args(self.lang, key, &[(name, value.into())])
    }

    pub fn t2(
        &self,
        key: &str,
        a: (&str, FluentValue<'static>),
        b: (&str, FluentValue<'static>),
    ) -> String {
        self.i18n.t_args(self.lang, key, &[a, b])
    }

    pub fn t3(
        &self,
        key: &str,
        a: (&str, FluentValue<'static>),
        b: (&str, FluentValue<'static>),
        c: (&str, FluentValue<'static>),
    ) -> String {
        self.i18n.t_args(self.lang, key, &[a, b, c])
    }

    /// A date as users here write it: 23-11-2026 (Dutch) or 23 Nov 2026 (English).
    pub fn date(&self, d: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        // Written out rather than through strftime, which parses its pattern
        // on every call: a timeline formats hundreds of dates.
        match self.lang {
            Lang::Nl => format!("{:02}-{:02}-{:04}", d.day(), d.month(), d.year()),
            Lang::En => format!(
                "{} {} {:04}",
                d.day(),
                MONTHS_EN[d.month0() as usize],
                d.year()
            ),
        }
    }

    /// A month and year as a period's name: "mrt 2026" or "Mar 2026".
    pub fn month_year(&self, d: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        let names = match self.lang {
            Lang::Nl => MONTHS_NL,
            Lang::En => MONTHS_EN,
        };
        format!("{} {}", names[d.month0() as usize], d.year())
    }

    /// A moment as the users live it, in Europe/Amsterdam: 23-11-2026 14:05.
    pub fn datetime(&self, at: chrono::DateTime<chrono::Utc>) -> String {
        let local = at.with_timezone(&chrono_tz::Europe::Amsterdam);
        format!(
            "{} {}",
            self.date(local.date_naive()),
            local.format("%H:%M")
        )
    }

    /// A number with one decimal and the language's decimal sign.
    pub fn dec1(&self, value: f64) -> String {
        let s = format!("{value:.1}");
        match self.lang {
            Lang::Nl => s.replace('.', ","),
            Lang::En => s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn catalogues_parse_without_errors() {
        for (lang, source) in sources() {
            let parsed = FluentResource::try_new(source.to_string());
            assert!(
                parsed.is_ok(),
                "{} catalogue has syntax errors: {:?}",
                lang.code(),
                parsed.err().map(|e| e.1)
            );
        }
    }

    /// Fluent keeps the first of two messages with one id and drops the
    /// other without a word, so a key reused by a new feature would show the
    /// older feature's text.
    #[test]
    fn no_key_is_defined_twice() {
        for (lang, source) in sources() {
            let mut seen = BTreeSet::new();
            let twice: Vec<&str> = source
                .lines()
                .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
                .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim()))
                .filter(|k| !seen.insert(*k))
                .collect();
            assert!(twice.is_empty(), "{} defines twice: {twice:?}", lang.code());
        }
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let nl = catalogue_keys(NL);
        let en = catalogue_keys(EN);
        let only_nl: Vec<_> = nl.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&nl).collect();
        assert!(only_nl.is_empty(), "missing in en.ftl: {only_nl:?}");
        assert!(only_en.is_empty(), "missing in nl.ftl: {only_en:?}");
        assert!(nl.len() > 100, "catalogue suspiciously small");
    }

    /// Every key the code uses exists in both catalogues: the `t(...)` calls of
    /// the web layer and the `error-…` keys the domain and services answer with.
    #[test]
    fn every_key_used_in_code_exists() {
        let i18n = I18n::load();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut used = BTreeSet::new();
        let mut files = Vec::new();
        collect_rs(&root, &mut files);
        let call = |s: &str, prefix: &str, used: &mut BTreeSet<String>| {
            let mut rest = s;
            while let Some(i) = rest.find(prefix) {
                rest = &rest[i + prefix.len()..];
                if let Some(end) = rest.find('"') {
                    let key = &rest[..end];
                    if !key.is_empty()
                        && key
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    {
                        used.insert(key.to_string());
                    }
                }
            }
        };
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for prefix in [".t(\"", ".t1(\"", ".t2(\"", "\"error-"] {
                if prefix == "\"error-" {
                    let mut rest = text.as_str();
                    while let Some(i) = rest.find(prefix) {
                        rest = &rest[i + 1..];
                        if let Some(end) = rest.find('"') {
                            let key = &rest[..end];
                            if key
                                .chars()
                                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                                && !key.ends_with('-')
                            {
                                used.insert(key.to_string());
                            }
                        }
                    }
                } else {
                    call(&text, prefix, &mut used);
                }
            }
        }
        let missing: Vec<String> = used
            .iter()
            .flat_map(|k| {
                [Lang::Nl, Lang::En]
                    .into_iter()
                    .filter(|l| !i18n.has(*l, k))
                    .map(move |l| format!("{}:{k}", l.code()))
            })
            .collect();
        assert!(
            missing.is_empty(),
            "keys missing from catalogues: {missing:?}"
        );
        assert!(
            used.len() > 50,
            "found only {} keys: the scan is broken",
            used.len()
        );
    }

    fn collect_rs(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "target") {
                    collect_rs(&path, out);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// Keys the pages build from a value (`state-in_care`, `phase-2`, …).
    #[test]
    fn every_value_key_exists() {
        use wrapcare_core::episode::{ClosureReason, EpisodeState, Phase};
        use wrapcare_core::family::MemberRole;
        use wrapcare_core::referral::{ReferralSource, Urgency};
        use wrapcare_core::role::Role;
        let i18n = I18n::load();
        let mut keys: Vec<String> = Vec::new();
        keys.extend(Role::ALL.iter().map(|r| format!("role-{}", r.as_str())));
        keys.push("role-operator".to_string());
        keys.extend(
            wrapcare_core::access_log::Outcome::ALL
                .iter()
                .map(|o| format!("outcome-{}", o.as_str())),
        );
        keys.extend(
            wrapcare_app::Channel::ALL
                .iter()
                .map(|c| format!("channel-{}", c.as_str())),
        );
        keys.extend(
            EpisodeState::ALL
                .iter()
                .map(|s| format!("state-{}", s.as_str())),
        );
        keys.extend(
            Urgency::ALL
                .iter()
                .map(|u| format!("urgency-{}", u.as_str())),
        );
        keys.extend(Phase::ALL.iter().map(|p| format!("phase-{}", p.number())));
        keys.extend(
            ClosureReason::ALL
                .iter()
                .map(|r| format!("closure-{}", r.as_str())),
        );
        keys.extend(
            ReferralSource::ALL
                .iter()
                .map(|s| format!("source-{}", s.as_str())),
        );
        keys.extend(
            MemberRole::ALL
                .iter()
                .map(|r| format!("member-role-{}", r.as_str())),
        );
        keys.extend(
            [
                "submitted",
                "declined",
                "waiting",
                "withdrawn",
                "assigned",
                "in_care",
                "closed",
            ]
            .iter()
            .map(|s| format!("intake-status-{s}")),
        );
        keys.extend(
            ["indication", "registration"]
                .iter()
                .map(|k| format!("reference-kind-{k}")),
        );
        keys.extend(
            ["project_leader", "supervisor", "coordinator"]
                .iter()
                .map(|j| format!("job-{j}")),
        );
        {
            use wrapcare_core::module::{EndReason, ModuleType, ModuleUnit, ReferralState};
            use wrapcare_core::timeline::EventKind;
            keys.extend(
                ModuleType::ALL
                    .iter()
                    .map(|t| format!("module-type-{}", t.as_str())),
            );
            keys.extend(
                ModuleUnit::ALL
                    .iter()
                    .map(|u| format!("module-unit-{}", u.as_str())),
            );
            keys.extend(
                EndReason::ALL
                    .iter()
                    .map(|r| format!("module-end-{}", r.as_str())),
            );
            keys.extend(
                [
                    ReferralState::Requested,
                    ReferralState::Started,
                    ReferralState::Ended,
                ]
                .iter()
                .map(|s| format!("module-state-{}", s.as_str())),
            );
            keys.extend(
                EventKind::ALL
                    .iter()
                    .map(|k| format!("timeline-{}", k.as_str())),
            );
        }
        for lang in [Lang::Nl, Lang::En] {
            for key in &keys {
                assert!(i18n.has(lang, key), "{} misses {key}", lang.code());
            }
        }
    }

    #[test]
    fn dates_read_as_strftime_wrote_them() {
        let i18n = I18n::load();
        let mut d = chrono::NaiveDate::from_ymd_opt(1999, 12, 25).expect("date");
        for _ in 0..400 {
            let nl = Tr {
                i18n: &i18n,
                lang: Lang::Nl,
            };
            let en = Tr {
                i18n: &i18n,
                lang: Lang::En,
            };
            assert_eq!(nl.date(d), d.format("%d-%m-%Y").to_string());
            assert_eq!(en.date(d), d.format("%-d %b %Y").to_string());
            d += chrono::Duration::days(29);
        }
    }

    #[test]
    fn texts_resolved_at_start_are_what_fluent_gives() {
        let i18n = I18n::load();
        for (lang, source) in sources() {
            let catalogue = i18n.catalogue(lang);
            assert!(
                catalogue.plain.len() > 100,
                "few plain texts in {}",
                lang.code()
            );
            for (key, text) in &catalogue.plain {
                assert_eq!(text, &i18n.format(lang, key, None), "{key}");
            }
            // A message with an argument is not among them: it is resolved per use.
            assert!(!catalogue.plain.contains_key("timeline-title"));
            assert!(catalogue_keys(source).contains("timeline-title"));
        }
    }

    #[test]
    fn arguments_are_filled_in() {
        let i18n = I18n::load();
        let tr = Tr {
            i18n: &i18n,
            lang: Lang::En,
        };
        assert!(tr.t1("weeks-value", "weeks", "9.3").contains("9.3"));
        assert_eq!(tr.dec1(9.25), "9.2");
        assert_eq!(
            Tr {
                i18n: &i18n,
                lang: Lang::Nl
            }
            .dec1(9.3),
            "9,3"
        );
    }
}
