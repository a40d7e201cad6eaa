-- Events reach the log by a direct insert while eventlog is as the extension
-- made it, and through SQL (with the owner's rights) once the owner changed
-- it (a CHECK constraint, an insert trigger); both give the same events, and
-- the owner's additions are honoured. Which path ran shows as a DEBUG1
-- line: "N events written by the direct path" or "... by the SQL path".
-- The extension, when this file runs on its own (make installcheck REGRESS=...).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS eventlog;
RESET client_min_messages;
\set SHOW_CONTEXT never
CREATE TABLE w (id int PRIMARY KEY, v text);
SELECT eventlog_track('w', tool => 'writer');

BEGIN;
SET LOCAL client_min_messages = debug1;
INSERT INTO w VALUES (1, 'direct'), (2, 'direct');
SELECT eventlog_log('direct log', tool => 'writer') > 0 AS logged;
RESET client_min_messages;
SELECT count(*) AS events, bool_and(transaction_id = pg_current_xact_id()) AS this_transaction
FROM eventlog WHERE tool = 'writer';
COMMIT;

-- A rule on the log (here one that keeps a copy of every event) is honoured:
-- the SQL path.
CREATE TABLE copied_events (message text);
CREATE RULE copy_events AS ON INSERT TO eventlog DO ALSO INSERT INTO copied_events VALUES (NEW.message);
SET client_min_messages = debug1;
SELECT eventlog_log('ruled', tool => 'writer') > 0 AS logged;
RESET client_min_messages;
DROP RULE copy_events ON eventlog;
SELECT message AS copied_by_rule FROM copied_events;
DROP TABLE copied_events;

-- The log's own row security only filters what other roles read: the
-- direct path. Row security forced on its owner too: the SQL path, as the
-- owner, under its policies (a superuser owner, as here, bypasses them).
SET client_min_messages = debug1;
SELECT eventlog_log('row security on', tool => 'writer') > 0 AS logged;
RESET client_min_messages;
ALTER TABLE eventlog FORCE ROW LEVEL SECURITY;
SET client_min_messages = debug1;
\set VERBOSITY terse
SELECT eventlog_log('row security forced', tool => 'writer') > 0 AS logged;
\set VERBOSITY default
RESET client_min_messages;
ALTER TABLE eventlog NO FORCE ROW LEVEL SECURITY;

ALTER TABLE eventlog ADD CONSTRAINT eventlog_test_check CHECK (message <> 'forbidden');
SET client_min_messages = debug1;
INSERT INTO w VALUES (3, 'sql'), (4, 'sql');
SELECT eventlog_log('sql log', tool => 'writer') > 0 AS logged;
RESET client_min_messages;
\set VERBOSITY terse
SELECT eventlog_log('forbidden', tool => 'writer');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
UPDATE w SET v = 'both' WHERE id IN (1, 3);
ALTER TABLE eventlog DROP CONSTRAINT eventlog_test_check;
-- A column the owner added, with a default, is filled by its default.
ALTER TABLE eventlog ADD COLUMN note text NOT NULL DEFAULT 'added by the owner';
SELECT eventlog_log('with note', tool => 'writer') AS note_id \gset
SELECT note FROM eventlog WHERE id = :note_id;
ALTER TABLE eventlog DROP COLUMN note;

CREATE TABLE inserted_events (n int);
INSERT INTO inserted_events VALUES (0);
CREATE FUNCTION count_insert() RETURNS trigger LANGUAGE plpgsql AS
$$BEGIN UPDATE inserted_events SET n = n + 1; RETURN NULL; END$$;
CREATE TRIGGER count_insert AFTER INSERT ON eventlog FOR EACH ROW EXECUTE FUNCTION count_insert();
INSERT INTO w VALUES (5, 'trigger'), (6, 'trigger');
DROP TRIGGER count_insert ON eventlog;
SELECT n AS events_seen_by_owner_trigger FROM inserted_events;

-- Same shape of events on both paths; ids and times increase in order.
SELECT action, object_type, object_id, tool, message, changes, db_user, template_message
FROM eventlog WHERE tool = 'writer' ORDER BY id;
SELECT bool_and(id > prev_id AND "timestamp" >= prev_time) AS ordered
FROM (SELECT id, "timestamp", lag(id) OVER w AS prev_id, lag("timestamp") OVER w AS prev_time
      FROM eventlog WHERE tool = 'writer' WINDOW w AS (ORDER BY id)) s
WHERE prev_id IS NOT NULL;

DROP TABLE w, inserted_events;
DROP FUNCTION count_insert();
