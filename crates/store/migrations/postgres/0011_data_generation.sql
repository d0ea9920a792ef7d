-- Files read often are kept in memory while nothing they show has changed.
-- "Nothing changed" is this counter standing still: every insert, update or
-- delete in a table a page shows raises it, in the change's own transaction,
-- so a read that sees the old count also sees the old rows. Not raised by
-- the access log, sessions or API tokens, which change on every request.
CREATE TABLE data_generation (
    id SMALLINT PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO data_generation (id, n) VALUES (1, 0);

-- Raised once per transaction, when it commits (the triggers are deferred):
-- the counter's row is the last lock a change takes, so it never waits on
-- it while holding another that someone else holding this one waits for.
CREATE FUNCTION raise_data_generation() RETURNS trigger AS $$
BEGIN
    IF current_setting('wrapcare.generation_raised', true) IS DISTINCT FROM 'yes' THEN
        PERFORM set_config('wrapcare.generation_raised', 'yes', true);
        UPDATE data_generation SET n = n + 1 WHERE id = 1;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER assignments_generation AFTER INSERT OR UPDATE OR DELETE ON assignments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();

CREATE CONSTRAINT TRIGGER contacts_generation AFTER INSERT OR UPDATE OR DELETE ON contacts
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();

CREATE CONSTRAINT TRIGGER emergency_access_generation AFTER INSERT OR UPDATE OR DELETE ON emergency_access
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();

CREATE CONSTRAINT TRIGGER episodes_generation AFTER INSERT OR UPDATE OR DELETE ON episodes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();

CREATE CONSTRAINT TRIGGER families_generation AFTER INSERT OR UPDATE OR DELETE ON families
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();

CREATE CONSTRAINT TRIGGER goal_scores_generation AFTER INSERT OR UPDATE OR DELETE ON goal_scores
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();

CREATE CONSTRAINT TRIGGER indications_generation AFTER INSERT OR UPDATE OR DELETE ON indications
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();

CREATE CONSTRAINT TRIGGER life_domains_generation AFTER INSERT OR UPDATE OR DELETE ON life_domains
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();

CREATE CONSTRAINT TRIGGER memberships_generation AFTER INSERT OR UPDATE OR DELETE ON memberships
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();

CREATE CONSTRAINT TRIGGER module_deliveries_generation AFTER INSERT OR UPDATE OR DELETE ON module_deliveries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();

CREATE CONSTRAINT TRIGGER module_referral_children_generation AFTER INSERT OR UPDATE OR DELETE ON module_referral_children
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();

CREATE CONSTRAINT TRIGGER module_referrals_generation AFTER INSERT OR UPDATE OR DELETE ON module_referrals
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();

CREATE CONSTRAINT TRIGGER module_tariffs_generation AFTER INSERT OR UPDATE OR DELETE ON module_tariffs
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();

CREATE CONSTRAINT TRIGGER modules_generation AFTER INSERT OR UPDATE OR DELETE ON modules
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();

CREATE CONSTRAINT TRIGGER organisations_generation AFTER INSERT OR UPDATE OR DELETE ON organisations
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();

CREATE CONSTRAINT TRIGGER persons_generation AFTER INSERT OR UPDATE OR DELETE ON persons
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();

CREATE CONSTRAINT TRIGGER phase_changes_generation AFTER INSERT OR UPDATE OR DELETE ON phase_changes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();

CREATE CONSTRAINT TRIGGER plan_versions_generation AFTER INSERT OR UPDATE OR DELETE ON plan_versions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();

CREATE CONSTRAINT TRIGGER programmes_generation AFTER INSERT OR UPDATE OR DELETE ON programmes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();

CREATE CONSTRAINT TRIGGER referrals_generation AFTER INSERT OR UPDATE OR DELETE ON referrals
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();

CREATE CONSTRAINT TRIGGER secondments_generation AFTER INSERT OR UPDATE OR DELETE ON secondments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();

CREATE CONSTRAINT TRIGGER teams_generation AFTER INSERT OR UPDATE OR DELETE ON teams
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();

CREATE CONSTRAINT TRIGGER users_generation AFTER INSERT OR UPDATE OR DELETE ON users
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();

CREATE CONSTRAINT TRIGGER workers_generation AFTER INSERT OR UPDATE OR DELETE ON workers
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION raise_data_generation();
