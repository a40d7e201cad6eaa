-- Events reach the log by a direct insert while eventlog is as the extension
-- made it, and through SQL (with the owner's rights) once the owner changed
-- it (a CHECK constraint, an insert trigger); both give the same events, and
-- the owner's additions are honoured.
\set SHOW_CONTEXT never
CREATE TABLE w (id int PRIMARY KEY, v text);
SELECT eventlog_track('w', tool => 'writer');

BEGIN;
INSERT INTO w VALUES (1, 'direct'), (2, 'direct');
SELECT eventlog_log('direct log', tool => 'writer') > 0 AS logged;
SELECT count(*) AS events, bool_and(transaction_id = pg_current_xact_id()) AS this_transaction
FROM eventlog WHERE tool = 'writer';
COMMIT;

ALTER TABLE eventlog ADD CONSTRAINT eventlog_test_check CHECK (message <> 'forbidden');
INSERT INTO w VALUES (3, 'sql'), (4, 'sql');
SELECT eventlog_log('sql log', tool => 'writer') > 0 AS logged;
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
