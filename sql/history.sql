-- History: eventlog_state_at and eventlog_versions rebuild a tracked row from
-- its events (create gives the whole row, update sets the changed columns,
-- delete and a truncate of its table end it, a primary-key change continues
-- the old key's history); eventlog_revert undoes one tracked change.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS eventlog;
RESET client_min_messages;
\set VERBOSITY terse
-- try(sql): the SQLSTATE and message of what sql raises, numbers masked (event ids vary).
CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || regexp_replace(SQLERRM, '[0-9]+', 'N', 'g');
END
$$;
CREATE TABLE h_cert (id int PRIMARY KEY, name text NOT NULL, status text, touched timestamptz NOT NULL DEFAULT now());
SELECT eventlog_track('h_cert', exclude_columns => '{touched}');
SELECT clock_timestamp() AS t0 \gset
INSERT INTO h_cert (id, name, status) VALUES (1, 'A', 'new');
SELECT pg_sleep(0.002), clock_timestamp() AS t1 \gset
UPDATE h_cert SET status = 'used' WHERE id = 1;
SELECT pg_sleep(0.002), clock_timestamp() AS t2 \gset
UPDATE h_cert SET id = 10 WHERE id = 1;            -- a new key
SELECT pg_sleep(0.002), clock_timestamp() AS t3 \gset
UPDATE h_cert SET name = 'B' WHERE id = 10;
SELECT pg_sleep(0.002), clock_timestamp() AS t4 \gset
DELETE FROM h_cert WHERE id = 10;
SELECT pg_sleep(0.002), clock_timestamp() AS t5 \gset
INSERT INTO h_cert (id, name, status) VALUES (10, 'C', 'new');   -- the key again, a new row
SELECT pg_sleep(0.002), clock_timestamp() AS t6 \gset
TRUNCATE h_cert;
SELECT pg_sleep(0.002), clock_timestamp() AS t7 \gset

-- The row under its current key, at each time (the old key's history included).
SELECT t, eventlog_state_at('public.h_cert', '10', at) AS state
FROM (VALUES ('t0', :'t0'::timestamptz), ('t1', :'t1'), ('t2', :'t2'), ('t3', :'t3'), ('t4', :'t4'),
             ('t5', :'t5'), ('t6', :'t6'), ('t7', :'t7')) AS v(t, at)
ORDER BY t;
-- Under its old key, only the time before the key changed.
SELECT eventlog_state_at('public.h_cert', '1', :'t1') AS old_key_at_t1, eventlog_state_at('public.h_cert', '1', :'t3') AS old_key_at_t3;
-- Every version, newest first.
SELECT action, state FROM eventlog_versions('public.h_cert', '10');
SELECT count(*) AS versions_of_unknown FROM eventlog_versions('public.h_cert', '404');
SELECT eventlog_state_at(NULL, '1') AS null_object, eventlog_state_at('public.h_cert', '404') AS unknown_object;

-- A table tracked after its rows existed: no whole row to start from.
CREATE TABLE h_late (id int PRIMARY KEY, v int);
INSERT INTO h_late VALUES (1, 1);
SELECT eventlog_track('h_late');
UPDATE h_late SET v = 2;
SELECT action, state FROM eventlog_versions('public.h_late', '1');
SELECT eventlog_state_at('public.h_late', '1') AS no_whole_row;

-- ... unless tracking starts with a snapshot: one snapshot event per row,
-- in the same transaction, the baseline its history starts from.
CREATE TABLE h_snap (id int PRIMARY KEY, v int, secret text);
INSERT INTO h_snap SELECT g, g, 'hidden' FROM generate_series(1, 3) g;
BEGIN;
SELECT eventlog_track('h_snap', exclude_columns => '{secret}', snapshot => true);
SELECT action, object_id, message, changes FROM eventlog WHERE object_type = 'public.h_snap' ORDER BY id;
ROLLBACK;
SELECT count(*) AS nothing_after_rollback FROM eventlog WHERE object_type = 'public.h_snap';
SELECT eventlog_track('h_snap', exclude_columns => '{secret}', snapshot => true);
UPDATE h_snap SET v = 20 WHERE id = 2;
SELECT action, state FROM eventlog_versions('public.h_snap', '2');
SELECT eventlog_state_at('public.h_snap', '2') AS whole_row_from_the_snapshot;
-- only the table's owner may snapshot it
CREATE ROLE h_stranger;
GRANT SELECT ON h_snap TO h_stranger;
SET ROLE h_stranger;
SELECT pg_temp.try($$SELECT eventlog_snapshot('h_snap', '{"tool": "x", "exclude_columns": [], "messages": {}}')$$) AS refused;
RESET ROLE;

-- Composite keys and a key change of a composite key.
CREATE TABLE h_line (a int, b text, v int, PRIMARY KEY (a, b));
SELECT eventlog_track('h_line');
INSERT INTO h_line VALUES (1, 'x y', 1);
UPDATE h_line SET b = 'z' WHERE a = 1;
UPDATE h_line SET v = 5;
SELECT action, state FROM eventlog_versions('public.h_line', '[1,"z"]');

-------------------------------------------------------------------------------
-- Revert
-------------------------------------------------------------------------------
INSERT INTO h_cert (id, name, status) VALUES (1, 'A', 'new'), (2, 'B', 'new');
UPDATE h_cert SET status = 'used', name = 'A2' WHERE id = 1;
SELECT max(id) AS upd FROM eventlog WHERE object_type = 'public.h_cert' AND action = 'update' \gset
-- an update: its changed columns back; the revert is tracked, with revert_of
SELECT eventlog_revert(:upd) AS revert_event \gset
SELECT id, name, status FROM h_cert ORDER BY id;
SELECT action, changes, context = jsonb_build_object('revert_of', :upd) AS revert_of_context,
       id = :revert_event AS returned_its_id
FROM eventlog WHERE id = :revert_event;
-- reverting it again: the row changed since (it is the revert's row now)
SELECT pg_temp.try('SELECT eventlog_revert(' || :upd || ')') AS refused;
-- a create: the row deleted
SELECT max(id) AS cre FROM eventlog WHERE object_type = 'public.h_cert' AND object_id = '2' AND action = 'create' \gset
SELECT eventlog_revert(:cre) > :cre AS reverted;
SELECT count(*) AS row_2_left FROM h_cert WHERE id = 2;
-- a delete: the recorded row inserted again, excluded columns from their defaults
DELETE FROM h_cert WHERE id = 1;
SELECT max(id) AS del FROM eventlog WHERE object_type = 'public.h_cert' AND action = 'delete' \gset
SELECT eventlog_revert(:del) > :del AS reverted;
SELECT id, name, status, touched IS NOT NULL AS touched_defaulted FROM h_cert ORDER BY id;
-- ... but not when its key is taken again
SELECT pg_temp.try('SELECT eventlog_revert(' || :del || ')') AS refused;
-- a row that is gone
SELECT min(id) AS cre1 FROM eventlog WHERE object_type = 'public.h_cert' AND object_id = '2' AND action = 'create' \gset
SELECT pg_temp.try('SELECT eventlog_revert(' || :cre1 || ')') AS refused;
-- not a tracked change: an application event, a truncate, no such event
SELECT eventlog_log('app event', object_type => 'public.h_cert', object_id => '1', action => 'update') AS app \gset
SELECT pg_temp.try('SELECT eventlog_revert(' || :app || ')') AS refused;
SELECT max(id) AS trunc FROM eventlog WHERE object_type = 'public.h_cert' AND action = 'truncate' \gset
SELECT pg_temp.try('SELECT eventlog_revert(' || :trunc || ')') AS refused;
SELECT pg_temp.try('SELECT eventlog_revert(' || '-1' || ')') AS refused;
-- as the caller: a role that may read but not update the table cannot
CREATE ROLE h_reader;
GRANT SELECT ON h_cert TO h_reader;
UPDATE h_cert SET status = 'again' WHERE id = 1;
SELECT max(id) AS upd2 FROM eventlog WHERE object_type = 'public.h_cert' AND action = 'update' \gset
SET ROLE h_reader;
SELECT pg_temp.try('SELECT eventlog_revert(' || :upd2 || ')') AS refused;
RESET ROLE;
SELECT status FROM h_cert WHERE id = 1;
-- the context in force before the revert is back after it
BEGIN;
SET LOCAL eventlog.context = '{"request_id": "r-9"}';
SELECT eventlog_revert(:upd2) > 0 AS reverted;
SHOW eventlog.context;
SELECT context = jsonb_build_object('revert_of', :upd2, 'request_id', 'r-9') AS merged_context
FROM eventlog WHERE id = (SELECT max(id) FROM eventlog WHERE object_type = 'public.h_cert');
COMMIT;
SELECT status FROM h_cert WHERE id = 1;

DROP TABLE h_cert, h_late, h_line, h_snap;
DROP ROLE h_reader, h_stranger;
