-- Two more facts kept with each write, so the signals of a programme read
-- one row per episode: the active contact minutes per episode and week, and
-- which questionnaires an episode took. Keep in step with
-- ../postgres/0017_kept_weeks_and_measured.sql.

-- Minutes of active contacts per episode and week (`week_of` is the week's
-- Monday). Contacts are frozen once written (a correction is a new row), so
-- a row changes only when a contact arrives or leaves the active ones.
CREATE TABLE episode_week_minutes (
    episode_id INTEGER NOT NULL REFERENCES episodes(id),
    week_of TEXT NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes >= 0),
    PRIMARY KEY (episode_id, week_of)
) WITHOUT ROWID;

CREATE TRIGGER episode_week_minutes_generation_insert AFTER INSERT ON episode_week_minutes
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER episode_week_minutes_generation_update AFTER UPDATE ON episode_week_minutes
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER episode_week_minutes_generation_delete AFTER DELETE ON episode_week_minutes
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

-- strftime('%w') counts from Sunday (0); the Monday on or before the day.
INSERT INTO episode_week_minutes (episode_id, week_of, minutes)
SELECT episode_id,
       date(contact_on, '-' || ((CAST(strftime('%w', contact_on) AS INTEGER) + 6) % 7) || ' days'),
       SUM(minutes)
FROM contacts WHERE status = 'active'
GROUP BY 1, 2;

CREATE TRIGGER contacts_weeks_insert AFTER INSERT ON contacts
WHEN NEW.status = 'active'
BEGIN
    INSERT INTO episode_week_minutes (episode_id, week_of, minutes)
    VALUES (NEW.episode_id,
            date(NEW.contact_on, '-' || ((CAST(strftime('%w', NEW.contact_on) AS INTEGER) + 6) % 7) || ' days'),
            NEW.minutes)
    ON CONFLICT (episode_id, week_of) DO UPDATE SET minutes = minutes + excluded.minutes;
END;

CREATE TRIGGER contacts_weeks_retire AFTER UPDATE OF status ON contacts
WHEN OLD.status = 'active' AND NEW.status <> 'active'
BEGIN
    UPDATE episode_week_minutes SET minutes = minutes - OLD.minutes
    WHERE episode_id = OLD.episode_id
      AND week_of = date(OLD.contact_on, '-' || ((CAST(strftime('%w', OLD.contact_on) AS INTEGER) + 6) % 7) || ' days');
END;

CREATE TRIGGER contacts_weeks_delete AFTER DELETE ON contacts
WHEN OLD.status = 'active'
BEGIN
    UPDATE episode_week_minutes SET minutes = minutes - OLD.minutes
    WHERE episode_id = OLD.episode_id
      AND week_of = date(OLD.contact_on, '-' || ((CAST(strftime('%w', OLD.contact_on) AS INTEGER) + 6) % 7) || ' days');
END;

-- The questionnaires an episode took, as "instrument/respondent/occasion/n"
-- joined by commas (instrument ids are lower-case words with underscores).
-- Measurements are few per episode and never change: the list is made
-- again whole with each.
ALTER TABLE episode_totals ADD COLUMN measured TEXT;

INSERT INTO episode_totals (episode_id, measured)
SELECT episode_id,
       group_concat(instrument || '/' || respondent || '/' || occasion || '/' || occasion_number, ',')
FROM measurements WHERE true GROUP BY episode_id
ON CONFLICT (episode_id) DO UPDATE SET measured = excluded.measured;

CREATE TRIGGER measurements_totals_insert AFTER INSERT ON measurements
BEGIN
    INSERT INTO episode_totals (episode_id, measured)
    VALUES (NEW.episode_id,
            (SELECT group_concat(m.instrument || '/' || m.respondent || '/' || m.occasion || '/' || m.occasion_number, ',')
             FROM measurements m WHERE m.episode_id = NEW.episode_id))
    ON CONFLICT (episode_id) DO UPDATE SET measured = excluded.measured;
END;

CREATE TRIGGER measurements_totals_frozen BEFORE UPDATE OF episode_id, instrument, respondent, occasion, occasion_number ON measurements
BEGIN
    SELECT RAISE(ABORT, 'measurement_frozen');
END;

CREATE TRIGGER measurements_totals_delete AFTER DELETE ON measurements
BEGIN
    UPDATE episode_totals SET measured =
        (SELECT group_concat(m.instrument || '/' || m.respondent || '/' || m.occasion || '/' || m.occasion_number, ',')
         FROM measurements m WHERE m.episode_id = OLD.episode_id)
    WHERE episode_id = OLD.episode_id;
END;
