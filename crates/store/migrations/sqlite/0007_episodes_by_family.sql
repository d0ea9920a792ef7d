-- Every family file read looks up the family's episodes, closed ones included;
-- the partial index for the one open episode does not serve that.
CREATE INDEX episodes_family ON episodes(family_id, accepted_on);
