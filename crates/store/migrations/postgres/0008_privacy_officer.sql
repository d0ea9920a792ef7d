-- A privacy officer reviews the access log and opens no file.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('admin', 'supervisor', 'coordinator', 'intake', 'analyst', 'privacy_officer'));

-- The review of what was done under emergency accesses.
CREATE INDEX access_log_emergency ON access_log(emergency_access_id)
    WHERE emergency_access_id IS NOT NULL;
