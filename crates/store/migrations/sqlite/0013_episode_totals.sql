-- What the signals (and later the reports) read per episode, kept up to date
-- in the same transaction as the writes instead of summed over every contact,
-- phase change, plan version and score on each read: one row per episode and
-- one per current goal. Keep in step with ../postgres/0013_episode_totals.sql.

-- Per episode: active contact minutes, the latest active contact with the
-- family, the day the current phase started and the day the latest plan
-- version was agreed. A row appears with the first of them.
CREATE TABLE episode_totals (
    episode_id INTEGER PRIMARY KEY REFERENCES episodes(id),
    active_minutes INTEGER NOT NULL DEFAULT 0 CHECK (active_minutes >= 0),
    last_family_contact_on TEXT,
    phase_since TEXT,
    plan_agreed_on TEXT
);

-- The contact kinds "with the family" are the domain's
-- (ContactKind::is_with_family); the store test `kept_totals_match_the_rows`
-- checks this list against it.
INSERT INTO episode_totals (episode_id, active_minutes, last_family_contact_on)
SELECT episode_id, SUM(minutes),
       MAX(CASE WHEN kind IN ('home_visit', 'phone_video', 'network_meeting') THEN contact_on END)
FROM contacts WHERE status = 'active' GROUP BY episode_id;

INSERT INTO episode_totals (episode_id, phase_since)
SELECT episode_id, MAX(starts_on) FROM phase_changes WHERE true GROUP BY episode_id
ON CONFLICT (episode_id) DO UPDATE SET phase_since = excluded.phase_since;

INSERT INTO episode_totals (episode_id, plan_agreed_on)
SELECT episode_id, MAX(agreed_on) FROM plan_versions WHERE status = 'agreed' GROUP BY episode_id
ON CONFLICT (episode_id) DO UPDATE SET plan_agreed_on = excluded.plan_agreed_on;

CREATE TRIGGER contacts_totals_insert AFTER INSERT ON contacts
WHEN NEW.status = 'active'
BEGIN
    INSERT INTO episode_totals (episode_id, active_minutes, last_family_contact_on)
    VALUES (NEW.episode_id, NEW.minutes,
            CASE WHEN NEW.kind IN ('home_visit', 'phone_video', 'network_meeting') THEN NEW.contact_on END)
    ON CONFLICT (episode_id) DO UPDATE SET
        active_minutes = active_minutes + excluded.active_minutes,
        last_family_contact_on = CASE
            WHEN excluded.last_family_contact_on IS NULL THEN last_family_contact_on
            WHEN last_family_contact_on IS NULL OR excluded.last_family_contact_on > last_family_contact_on
                THEN excluded.last_family_contact_on
            ELSE last_family_contact_on END;
END;

-- A contact leaves the totals when it is corrected or removed (its
-- correction arrives as a new row); the latest day is looked up again.
CREATE TRIGGER contacts_totals_retire AFTER UPDATE OF status ON contacts
WHEN OLD.status = 'active' AND NEW.status <> 'active'
BEGIN
    UPDATE episode_totals SET
        active_minutes = active_minutes - OLD.minutes,
        last_family_contact_on = (SELECT MAX(c.contact_on) FROM contacts c
            WHERE c.episode_id = OLD.episode_id AND c.status = 'active'
              AND c.kind IN ('home_visit', 'phone_video', 'network_meeting'))
    WHERE episode_id = OLD.episode_id;
END;

CREATE TRIGGER contacts_totals_delete AFTER DELETE ON contacts
WHEN OLD.status = 'active'
BEGIN
    UPDATE episode_totals SET
        active_minutes = active_minutes - OLD.minutes,
        last_family_contact_on = (SELECT MAX(c.contact_on) FROM contacts c
            WHERE c.episode_id = OLD.episode_id AND c.status = 'active'
              AND c.kind IN ('home_visit', 'phone_video', 'network_meeting'))
    WHERE episode_id = OLD.episode_id;
END;

-- The episode, kind, minutes and day of a contact are never changed in place
-- (a correction is a new contact), so the totals need no other trigger.
CREATE TRIGGER contacts_totals_frozen BEFORE UPDATE OF episode_id, kind, minutes, contact_on ON contacts
BEGIN
    SELECT RAISE(ABORT, 'contact_frozen');
END;

-- Phase changes and agreements are rare: the day is looked up again whole.
CREATE TRIGGER phase_changes_totals_insert AFTER INSERT ON phase_changes
BEGIN
    INSERT INTO episode_totals (episode_id, phase_since)
    VALUES (NEW.episode_id, (SELECT MAX(p.starts_on) FROM phase_changes p WHERE p.episode_id = NEW.episode_id))
    ON CONFLICT (episode_id) DO UPDATE SET phase_since = excluded.phase_since;
END;
CREATE TRIGGER phase_changes_totals_update AFTER UPDATE ON phase_changes
BEGIN
    UPDATE episode_totals SET phase_since =
        (SELECT MAX(p.starts_on) FROM phase_changes p WHERE p.episode_id = OLD.episode_id)
    WHERE episode_id = OLD.episode_id;
