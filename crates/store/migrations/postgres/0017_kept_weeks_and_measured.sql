-- Two more facts kept with each write, so the signals of a programme read
-- one row per episode: the active contact minutes per episode and week, and
-- which questionnaires an episode took. Keep in step with
-- ../sqlite/0017_kept_weeks_and_measured.sql.

-- Minutes of active contacts per episode and week (`week_of` is the week's
-- Monday). Contacts are frozen once written (a correction is a new row), so
-- a row changes only when a contact arrives or leaves the active ones.
CREATE TABLE episode_week_minutes (
    episode_id BIGINT NOT NULL REFERENCES episodes(id),
    week_of DATE NOT NULL,
    minutes BIGINT NOT NULL CHECK (minutes >= 0),
    PRIMARY KEY (episode_id, week_of)
);

-- A programme's signals read two weeks of every episode: PostgreSQL joins
-- them by hash from a range of this index (SQLite looks each up by key).
CREATE INDEX episode_week_minutes_by_week ON episode_week_minutes (week_of, episode_id) INCLUDE (minutes);

CREATE CONSTRAINT TRIGGER episode_week_minutes_generation AFTER INSERT OR UPDATE OR DELETE ON episode_week_minutes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();

-- date_trunc('week') is ISO: the Monday on or before the day.
INSERT INTO episode_week_minutes (episode_id, week_of, minutes)
SELECT episode_id, date_trunc('week', contact_on)::date, SUM(minutes)
FROM contacts WHERE status = 'active'
GROUP BY 1, 2;

CREATE FUNCTION contacts_weeks() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status = 'active' THEN
            INSERT INTO episode_week_minutes (episode_id, week_of, minutes)
            VALUES (NEW.episode_id, date_trunc('week', NEW.contact_on)::date, NEW.minutes)
            ON CONFLICT (episode_id, week_of) DO UPDATE SET
                minutes = episode_week_minutes.minutes + excluded.minutes;
        END IF;
        RETURN NULL;
    END IF;
    -- Corrected, removed or deleted: it leaves its week (contacts_totals
    -- refuses any other change).
    IF OLD.status = 'active' AND (TG_OP = 'DELETE' OR NEW.status <> 'active') THEN
        UPDATE episode_week_minutes SET minutes = minutes - OLD.minutes
        WHERE episode_id = OLD.episode_id
          AND week_of = date_trunc('week', OLD.contact_on)::date;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER contacts_weeks AFTER INSERT OR UPDATE OR DELETE ON contacts
    FOR EACH ROW EXECUTE FUNCTION contacts_weeks();

-- The questionnaires an episode took, as "instrument/respondent/occasion/n"
-- joined by commas (instrument ids are lower-case words with underscores).
-- Measurements are few per episode and never change: the list is made
-- again whole with each.
ALTER TABLE episode_totals ADD COLUMN measured TEXT;

INSERT INTO episode_totals (episode_id, measured)
SELECT episode_id,
       string_agg(instrument || '/' || respondent || '/' || occasion || '/' || occasion_number, ',')
FROM measurements GROUP BY episode_id
ON CONFLICT (episode_id) DO UPDATE SET measured = excluded.measured;

CREATE FUNCTION measurements_totals() RETURNS trigger AS $$
DECLARE
    episode BIGINT := CASE WHEN TG_OP = 'DELETE' THEN OLD.episode_id ELSE NEW.episode_id END;
BEGIN
    IF TG_OP = 'UPDATE' AND (NEW.episode_id, NEW.instrument, NEW.respondent, NEW.occasion, NEW.occasion_number)
        IS DISTINCT FROM (OLD.episode_id, OLD.instrument, OLD.respondent, OLD.occasion, OLD.occasion_number) THEN
        RAISE EXCEPTION 'measurement_frozen';
    END IF;
    INSERT INTO episode_totals (episode_id, measured)
    VALUES (episode,
            (SELECT string_agg(m.instrument || '/' || m.respondent || '/' || m.occasion || '/' || m.occasion_number, ',')
             FROM measurements m WHERE m.episode_id = episode))
    ON CONFLICT (episode_id) DO UPDATE SET measured = excluded.measured;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER measurements_totals AFTER INSERT OR UPDATE OR DELETE ON measurements
    FOR EACH ROW EXECUTE FUNCTION measurements_totals();
