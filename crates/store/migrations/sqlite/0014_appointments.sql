-- Keep in step with the other dialect's 0014_appointments.sql.
-- Appointments: contacts planned ahead, then confirmed as a contact or
-- recorded as not having happened. Times are local minutes since midnight.
CREATE TABLE appointments (
    id INTEGER PRIMARY KEY,
    episode_id INTEGER NOT NULL REFERENCES episodes(id),
    worker_id INTEGER NOT NULL REFERENCES workers(id),
    day TEXT NOT NULL,
    starts_minute INTEGER NOT NULL CHECK (starts_minute BETWEEN 0 AND 1440),
    ends_minute INTEGER NOT NULL CHECK (ends_minute BETWEEN 0 AND 1440),
    kind TEXT NOT NULL CHECK (kind IN ('home_visit', 'phone_video', 'network_meeting', 'provider_meeting')),
    place TEXT NOT NULL,
    participants TEXT NOT NULL,
    purpose TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'confirmed', 'not_happened')),
    contact_id INTEGER REFERENCES contacts(id),
    not_happened_reason TEXT,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    settled_by INTEGER REFERENCES users(id),
    settled_at TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (ends_minute > starts_minute),
    CHECK ((status = 'confirmed') = (contact_id IS NOT NULL))
);
CREATE INDEX appointments_worker_day ON appointments(worker_id, day, starts_minute);
CREATE INDEX appointments_episode ON appointments(episode_id);

-- A personal calendar feed behind a secret: only its hash is kept.
CREATE TABLE calendar_feeds (
    user_id INTEGER PRIMARY KEY REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TRIGGER appointments_generation_insert AFTER INSERT ON appointments
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER appointments_generation_update AFTER UPDATE ON appointments
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER appointments_generation_delete AFTER DELETE ON appointments
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_feeds_generation_insert AFTER INSERT ON calendar_feeds
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_feeds_generation_update AFTER UPDATE ON calendar_feeds
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_feeds_generation_delete AFTER DELETE ON calendar_feeds
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
