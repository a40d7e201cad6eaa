-- eventlog_purge: retention. Removes old events (oldest first, in batches),
-- records a purge event, and is the only way events ever leave the log.
-- The extension, when this file runs on its own (make installcheck REGRESS=...).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS eventlog;
RESET client_min_messages;
\set SHOW_CONTEXT never
CREATE ROLE purge_app;
CREATE ROLE purge_operator;

-- A history: 30 events from "long ago" (backdated by the owner through a
-- direct INSERT; ids as the sequence gives them), 5 recent ones.
INSERT INTO eventlog ("timestamp", message, tool, action)
SELECT now() - interval '400 days' + g * interval '1 day', 'old ' || g, 'purge_test', 'custom'
FROM generate_series(1, 30) g;
SELECT eventlog_log('recent ' || g, tool => 'purge_test') > 0 AS logged FROM generate_series(1, 5) g;
SELECT count(*) FILTER (WHERE "timestamp" < now() - interval '380 days') AS older_than_380_days,
       count(*) AS total
FROM eventlog WHERE tool = 'purge_test';

-- Only the owner and the roles it grants EXECUTE to may purge.
SELECT has_function_privilege('purge_app', 'eventlog_purge(interval, bigint)', 'EXECUTE') AS app_may_purge;
SET ROLE purge_app;
SELECT eventlog_purge('1 day');
RESET ROLE;
GRANT EXECUTE ON FUNCTION eventlog_purge(interval, bigint) TO purge_operator;

-- Bad arguments: documented errors, nothing removed.
\set VERBOSITY terse
SELECT eventlog_purge(NULL);
SELECT eventlog_purge('-1 second');
SELECT eventlog_purge('1 day', 0);
SELECT eventlog_purge('1 day', -5);
\set VERBOSITY default
SELECT count(*) AS total FROM eventlog WHERE tool = 'purge_test';

-- max_events removes the oldest first.
SET ROLE purge_operator;
SELECT eventlog_purge('380 days', 3);
RESET ROLE;
SELECT string_agg(message, ', ' ORDER BY "timestamp") AS oldest_left
FROM (SELECT * FROM eventlog WHERE tool = 'purge_test' ORDER BY "timestamp" LIMIT 3) s;

-- The purge event: who purged (db_user is the caller, never the owner),
-- how many, before when.
SELECT db_user, actor, object_type, object_id, tool, action,
       message ~ '^Purged 3 events recorded before \d{4}-\d\d-\d\dT' AS message_ok,
       values_json->'count' AS count, values_json->>'older_than' AS older_than,
       (values_json->>'before')::timestamptz + interval '380 days'
           BETWEEN "timestamp" - interval '1 minute' AND "timestamp" AS before_is_cutoff
FROM eventlog WHERE action = 'purge' ORDER BY id DESC LIMIT 1;

-- Everything older than 380 days; nothing newer is touched.
SELECT eventlog_purge('380 days') AS purged;
SELECT count(*) FILTER (WHERE "timestamp" < now() - interval '380 days') AS older_than_380_days,
       count(*) AS total
FROM eventlog WHERE tool = 'purge_test';
-- Nothing left to purge: no event recorded for a purge that removed nothing.
SELECT count(*) AS purge_events FROM eventlog WHERE action = 'purge';
SELECT eventlog_purge('380 days') AS purged;
SELECT count(*) AS purge_events FROM eventlog WHERE action = 'purge';

-- A purge is transactional: rolled back, the events are back and no purge
-- event remains.
BEGIN;
SELECT eventlog_purge('0') > 0 AS purged_everything;
SELECT count(*) AS left_in_transaction FROM eventlog;
ROLLBACK;
SELECT count(*) AS total FROM eventlog WHERE tool = 'purge_test';
SELECT count(*) AS purge_events FROM eventlog WHERE action = 'purge';

-- The window is eventlog_purge's own: after it, and after a purge that
-- failed half-way inside a caught subtransaction, the log is append-only
-- again for the owner too.
\set VERBOSITY terse
BEGIN;
SELECT eventlog_purge('0', 1);
DELETE FROM eventlog WHERE tool = 'purge_test';
ROLLBACK;
CREATE FUNCTION refuse_purge() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.message = 'recent 3' THEN RAISE EXCEPTION 'owner trigger refuses %', OLD.message; END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER refuse_purge BEFORE DELETE ON eventlog FOR EACH ROW EXECUTE FUNCTION refuse_purge();
DO $$
BEGIN
    BEGIN
        PERFORM eventlog_purge('0');
    EXCEPTION WHEN raise_exception THEN
        RAISE NOTICE 'purge failed: %', SQLERRM;
    END;
    DELETE FROM eventlog WHERE tool = 'purge_test';
END $$;
DROP TRIGGER refuse_purge ON eventlog;
DROP FUNCTION refuse_purge();
UPDATE eventlog SET message = 'rewritten' WHERE tool = 'purge_test';
TRUNCATE eventlog;
\set VERBOSITY default
SELECT count(*) AS total FROM eventlog WHERE tool = 'purge_test';

-- Read-only transactions may not purge.
BEGIN READ ONLY;
\set VERBOSITY terse
SELECT eventlog_purge('0');
\set VERBOSITY default
ROLLBACK;

-- A hostile search_path of the caller does not reach the purge's SQL.
CREATE SCHEMA purge_decoy;
CREATE TABLE purge_decoy.eventlog (LIKE public.eventlog);
CREATE FUNCTION purge_decoy.eventlog_log(text, jsonb, text, text, text, text, text) RETURNS bigint
    LANGUAGE sql AS 'SELECT -1::bigint';
GRANT USAGE ON SCHEMA purge_decoy TO purge_operator;
SET ROLE purge_operator;
SET search_path = purge_decoy, public, pg_catalog;
SELECT eventlog_purge('0') > 0 AS purged;
RESET search_path;
RESET ROLE;
SELECT count(*) AS decoy_rows FROM purge_decoy.eventlog;
SELECT action, db_user, (values_json->>'count')::int > 0 AS counted FROM eventlog ORDER BY id;

DROP SCHEMA purge_decoy CASCADE;
REVOKE EXECUTE ON FUNCTION eventlog_purge(interval, bigint) FROM purge_operator;
DROP ROLE purge_app;
DROP ROLE purge_operator;
