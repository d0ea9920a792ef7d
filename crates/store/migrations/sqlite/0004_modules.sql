-- Service modules, their referrals and costs (SQLite). Keep in step with
-- ../postgres/0004_modules.sql. Money is whole euro cents.

-- What an hour of a coordinator costs in this programme.
ALTER TABLE programmes ADD COLUMN hourly_rate_cents INTEGER NOT NULL DEFAULT 0 CHECK (hourly_rate_cents >= 0);

-- A provider's (organisation's) module; `code` is how the provider's system names it in imports.
CREATE TABLE modules (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    code TEXT NOT NULL,
    module_type TEXT NOT NULL CHECK (module_type IN ('residential', 'day_treatment', 'ambulatory', 'specific_activity', 'other')),
    unit TEXT NOT NULL CHECK (unit IN ('day', 'night', 'hour', 'session')),
    places INTEGER CHECK (places IS NULL OR places > 0),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    UNIQUE (organisation_id, name),
    UNIQUE (organisation_id, code)
);

-- A tariff holds from valid_from until the next; rows are never changed, so past costs stay.
CREATE TABLE module_tariffs (
    id INTEGER PRIMARY KEY,
    module_id INTEGER NOT NULL REFERENCES modules(id),
    valid_from TEXT NOT NULL,
    cents INTEGER NOT NULL CHECK (cents >= 0),
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (module_id, valid_from)
);

CREATE TABLE module_referrals (
    id INTEGER PRIMARY KEY,
    episode_id INTEGER NOT NULL REFERENCES episodes(id),
    module_id INTEGER NOT NULL REFERENCES modules(id),
    goal_key TEXT,
    state TEXT NOT NULL DEFAULT 'requested' CHECK (state IN ('requested', 'started', 'ended')),
    requested_on TEXT NOT NULL,
    started_on TEXT,
    ended_on TEXT,
    end_reason TEXT CHECK (end_reason IN ('completed', 'stopped_early', 'not_started')),
    note TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    changed_at TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (started_on IS NULL OR started_on >= requested_on),
    CHECK (ended_on IS NULL OR ended_on >= COALESCE(started_on, requested_on))
);
CREATE INDEX module_referrals_episode ON module_referrals(episode_id);
CREATE INDEX module_referrals_module ON module_referrals(module_id, state);

-- The children of the family a module referral concerns.
CREATE TABLE module_referral_children (
    module_referral_id INTEGER NOT NULL REFERENCES module_referrals(id),
    person_id INTEGER NOT NULL REFERENCES persons(id),
    PRIMARY KEY (module_referral_id, person_id)
);
CREATE INDEX module_referral_children_person ON module_referral_children(person_id);

-- Units a provider delivered on a day (day treatment attended, hours, sessions);
-- the latest report of a day replaces the earlier one.
CREATE TABLE module_deliveries (
    id INTEGER PRIMARY KEY,
    module_referral_id INTEGER NOT NULL REFERENCES module_referrals(id),
    delivered_on TEXT NOT NULL,
    units INTEGER NOT NULL CHECK (units > 0 AND units <= 1000),
    source TEXT NOT NULL CHECK (source IN ('coordinator', 'import')),
    recorded_at TEXT NOT NULL,
    UNIQUE (module_referral_id, delivered_on)
);
