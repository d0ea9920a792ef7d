-- The access log becomes tamper-evident: each entry carries the SHA-256 of its
-- fields and of the previous entry's hash, and what a change changed or which
-- families a list showed. Entries from before this migration keep no hash and
-- are reported as such by `wrapcare audit verify`.
ALTER TABLE access_log ADD COLUMN detail TEXT;
ALTER TABLE access_log ADD COLUMN prev_hash TEXT;
ALTER TABLE access_log ADD COLUMN hash TEXT;
CREATE INDEX access_log_at ON access_log(at);

-- Nobody changes or removes an entry, the application included: a trigger for
-- rows, one for TRUNCATE, and the rights taken away from everyone but the
-- owner (who would have to grant them back, and drop the triggers, first).
CREATE FUNCTION access_log_frozen() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'access_log_frozen';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER access_log_no_change BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION access_log_frozen();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION access_log_frozen();
REVOKE UPDATE, DELETE, TRUNCATE ON access_log FROM PUBLIC;
