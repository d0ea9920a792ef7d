-- Emergency access ("breaking the glass"): someone without a need to know opens
-- a family file for a limited time after giving a reason. Rows are never changed.
CREATE TABLE emergency_access (
    id INTEGER PRIMARY KEY,
    family_id INTEGER NOT NULL REFERENCES families(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    granted_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX emergency_access_family ON emergency_access(family_id, granted_at);
CREATE INDEX emergency_access_user ON emergency_access(user_id, family_id, expires_at);

CREATE TRIGGER emergency_access_no_update BEFORE UPDATE ON emergency_access
BEGIN
    SELECT RAISE(ABORT, 'emergency_access_frozen');
END;
CREATE TRIGGER emergency_access_no_delete BEFORE DELETE ON emergency_access
BEGIN
    SELECT RAISE(ABORT, 'emergency_access_frozen');
END;

-- Entries made under an emergency access point at it, and so at its reason.
ALTER TABLE access_log ADD COLUMN emergency_access_id INTEGER REFERENCES emergency_access(id);
