-- Contacts and hours (SQLite). Keep in step with ../postgres/0003_contacts.sql.
-- Nothing is deleted: a correction adds a row that replaces the old one, a removal
-- marks the row; both keep who, when and why.
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    episode_id INTEGER NOT NULL REFERENCES episodes(id),
    worker_id INTEGER NOT NULL REFERENCES workers(id),
    contact_on TEXT NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes > 0 AND minutes <= 1440),
    kind TEXT NOT NULL CHECK (kind IN ('home_visit', 'phone_video', 'network_meeting', 'provider_meeting', 'travel', 'administration')),
    participants TEXT NOT NULL,
    note TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'corrected', 'removed')),
    replaces_id INTEGER REFERENCES contacts(id),
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    changed_by INTEGER REFERENCES users(id),
    changed_at TEXT,
    change_reason TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX contacts_episode ON contacts(episode_id, contact_on);
CREATE INDEX contacts_worker_day ON contacts(worker_id, contact_on);
