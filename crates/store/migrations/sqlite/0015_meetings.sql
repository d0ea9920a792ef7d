-- The team's weekly meeting: who attended, its agenda of families and team
-- topics with the discussion, and the decisions that became action items
-- with an owner and a due date. Keep in step with ../postgres/0015_meetings.sql.

CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams(id),
    held_on TEXT NOT NULL,
    chair_worker_id INTEGER REFERENCES workers(id),
    minute_taker_worker_id INTEGER REFERENCES workers(id),
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (team_id, held_on)
);

CREATE TABLE meeting_attendees (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    worker_id INTEGER NOT NULL REFERENCES workers(id),
    PRIMARY KEY (meeting_id, worker_id)
);

-- A family (why it is on the agenda: signals, an intervision question, added)
-- or a team topic (a bottleneck or an improvement, with the principles it
-- touches). Lists of codes are comma-separated, checked by the domain.
CREATE TABLE agenda_items (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    position INTEGER NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('signals', 'intervision', 'added', 'topic')),
    family_id INTEGER REFERENCES families(id),
    title TEXT NOT NULL DEFAULT '',
    principles TEXT NOT NULL DEFAULT '',
    domains TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    advice TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    CHECK ((reason = 'topic') = (family_id IS NULL))
);
CREATE INDEX agenda_items_meeting ON agenda_items(meeting_id, position);
CREATE INDEX agenda_items_family ON agenda_items(family_id);

CREATE TABLE action_items (
    id INTEGER PRIMARY KEY,
    agenda_item_id INTEGER NOT NULL REFERENCES agenda_items(id),
    description TEXT NOT NULL,
    owner_worker_id INTEGER NOT NULL REFERENCES workers(id),
    due_on TEXT NOT NULL,
    done_on TEXT,
    done_by INTEGER REFERENCES users(id),
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX action_items_item ON action_items(agenda_item_id);
CREATE INDEX action_items_open ON action_items(owner_worker_id) WHERE done_on IS NULL;

-- A family a coordinator puts forward for the next meeting, until a meeting
-- takes it onto its agenda.
CREATE TABLE intervision_questions (
    id INTEGER PRIMARY KEY,
    family_id INTEGER NOT NULL REFERENCES families(id),
    team_id INTEGER NOT NULL REFERENCES teams(id),
    worker_id INTEGER NOT NULL REFERENCES workers(id),
    question TEXT NOT NULL,
    domains TEXT NOT NULL DEFAULT '',
    asked_at TEXT NOT NULL,
    agenda_item_id INTEGER REFERENCES agenda_items(id)
);
CREATE INDEX intervision_questions_open ON intervision_questions(team_id) WHERE agenda_item_id IS NULL;

-- The background a question can draw on: the life domains of a home
-- organisation's field, and a worker's own recorded expertise.
CREATE TABLE organisation_domains (
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    domain_code TEXT NOT NULL REFERENCES life_domains(code),
    PRIMARY KEY (organisation_id, domain_code)
);
CREATE TABLE worker_expertise (
    worker_id INTEGER NOT NULL REFERENCES workers(id),
    domain_code TEXT NOT NULL REFERENCES life_domains(code),
    PRIMARY KEY (worker_id, domain_code)
);

-- Like every table a page shows, each raises the data generation.
CREATE TRIGGER meetings_generation_insert AFTER INSERT ON meetings
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER meetings_generation_update AFTER UPDATE ON meetings
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER meetings_generation_delete AFTER DELETE ON meetings
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER meeting_attendees_generation_insert AFTER INSERT ON meeting_attendees
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER meeting_attendees_generation_update AFTER UPDATE ON meeting_attendees
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER meeting_attendees_generation_delete AFTER DELETE ON meeting_attendees
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER agenda_items_generation_insert AFTER INSERT ON agenda_items
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER agenda_items_generation_update AFTER UPDATE ON agenda_items
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER agenda_items_generation_delete AFTER DELETE ON agenda_items
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER action_items_generation_insert AFTER INSERT ON action_items
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER action_items_generation_update AFTER UPDATE ON action_items
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER action_items_generation_delete AFTER DELETE ON action_items
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER intervision_questions_generation_insert AFTER INSERT ON intervision_questions
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER intervision_questions_generation_update AFTER UPDATE ON intervision_questions
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER intervision_questions_generation_delete AFTER DELETE ON intervision_questions
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER organisation_domains_generation_insert AFTER INSERT ON organisation_domains
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER organisation_domains_generation_update AFTER UPDATE ON organisation_domains
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER organisation_domains_generation_delete AFTER DELETE ON organisation_domains
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER worker_expertise_generation_insert AFTER INSERT ON worker_expertise
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER worker_expertise_generation_update AFTER UPDATE ON worker_expertise
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER worker_expertise_generation_delete AFTER DELETE ON worker_expertise
BEGIN UPDATE data_generation SET n = n + 1 WHERE id = 1; END;
