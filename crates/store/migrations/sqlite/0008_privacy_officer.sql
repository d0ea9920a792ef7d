-- no-transaction
-- A privacy officer reviews the access log and opens no file. SQLite cannot
-- change a CHECK constraint in place, so the users table is rebuilt (the
-- procedure of https://www.sqlite.org/lang_altertable.html#otheralter): foreign
-- keys are switched off for the copy, which keeps every id, so every reference
-- to a user stays valid.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE users_rebuilt (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'coordinator', 'intake', 'analyst', 'privacy_officer')),
    team_id INTEGER REFERENCES teams(id),
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
INSERT INTO users_rebuilt (id, email, name, role, team_id, password_hash, active, version, created_at)
    SELECT id, email, name, role, team_id, password_hash, active, version, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;

-- The review of what was done under emergency accesses.
CREATE INDEX access_log_emergency ON access_log(emergency_access_id)
    WHERE emergency_access_id IS NOT NULL;
COMMIT;
PRAGMA foreign_keys = ON;
