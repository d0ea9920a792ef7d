-- wrapcare foundation schema (SQLite). Keep in step with ../postgres/0001_foundation.sql:
-- the same tables, columns and constraints; only types and the overlap guard differ.

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE programmes (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    families_per_fte INTEGER NOT NULL CHECK (families_per_fte > 0),
    budget_minutes_per_family INTEGER NOT NULL CHECK (budget_minutes_per_family > 0),
    weekly_minutes_per_family INTEGER NOT NULL CHECK (weekly_minutes_per_family > 0),
    start_within_weeks INTEGER NOT NULL CHECK (start_within_weeks > 0),
    full_time_minutes_per_week INTEGER NOT NULL CHECK (full_time_minutes_per_week > 0),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    programme_id INTEGER NOT NULL REFERENCES programmes(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'coordinator', 'intake', 'analyst')),
    team_id INTEGER REFERENCES teams(id),
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE workers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    team_id INTEGER NOT NULL REFERENCES teams(id),
    home_organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    job TEXT NOT NULL CHECK (job IN ('project_leader', 'supervisor', 'coordinator')),
    user_id INTEGER UNIQUE REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

-- A secondment is dated history: a replacement ends one and starts another.
CREATE TABLE secondments (
    id INTEGER PRIMARY KEY,
    worker_id INTEGER NOT NULL REFERENCES workers(id),
    minutes_per_week INTEGER NOT NULL CHECK (minutes_per_week > 0),
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (ends_on IS NULL OR ends_on > starts_on)
);
CREATE INDEX secondments_worker ON secondments(worker_id);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT
);

