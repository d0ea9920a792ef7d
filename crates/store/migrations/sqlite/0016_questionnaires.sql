-- Keep in step with the other dialect's 0016_questionnaires.sql.
-- Questionnaires: a programme's schedule of measurements, the measurements
-- taken (answers and the scores they made), and one-time links through
-- which a parent answers without an account. Instruments themselves are
-- data files shipped with the program (crates/core/questionnaires/).

-- Days after its date that a measurement counts as overdue.
ALTER TABLE programmes ADD COLUMN measurement_grace_days INTEGER NOT NULL DEFAULT 14;

CREATE TABLE questionnaire_schedules (
    programme_id INTEGER NOT NULL REFERENCES programmes(id),
    line INTEGER NOT NULL,
    instrument TEXT NOT NULL,
    respondent TEXT NOT NULL CHECK (respondent IN ('parent', 'youth', 'coordinator', 'network')),
    moment TEXT NOT NULL CHECK (moment IN ('start', 'every', 'closure')),
    every_weeks INTEGER CHECK (every_weeks BETWEEN 1 AND 104),
    PRIMARY KEY (programme_id, line),
    CHECK ((moment = 'every') = (every_weeks IS NOT NULL))
);

-- Every programme starts with the default schedule (wrapcare_core's
-- `default_schedule`; keep the two alike): self-sufficiency at the start,
-- every 13 weeks and at closure, fidelity every 13 weeks from the parents'
-- and the coordinator's side, appreciation every 26 weeks and at closure.
INSERT INTO questionnaire_schedules (programme_id, line, instrument, respondent, moment, every_weeks)
SELECT p.id, d.line, d.instrument, d.respondent, d.moment, d.every_weeks FROM programmes p CROSS JOIN (
    SELECT 0 AS line, 'self_sufficiency' AS instrument, 'coordinator' AS respondent, 'start' AS moment, NULL AS every_weeks
    UNION ALL SELECT 1, 'self_sufficiency', 'coordinator', 'every', 13
    UNION ALL SELECT 2, 'self_sufficiency', 'coordinator', 'closure', NULL
    UNION ALL SELECT 3, 'fidelity_parent', 'parent', 'every', 13
    UNION ALL SELECT 4, 'fidelity_coordinator', 'coordinator', 'every', 13
    UNION ALL SELECT 5, 'appreciation', 'parent', 'every', 26
    UNION ALL SELECT 6, 'appreciation', 'parent', 'closure', NULL
) d;

-- A link is made for one measurement; only the hash of its secret is kept.
CREATE TABLE questionnaire_links (
    id INTEGER PRIMARY KEY,
    episode_id INTEGER NOT NULL REFERENCES episodes(id),
    instrument TEXT NOT NULL,
    respondent TEXT NOT NULL CHECK (respondent IN ('parent', 'youth', 'network')),
    occasion TEXT NOT NULL CHECK (occasion IN ('start', 'repeat', 'closure')),
    occasion_number INTEGER NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    lang TEXT NOT NULL CHECK (lang IN ('nl', 'en')),
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    withdrawn_at TEXT
);
CREATE INDEX questionnaire_links_episode ON questionnaire_links(episode_id);

-- One response per measurement moment, instrument and respondent; one per
-- link (a double tap on a phone stores one).
CREATE TABLE measurements (
    id INTEGER PRIMARY KEY,
    episode_id INTEGER NOT NULL REFERENCES episodes(id),
    instrument TEXT NOT NULL,
    instrument_version INTEGER NOT NULL,
    respondent TEXT NOT NULL CHECK (respondent IN ('parent', 'youth', 'coordinator', 'network')),
    occasion TEXT NOT NULL CHECK (occasion IN ('start', 'repeat', 'closure')),
    occasion_number INTEGER NOT NULL,
    taken_on TEXT NOT NULL,
    answers TEXT NOT NULL,
    recorded_by INTEGER REFERENCES users(id),
    link_id INTEGER UNIQUE REFERENCES questionnaire_links(id),
    created_at TEXT NOT NULL,
    UNIQUE (episode_id, instrument, respondent, occasion, occasion_number),
    CHECK ((recorded_by IS NULL) <> (link_id IS NULL))
);

-- The scores a measurement made, by subscale, as scored when it was taken:
-- reports sum and average these in SQL.
CREATE TABLE measurement_scores (
    measurement_id INTEGER NOT NULL REFERENCES measurements(id),
    subscale TEXT NOT NULL,
    value REAL,
    answered INTEGER NOT NULL,
    items INTEGER NOT NULL,
    PRIMARY KEY (measurement_id, subscale)
);

CREATE TRIGGER questionnaire_schedules_generation_insert AFTER INSERT ON questionnaire_schedules
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER questionnaire_schedules_generation_update AFTER UPDATE ON questionnaire_schedules
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER questionnaire_schedules_generation_delete AFTER DELETE ON questionnaire_schedules
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER questionnaire_links_generation_insert AFTER INSERT ON questionnaire_links
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER questionnaire_links_generation_update AFTER UPDATE ON questionnaire_links
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER questionnaire_links_generation_delete AFTER DELETE ON questionnaire_links
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER measurements_generation_insert AFTER INSERT ON measurements
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER measurements_generation_update AFTER UPDATE ON measurements
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER measurements_generation_delete AFTER DELETE ON measurements
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER measurement_scores_generation_insert AFTER INSERT ON measurement_scores
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER measurement_scores_generation_update AFTER UPDATE ON measurement_scores
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER measurement_scores_generation_delete AFTER DELETE ON measurement_scores
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
