-- Signals: thresholds per programme, the goals of each agreed plan version
-- (so a goal's attainment is judged without parsing plan documents), and
-- acknowledgements that hold while a signal's cause stays the same.

ALTER TABLE programmes ADD COLUMN waiting_warning_days INTEGER NOT NULL DEFAULT 14 CHECK (waiting_warning_days BETWEEN 1 AND 90);
ALTER TABLE programmes ADD COLUMN budget_warning_percent INTEGER NOT NULL DEFAULT 80 CHECK (budget_warning_percent BETWEEN 1 AND 100);
ALTER TABLE programmes ADD COLUMN under_norm_percent INTEGER NOT NULL DEFAULT 50 CHECK (under_norm_percent BETWEEN 1 AND 100);
ALTER TABLE programmes ADD COLUMN goal_unchanged_weeks INTEGER NOT NULL DEFAULT 8 CHECK (goal_unchanged_weeks BETWEEN 1 AND 104);
ALTER TABLE programmes ADD COLUMN module_start_weeks INTEGER NOT NULL DEFAULT 2 CHECK (module_start_weeks BETWEEN 1 AND 104);
ALTER TABLE programmes ADD COLUMN phase1_max_weeks INTEGER NOT NULL DEFAULT 6 CHECK (phase1_max_weeks BETWEEN 1 AND 104);
ALTER TABLE programmes ADD COLUMN phase2_max_weeks INTEGER NOT NULL DEFAULT 6 CHECK (phase2_max_weeks BETWEEN 1 AND 104);
ALTER TABLE programmes ADD COLUMN phase3_max_weeks INTEGER NOT NULL DEFAULT 52 CHECK (phase3_max_weeks BETWEEN 1 AND 104);
ALTER TABLE programmes ADD COLUMN phase4_max_weeks INTEGER NOT NULL DEFAULT 13 CHECK (phase4_max_weeks BETWEEN 1 AND 104);
ALTER TABLE programmes ADD COLUMN indication_warning_weeks INTEGER NOT NULL DEFAULT 6 CHECK (indication_warning_weeks BETWEEN 1 AND 104);
ALTER TABLE programmes ADD COLUMN no_contact_days INTEGER NOT NULL DEFAULT 14 CHECK (no_contact_days BETWEEN 1 AND 90);

-- Written with the agreement, in the same transaction; never changed after.
CREATE TABLE plan_goals (
    plan_version_id INTEGER NOT NULL REFERENCES plan_versions(id),
    episode_id INTEGER NOT NULL REFERENCES episodes(id),
    goal_key TEXT NOT NULL,
    domain TEXT NOT NULL,
    description TEXT NOT NULL,
    baseline INTEGER NOT NULL CHECK (baseline BETWEEN -2 AND 2),
    agreed_on TEXT NOT NULL,
    PRIMARY KEY (plan_version_id, goal_key)
);
CREATE INDEX plan_goals_episode ON plan_goals(episode_id, goal_key, agreed_on);

INSERT INTO plan_goals (plan_version_id, episode_id, goal_key, domain, description, baseline, agreed_on)
SELECT v.id, v.episode_id, json_extract(g.value, '$.key'), json_extract(g.value, '$.domain'), json_extract(g.value, '$.description'), json_extract(g.value, '$.baseline'), v.agreed_on
FROM plan_versions v, json_each(v.content, '$.goals') g
WHERE v.status = 'agreed' AND v.agreed_on IS NOT NULL;

CREATE TABLE signal_acknowledgements (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams(id),
    family_id INTEGER REFERENCES families(id),
    signal_key TEXT NOT NULL,
    cause TEXT NOT NULL,
    note TEXT NOT NULL,
    acknowledged_by INTEGER NOT NULL REFERENCES users(id),
    acknowledged_at TEXT NOT NULL
);
CREATE INDEX signal_acknowledgements_team ON signal_acknowledgements(team_id, signal_key);

-- The latest contact with a family is read beside the minutes; with the kind
-- in the index neither reads the contacts themselves.
DROP INDEX contacts_active_minutes;
CREATE INDEX contacts_active_minutes ON contacts (episode_id, contact_on, minutes, kind)
    WHERE status = 'active';

CREATE INDEX module_referrals_requested ON module_referrals(state, episode_id) WHERE state = 'requested';

CREATE TRIGGER plan_goals_generation_insert AFTER INSERT ON plan_goals
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER plan_goals_generation_update AFTER UPDATE ON plan_goals
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER plan_goals_generation_delete AFTER DELETE ON plan_goals
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER signal_acknowledgements_generation_insert AFTER INSERT ON signal_acknowledgements
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER signal_acknowledgements_generation_update AFTER UPDATE ON signal_acknowledgements
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER signal_acknowledgements_generation_delete AFTER DELETE ON signal_acknowledgements
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
