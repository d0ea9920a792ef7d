-- The hours a family file shows are the active minutes per day of an episode;
-- with the minutes in the index the sum never reads the contacts themselves
-- (their notes make them the largest rows).
CREATE INDEX contacts_active_minutes ON contacts (episode_id, contact_on, minutes)
    WHERE status = 'active';
