-- Files read often are kept in memory while nothing they show has changed.
-- "Nothing changed" is this counter standing still: every insert, update or
-- delete in a table a page shows raises it, in the change's own transaction,
-- so a read that sees the old count also sees the old rows. Not raised by
-- the access log, sessions or API tokens, which change on every request.
CREATE TABLE data_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n INTEGER NOT NULL
);
INSERT INTO data_generation (id, n) VALUES (1, 0);

CREATE TRIGGER assignments_generation_insert AFTER INSERT ON assignments
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER assignments_generation_update AFTER UPDATE ON assignments
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER assignments_generation_delete AFTER DELETE ON assignments
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER contacts_generation_insert AFTER INSERT ON contacts
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER contacts_generation_update AFTER UPDATE ON contacts
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER contacts_generation_delete AFTER DELETE ON contacts
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER emergency_access_generation_insert AFTER INSERT ON emergency_access
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER emergency_access_generation_update AFTER UPDATE ON emergency_access
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER emergency_access_generation_delete AFTER DELETE ON emergency_access
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER episodes_generation_insert AFTER INSERT ON episodes
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER episodes_generation_update AFTER UPDATE ON episodes
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER episodes_generation_delete AFTER DELETE ON episodes
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER families_generation_insert AFTER INSERT ON families
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER families_generation_update AFTER UPDATE ON families
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER families_generation_delete AFTER DELETE ON families
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER goal_scores_generation_insert AFTER INSERT ON goal_scores
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER goal_scores_generation_update AFTER UPDATE ON goal_scores
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER goal_scores_generation_delete AFTER DELETE ON goal_scores
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER indications_generation_insert AFTER INSERT ON indications
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER indications_generation_update AFTER UPDATE ON indications
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER indications_generation_delete AFTER DELETE ON indications
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER life_domains_generation_insert AFTER INSERT ON life_domains
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER life_domains_generation_update AFTER UPDATE ON life_domains
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER life_domains_generation_delete AFTER DELETE ON life_domains
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER memberships_generation_insert AFTER INSERT ON memberships
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER memberships_generation_update AFTER UPDATE ON memberships
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER memberships_generation_delete AFTER DELETE ON memberships
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER module_deliveries_generation_insert AFTER INSERT ON module_deliveries
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER module_deliveries_generation_update AFTER UPDATE ON module_deliveries
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER module_deliveries_generation_delete AFTER DELETE ON module_deliveries
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER module_referral_children_generation_insert AFTER INSERT ON module_referral_children
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER module_referral_children_generation_update AFTER UPDATE ON module_referral_children
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER module_referral_children_generation_delete AFTER DELETE ON module_referral_children
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER module_referrals_generation_insert AFTER INSERT ON module_referrals
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER module_referrals_generation_update AFTER UPDATE ON module_referrals
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER module_referrals_generation_delete AFTER DELETE ON module_referrals
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER module_tariffs_generation_insert AFTER INSERT ON module_tariffs
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER module_tariffs_generation_update AFTER UPDATE ON module_tariffs
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER module_tariffs_generation_delete AFTER DELETE ON module_tariffs
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER modules_generation_insert AFTER INSERT ON modules
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER modules_generation_update AFTER UPDATE ON modules
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER modules_generation_delete AFTER DELETE ON modules
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER organisations_generation_insert AFTER INSERT ON organisations
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER organisations_generation_update AFTER UPDATE ON organisations
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER organisations_generation_delete AFTER DELETE ON organisations
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER persons_generation_insert AFTER INSERT ON persons
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER persons_generation_update AFTER UPDATE ON persons
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER persons_generation_delete AFTER DELETE ON persons
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER phase_changes_generation_insert AFTER INSERT ON phase_changes
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER phase_changes_generation_update AFTER UPDATE ON phase_changes
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER phase_changes_generation_delete AFTER DELETE ON phase_changes
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER plan_versions_generation_insert AFTER INSERT ON plan_versions
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER plan_versions_generation_update AFTER UPDATE ON plan_versions
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER plan_versions_generation_delete AFTER DELETE ON plan_versions
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER programmes_generation_insert AFTER INSERT ON programmes
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER programmes_generation_update AFTER UPDATE ON programmes
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER programmes_generation_delete AFTER DELETE ON programmes
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER referrals_generation_insert AFTER INSERT ON referrals
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER referrals_generation_update AFTER UPDATE ON referrals
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER referrals_generation_delete AFTER DELETE ON referrals
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER secondments_generation_insert AFTER INSERT ON secondments
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER secondments_generation_update AFTER UPDATE ON secondments
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER secondments_generation_delete AFTER DELETE ON secondments
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER teams_generation_insert AFTER INSERT ON teams
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER teams_generation_update AFTER UPDATE ON teams
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER teams_generation_delete AFTER DELETE ON teams
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER users_generation_insert AFTER INSERT ON users
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER users_generation_update AFTER UPDATE ON users
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER users_generation_delete AFTER DELETE ON users
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER workers_generation_insert AFTER INSERT ON workers
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER workers_generation_update AFTER UPDATE ON workers
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER workers_generation_delete AFTER DELETE ON workers
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