CREATE TABLE families (
    id INTEGER PRIMARY KEY,
    surname TEXT NOT NULL,
    address TEXT,
    postcode TEXT,
    city TEXT,
    phone TEXT,
    home_language TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX families_surname ON families(surname);

CREATE TABLE persons (
    id INTEGER PRIMARY KEY,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    birth_date TEXT,
    expected_birth_date TEXT,
    bsn TEXT,
    phone TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX persons_bsn ON persons(bsn);
CREATE INDEX persons_name ON persons(family_name, birth_date);

CREATE TABLE memberships (
    id INTEGER PRIMARY KEY,
    family_id INTEGER NOT NULL REFERENCES families(id),
    person_id INTEGER NOT NULL REFERENCES persons(id),
    role TEXT NOT NULL CHECK (role IN ('parent', 'child', 'other')),
    parental_authority BOOLEAN NOT NULL DEFAULT FALSE,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX memberships_family ON memberships(family_id);
CREATE INDEX memberships_person ON memberships(person_id);

CREATE TABLE referrals (
    id INTEGER PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes(id),
    source TEXT NOT NULL CHECK (source IN ('indication_body', 'cjg', 'other')),
    referrer_name TEXT NOT NULL,
    referrer_contact TEXT NOT NULL,
    received_on TEXT NOT NULL,
    urgency TEXT NOT NULL CHECK (urgency IN ('crisis', 'high', 'normal')),
    reason TEXT NOT NULL,
    home_language TEXT,
    address TEXT,
    postcode TEXT,
    city TEXT,
    phone TEXT,
    -- The persons as submitted, a fixed record (JSON): later edits of persons never change it.
    submitted_persons TEXT NOT NULL,
    reference_date TEXT NOT NULL,
    submitted_by INTEGER NOT NULL REFERENCES users(id),
    submitted_at TEXT NOT NULL,
    idempotency_key TEXT,
    status TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'accepted', 'declined')),
    decline_reason TEXT,
    decided_by INTEGER REFERENCES users(id),
    decided_at TEXT,
    family_id INTEGER REFERENCES families(id),
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (submitted_by, idempotency_key)
);
CREATE INDEX referrals_status ON referrals(status);

CREATE TABLE episodes (
    id INTEGER PRIMARY KEY,
    family_id INTEGER NOT NULL REFERENCES families(id),
    referral_id INTEGER NOT NULL UNIQUE REFERENCES referrals(id),
    team_id INTEGER NOT NULL REFERENCES teams(id),
    programme_id INTEGER NOT NULL REFERENCES programmes(id),
    state TEXT NOT NULL CHECK (state IN ('waiting', 'withdrawn', 'assigned', 'in_care', 'closed')),
    urgency TEXT NOT NULL,
    accepted_on TEXT NOT NULL,
    reference_date TEXT NOT NULL,
    started_on TEXT,
    waiting_days INTEGER,
    phase INTEGER CHECK (phase BETWEEN 1 AND 4),
    closed_on TEXT,
    closure_reason TEXT CHECK (closure_reason IN ('goals_reached', 'moved', 'dropped_out', 'referred_elsewhere', 'other')),
    withdrawn_on TEXT,
    withdrawal_reason TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
-- A family has at most one open episode.
CREATE UNIQUE INDEX episodes_one_open ON episodes(family_id) WHERE state IN ('waiting', 'assigned', 'in_care');
CREATE INDEX episodes_team_state ON episodes(team_id, state);

CREATE TABLE indications (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    referral_id INTEGER REFERENCES referrals(id),
    number TEXT NOT NULL,
    product TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    issuer TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (ends_on >= starts_on)
);
CREATE INDEX indications_person ON indications(person_id);

CREATE TABLE phase_changes (
    id INTEGER PRIMARY KEY,
    episode_id INTEGER NOT NULL REFERENCES episodes(id),
    phase INTEGER NOT NULL CHECK (phase BETWEEN 1 AND 4),
    starts_on TEXT NOT NULL,
    changed_by INTEGER NOT NULL REFERENCES users(id),
    changed_at TEXT NOT NULL
);
CREATE INDEX phase_changes_episode ON phase_changes(episode_id);

-- Half-open [starts_on, ends_on): a handover ends one and starts the next on the same day.
CREATE TABLE assignments (
    id INTEGER PRIMARY KEY,
    episode_id INTEGER NOT NULL REFERENCES episodes(id),
    worker_id INTEGER NOT NULL REFERENCES workers(id),
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    override_reason TEXT,
    assigned_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    CHECK (ends_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX assignments_episode ON assignments(episode_id);
CREATE INDEX assignments_worker ON assignments(worker_id);

-- At no moment two active assignments for one episode (PostgreSQL uses an exclusion constraint).
CREATE TRIGGER assignments_no_overlap_insert BEFORE INSERT ON assignments
WHEN EXISTS (
    SELECT 1 FROM assignments a
    WHERE a.episode_id = NEW.episode_id
      AND (NEW.ends_on IS NULL OR NEW.ends_on > NEW.starts_on)
      AND (a.ends_on IS NULL OR a.ends_on > a.starts_on)
      AND (a.ends_on IS NULL OR NEW.starts_on < a.ends_on)
      AND (NEW.ends_on IS NULL OR a.starts_on < NEW.ends_on)
)
BEGIN
    SELECT RAISE(ABORT, 'assignment_overlap');
END;

CREATE TRIGGER assignments_no_overlap_update BEFORE UPDATE ON assignments
WHEN EXISTS (
    SELECT 1 FROM assignments a
    WHERE a.episode_id = NEW.episode_id
      AND a.id <> NEW.id
      AND (NEW.ends_on IS NULL OR NEW.ends_on > NEW.starts_on)
      AND (a.ends_on IS NULL OR a.ends_on > a.starts_on)
      AND (a.ends_on IS NULL OR NEW.starts_on < a.ends_on)
      AND (NEW.ends_on IS NULL OR a.starts_on < NEW.ends_on)
)
BEGIN
    SELECT RAISE(ABORT, 'assignment_overlap');
END;

-- Every read or change of a family file, refusals too. Written in the same transaction.
CREATE TABLE access_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    role TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('page', 'api', 'cli')),
    family_id INTEGER,
    episode_id INTEGER,
    referral_id INTEGER,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('allowed', 'refused', 'not_found')),
    address TEXT
);
CREATE INDEX access_log_family ON access_log(family_id);
CREATE INDEX access_log_user ON access_log(user_id);
