-- Family plans (SQLite). Keep in step with ../postgres/0002_plans.sql.

-- The life domains goals are set in, as data (the list may grow).
CREATE TABLE life_domains (
    code TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    name_nl TEXT NOT NULL,
    name_en TEXT NOT NULL
);
INSERT INTO life_domains (code, position, name_nl, name_en) VALUES
    ('financial', 1, 'Financiën', 'Financial situation'),
    ('work_education', 2, 'Werk en opleiding', 'Work and education'),
    ('daytime', 3, 'Dagbesteding', 'Daytime activities'),
    ('housing', 4, 'Huisvesting', 'Housing'),
    ('family_relations', 5, 'Gezinsrelaties', 'Family relations'),
    ('mental_health', 6, 'Geestelijke gezondheid', 'Mental health'),
    ('physical_health', 7, 'Lichamelijke gezondheid', 'Physical health'),
    ('substance_use', 8, 'Middelengebruik', 'Substance use'),
    ('daily_living', 9, 'Praktische vaardigheden', 'Daily living skills'),
    ('social_network', 10, 'Sociaal netwerk', 'Social network'),
    ('community', 11, 'Maatschappelijke participatie', 'Community participation'),
    ('justice', 12, 'Justitie', 'Justice'),
    ('parenting', 13, 'Opvoeding', 'Parenting'),
    ('child_development', 14, 'Ontwikkeling van het kind', 'Child development'),
    ('school', 15, 'School', 'School');

-- Review norms per programme: first plan agreed within N weeks of the start of help, then reviewed every M weeks.
ALTER TABLE programmes ADD COLUMN plan_first_weeks INTEGER NOT NULL DEFAULT 6;
ALTER TABLE programmes ADD COLUMN plan_review_weeks INTEGER NOT NULL DEFAULT 13;

-- A plan version's content is one JSON document; goals, actions and network keep
-- stable keys across versions so versions can be compared and goals scored.
CREATE TABLE plan_versions (
    id INTEGER PRIMARY KEY,
    episode_id INTEGER NOT NULL REFERENCES episodes(id),
    number INTEGER NOT NULL CHECK (number > 0),
    status TEXT NOT NULL CHECK (status IN ('draft', 'agreed')),
    content TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    agreed_by TEXT,
    agreed_on TEXT,
    agreed_how TEXT CHECK (agreed_how IN ('signed_on_paper', 'in_person', 'digital')),
    agreement_recorded_by INTEGER REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (episode_id, number)
);
-- At most one draft per episode.
CREATE UNIQUE INDEX plan_versions_one_draft ON plan_versions(episode_id) WHERE status = 'draft';

-- An agreed version is never edited or removed.
CREATE TRIGGER plan_versions_agreed_frozen BEFORE UPDATE ON plan_versions
WHEN OLD.status = 'agreed'
BEGIN
    SELECT RAISE(ABORT, 'plan_version_agreed');
END;
CREATE TRIGGER plan_versions_agreed_kept BEFORE DELETE ON plan_versions
WHEN OLD.status = 'agreed'
BEGIN
    SELECT RAISE(ABORT, 'plan_version_agreed');
END;

-- Goal Attainment Scaling scores over time, per goal key (across versions).
CREATE TABLE goal_scores (
    id INTEGER PRIMARY KEY,
    episode_id INTEGER NOT NULL REFERENCES episodes(id),
    goal_key TEXT NOT NULL,
    scored_on TEXT NOT NULL,
    level INTEGER NOT NULL CHECK (level BETWEEN -2 AND 2),
    recorded_by INTEGER NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX goal_scores_episode ON goal_scores(episode_id, goal_key, scored_on);