END;
CREATE TRIGGER phase_changes_totals_delete AFTER DELETE ON phase_changes
BEGIN
    UPDATE episode_totals SET phase_since =
        (SELECT MAX(p.starts_on) FROM phase_changes p WHERE p.episode_id = OLD.episode_id)
    WHERE episode_id = OLD.episode_id;
END;

CREATE TRIGGER plan_versions_totals_insert AFTER INSERT ON plan_versions
WHEN NEW.status = 'agreed'
BEGIN
    INSERT INTO episode_totals (episode_id, plan_agreed_on)
    VALUES (NEW.episode_id, (SELECT MAX(v.agreed_on) FROM plan_versions v
                             WHERE v.episode_id = NEW.episode_id AND v.status = 'agreed'))
    ON CONFLICT (episode_id) DO UPDATE SET plan_agreed_on = excluded.plan_agreed_on;
END;
CREATE TRIGGER plan_versions_totals_update AFTER UPDATE OF status, agreed_on ON plan_versions
BEGIN
    INSERT INTO episode_totals (episode_id, plan_agreed_on)
    VALUES (NEW.episode_id, (SELECT MAX(v.agreed_on) FROM plan_versions v
                             WHERE v.episode_id = NEW.episode_id AND v.status = 'agreed'))
    ON CONFLICT (episode_id) DO UPDATE SET plan_agreed_on = excluded.plan_agreed_on;
END;
CREATE TRIGGER plan_versions_totals_delete AFTER DELETE ON plan_versions
BEGIN
    UPDATE episode_totals SET plan_agreed_on =
        (SELECT MAX(v.agreed_on) FROM plan_versions v WHERE v.episode_id = OLD.episode_id AND v.status = 'agreed')
    WHERE episode_id = OLD.episode_id;
END;

-- The goals of an episode's latest agreed plan: the day each was first
-- agreed and the latest day a score changed its level (from the score before
-- it, or from the current plan's baseline for the first). Written by the
-- store with each agreement and score, by the domain's rule; here filled once
-- for the plans and scores already recorded.
CREATE TABLE current_goals (
    episode_id INTEGER NOT NULL REFERENCES episodes(id),
    goal_key TEXT NOT NULL,
    description TEXT NOT NULL,
    first_agreed_on TEXT NOT NULL,
    level_changed_on TEXT,
    PRIMARY KEY (episode_id, goal_key)
);

INSERT INTO current_goals (episode_id, goal_key, description, first_agreed_on, level_changed_on)
WITH latest AS (
    SELECT g.episode_id, g.goal_key, g.description, g.baseline FROM plan_goals g
    WHERE g.plan_version_id = (SELECT MAX(v.id) FROM plan_versions v
                               WHERE v.episode_id = g.episode_id AND v.status = 'agreed')),
firsts AS (
    SELECT episode_id, goal_key, MIN(agreed_on) AS first_agreed_on FROM plan_goals
    GROUP BY episode_id, goal_key),
scored AS (
    SELECT s.episode_id, s.goal_key, s.scored_on, s.level,
        LAG(s.level) OVER (PARTITION BY s.episode_id, s.goal_key ORDER BY s.scored_on, s.id) AS previous
    FROM goal_scores s),
changes AS (
    SELECT sc.episode_id, sc.goal_key, MAX(sc.scored_on) AS changed_on FROM scored sc
    JOIN latest l ON l.episode_id = sc.episode_id AND l.goal_key = sc.goal_key
    WHERE sc.level <> COALESCE(sc.previous, l.baseline)
    GROUP BY sc.episode_id, sc.goal_key)
SELECT l.episode_id, l.goal_key, l.description, f.first_agreed_on, ch.changed_on
FROM latest l
JOIN firsts f ON f.episode_id = l.episode_id AND f.goal_key = l.goal_key
LEFT JOIN changes ch ON ch.episode_id = l.episode_id AND ch.goal_key = l.goal_key;

-- An episode's latest agreed plan version, read when its goals are refreshed.
CREATE INDEX plan_versions_agreed ON plan_versions(episode_id, id) WHERE status = 'agreed';

-- The active contacts of a few weeks, for a whole programme at once.
CREATE INDEX contacts_active_on ON contacts(contact_on, episode_id, minutes) WHERE status = 'active';

-- Like every table a page shows, both raise the data generation (a change
-- made past the store counts too).
CREATE TRIGGER episode_totals_generation_insert AFTER INSERT ON episode_totals
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER episode_totals_generation_update AFTER UPDATE ON episode_totals
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER episode_totals_generation_delete AFTER DELETE ON episode_totals
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER current_goals_generation_insert AFTER INSERT ON current_goals
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER current_goals_generation_update AFTER UPDATE ON current_goals
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER current_goals_generation_delete AFTER DELETE ON current_goals
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
