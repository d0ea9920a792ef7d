-- The access log becomes tamper-evident: each entry carries the SHA-256 of its
-- fields and of the previous entry's hash, and what a change changed or which
-- families a list showed. Entries from before this migration keep no hash and
-- are reported as such by `wrapcare audit verify`.
ALTER TABLE access_log ADD COLUMN detail TEXT;
ALTER TABLE access_log ADD COLUMN prev_hash TEXT;
ALTER TABLE access_log ADD COLUMN hash TEXT;
CREATE INDEX access_log_at ON access_log(at);

-- Nobody changes or removes an entry, the application included.
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'access_log_frozen');
END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'access_log_frozen');
END;
