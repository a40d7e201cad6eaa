-- eventlog_track / eventlog_untrack and the capture trigger.
-- The extension, when this file runs on its own (make installcheck REGRESS=...).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS eventlog;
RESET client_min_messages;
\set SHOW_CONTEXT never
CREATE TABLE certificate (
    id int PRIMARY KEY,
    name text NOT NULL,
    status text NOT NULL,
    amount numeric,
    data jsonb,
    updated_at timestamptz NOT NULL DEFAULT '2024-01-01');
SELECT coalesce(max(id), 0) AS start FROM eventlog \gset
CREATE VIEW events AS
    SELECT action, object_type, object_id, tool, actor, db_user, message, changes
    FROM eventlog WHERE id > :start ORDER BY id;

SELECT eventlog_track('certificate', exclude_columns => '{updated_at}');
SELECT table_name, tool, exclude_columns, messages FROM eventlog_tracked;
SELECT tgname, tgtype FROM pg_trigger WHERE tgrelid = 'certificate'::regclass ORDER BY tgname;

-- One event per row: create (every column), update (changed columns only),
-- delete (every column); excluded columns never appear.
INSERT INTO certificate (id, name, status, amount) VALUES (1, 'Certificate A', 'active', 10.50), (2, 'Certificate B', 'active', 7);
UPDATE certificate SET status = 'inactive', updated_at = '2024-02-02' WHERE id = 1;
DELETE FROM certificate WHERE id = 2;
SELECT * FROM events;

-- An update that changes no tracked column records nothing: same values,
-- only excluded columns, or numerically equal values (10.50 -> 10.500).

SELECT count(*) AS before FROM eventlog \gset
UPDATE certificate SET status = status;
UPDATE certificate SET updated_at = '2030-01-01';
UPDATE certificate SET amount = 10.500;
UPDATE certificate SET data = NULL;
SELECT count(*) - :before AS new_events FROM eventlog;

-- NULL to value and back; jsonb values keep their shape.
UPDATE certificate SET data = '{"tags": ["x"], "n": 123456789012345678901234567890}';
UPDATE certificate SET data = NULL, amount = NULL;
SELECT action, changes FROM eventlog WHERE id > :start ORDER BY id DESC LIMIT 2;

-- Many rows in one statement: one event each, in row order; an update that
-- changes the primary key pairs old and new rows correctly.
INSERT INTO certificate (id, name, status) SELECT i, 'bulk ' || i, 'new' FROM generate_series(100, 104) i;
UPDATE certificate SET id = id + 1000, status = 'moved' WHERE id BETWEEN 100 AND 104;
SELECT object_id, changes FROM eventlog WHERE id > :start AND action = 'update' AND changes->'new_value' ? 'id' ORDER BY id;
DELETE FROM certificate WHERE id > 1000;
SELECT count(*) AS deletes FROM eventlog WHERE id > :start AND action = 'delete' AND object_id::int > 1000;

-- INSERT ... ON CONFLICT DO UPDATE records a create or an update per row.
INSERT INTO certificate (id, name, status) VALUES (1, 'Certificate A', 'renewed'), (3, 'Certificate C', 'active')
ON CONFLICT (id) DO UPDATE SET status = excluded.status;
SELECT action, object_id, changes FROM eventlog WHERE id > :start ORDER BY id DESC LIMIT 2;

-- TRUNCATE: one event, object_id NULL, changes NULL.
CREATE TABLE scratch (id int PRIMARY KEY, v text);
SELECT eventlog_track('scratch', tool => 'scratch_tool');
INSERT INTO scratch SELECT i, 'v' FROM generate_series(1, 3) i;
TRUNCATE scratch;
SELECT action, object_type, object_id, tool, message, changes FROM eventlog WHERE tool = 'scratch_tool' AND action = 'truncate';

-- Composite and uuid keys, quoted identifiers.
CREATE SCHEMA "My Schema";
CREATE TABLE "My Schema"."Odd ""Name""; x" (a int, "b c" text, v int, PRIMARY KEY (a, "b c"));
SELECT eventlog_track('"My Schema"."Odd ""Name""; x"');
INSERT INTO "My Schema"."Odd ""Name""; x" VALUES (1, 'x"y', 1);
UPDATE "My Schema"."Odd ""Name""; x" SET v = 2;
CREATE TABLE by_uuid (id uuid PRIMARY KEY, v int);
SELECT eventlog_track('by_uuid');
INSERT INTO by_uuid VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 1);
SELECT action, object_type, object_id, tool, changes FROM eventlog
WHERE object_type IN ('"My Schema"."Odd ""Name""; x"', 'public.by_uuid') ORDER BY id;

-- Messages: per-action templates with event fields and old/new columns
-- (with a path into a jsonb column); defaults for the others.
SELECT eventlog_track('certificate', tool => 'certs', exclude_columns => '{updated_at}', messages => $${
    "update": "Item {new__name} went from {old__status} to {new__status} ({tool}/{action} {object_type} #{object_id}) by {actor}",
    "create": "Created {new__name} tagged {new__data__tag}"}$$);
SELECT table_name, tool, exclude_columns, messages FROM eventlog_tracked WHERE table_name = 'certificate'::regclass;
INSERT INTO certificate (id, name, status, data) VALUES (4, 'Certificate D', 'active', '{"tag": "blue"}');
UPDATE certificate SET status = 'expired' WHERE id = 4;
DELETE FROM certificate WHERE id = 4;
SELECT action, tool, message FROM eventlog WHERE id > :start ORDER BY id DESC LIMIT 3;

-- Calling eventlog_track again replaced the options: still one trigger per
-- event, one event per row.
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'certificate'::regclass;
SELECT count(*) AS events_for_4 FROM eventlog WHERE object_id = '4' AND object_type = 'public.certificate';

-- Refused at tracking time (nothing changes): unknown columns and
-- placeholders, rows an action does not have (22023); no primary key
-- (55000); not a table (42809); the log itself.
SELECT eventlog_track('certificate', messages => '{"update": "{new__nope}"}');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_track('certificate', messages => '{"update": "{whatever}"}');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_track('certificate', messages => '{"update": "{new__name"}');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_track('certificate', messages => '{"create": "{old__name}"}');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_track('certificate', messages => '{"truncate": "{object_id}"}');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_track('certificate', messages => '{"upsert": "x"}');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_track('certificate', messages => '["x"]');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_track('certificate', exclude_columns => '{nope}');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE no_key (a int);
SELECT eventlog_track('no_key');
\echo :LAST_ERROR_SQLSTATE
-- A DEFERRABLE primary key is named as what it is, not as a missing one.
CREATE TABLE deferred_key (a int PRIMARY KEY DEFERRABLE INITIALLY DEFERRED);
SELECT eventlog_track('deferred_key');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO deferred_key VALUES (1);
SELECT (eventlog_object(d)).* FROM deferred_key d;
\echo :LAST_ERROR_SQLSTATE
DROP TABLE deferred_key;
CREATE VIEW certificate_view AS SELECT * FROM certificate;
SELECT eventlog_track('certificate_view');
\echo :LAST_ERROR_SQLSTATE
DROP VIEW certificate_view;
SELECT eventlog_track('eventlog');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_track(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT tool, messages->>'update' IS NOT NULL AS has_update_template
FROM eventlog_tracked WHERE table_name = 'certificate'::regclass;

-- The capture trigger cannot be misused by hand.
SELECT eventlog_capture();
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE misuse (id int PRIMARY KEY);
CREATE TRIGGER by_hand BEFORE INSERT ON misuse FOR EACH ROW EXECUTE FUNCTION eventlog_capture('{"tool":"x"}');
INSERT INTO misuse VALUES (1);
\echo :LAST_ERROR_SQLSTATE
DROP TABLE misuse;

-- A failing statement or a rolled-back savepoint leaves no events.
SELECT count(*) AS before FROM eventlog \gset
INSERT INTO certificate (id, name, status) VALUES (5, 'ok', 'x'), (1, 'duplicate', 'x');
BEGIN;
SAVEPOINT s;
INSERT INTO certificate (id, name, status) VALUES (6, 'rolled back', 'x');
ROLLBACK TO SAVEPOINT s;
INSERT INTO certificate (id, name, status) VALUES (7, 'kept', 'x');
COMMIT;
SELECT count(*) - :before AS new_events FROM eventlog;
SELECT action, object_id FROM eventlog ORDER BY id DESC LIMIT 1;

-- ALTER TABLE: add, drop and rename columns, with a prepared statement and
-- a PL/pgSQL function planned before the change.
PREPARE upd(int, text) AS UPDATE certificate SET name = $2 WHERE id = $1;
CREATE FUNCTION set_status(i int, s text) RETURNS void LANGUAGE plpgsql AS
$$BEGIN UPDATE certificate SET name = s WHERE id = i; END$$;
EXECUTE upd(7, 'before alter');
SELECT set_status(7, 'before alter 2');
ALTER TABLE certificate ADD COLUMN extra text DEFAULT 'x';
EXECUTE upd(7, 'after add');
UPDATE certificate SET extra = 'changed' WHERE id = 7;
ALTER TABLE certificate DROP COLUMN amount;
SELECT set_status(7, 'after drop');
ALTER TABLE certificate RENAME COLUMN status TO state;
EXECUTE upd(7, 'after rename');
SELECT set_status(7, 'after rename 2');
UPDATE certificate SET state = 'plain update' WHERE id = 7;
SELECT message, changes FROM eventlog WHERE id > :start AND object_id = '7' AND action = 'update' ORDER BY id;
-- The update template named {old__status}: after the rename it falls back
-- to the default message; tracking it again with the new name is accepted.
SELECT eventlog_track('certificate', tool => 'certs', messages => '{"update": "{old__state} -> {new__state}"}');
UPDATE certificate SET state = 'renamed template' WHERE id = 7;
SELECT message FROM eventlog ORDER BY id DESC LIMIT 1;
DEALLOCATE upd;

-- eventlog_untrack removes the triggers; events stay; re-tracking works.
SELECT eventlog_untrack('scratch') AS removed, eventlog_untrack('scratch') AS removed_again;
INSERT INTO scratch VALUES (10, 'untracked');
SELECT count(*) AS scratch_events_after_untrack FROM eventlog WHERE tool = 'scratch_tool' AND object_id = '10';
SELECT count(*) > 0 AS history_kept FROM eventlog WHERE tool = 'scratch_tool';
SELECT eventlog_track('scratch', tool => 'scratch_tool');
INSERT INTO scratch VALUES (11, 'tracked again');
SELECT action, object_id FROM eventlog WHERE tool = 'scratch_tool' ORDER BY id DESC LIMIT 1;
SELECT table_name FROM eventlog_tracked ORDER BY table_name::text;

-- Privileges: a role with only INSERT/UPDATE on a tracked table gets its
-- events recorded under its own name, cannot change eventlog, and cannot
-- track or untrack a table it does not own.
CREATE ROLE eventlog_writer;
GRANT INSERT, UPDATE, SELECT ON certificate TO eventlog_writer;
SET ROLE eventlog_writer;
SET eventlog.actor = 'alice (app user)';
INSERT INTO certificate (id, name, state) VALUES (20, 'by writer', 'new');
UPDATE certificate SET state = 'edited' WHERE id = 20;
RESET eventlog.actor;
UPDATE eventlog SET actor = 'forged';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM eventlog;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE eventlog;
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_untrack('certificate');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_track('certificate');
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER eventlog_capture_update ON certificate;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT action, actor, db_user FROM eventlog WHERE object_id = '20' ORDER BY id;

-- A member of the owning role may track; others may not.
CREATE ROLE eventlog_owners;
CREATE ROLE eventlog_member IN ROLE eventlog_owners;
CREATE TABLE owned (id int PRIMARY KEY);
ALTER TABLE owned OWNER TO eventlog_owners;
SET ROLE eventlog_member;
SELECT eventlog_track('owned');
INSERT INTO owned VALUES (1);
RESET ROLE;
SELECT action, object_type, db_user FROM eventlog WHERE object_type = 'public.owned';

-- search_path hijacks: look-alike tables and functions earlier on the
-- caller's path do not redirect or change events.
CREATE SCHEMA hijack;
CREATE TABLE hijack.eventlog (LIKE public.eventlog);
CREATE FUNCTION hijack.to_jsonb(anyelement) RETURNS jsonb LANGUAGE sql AS $$SELECT '"hijacked"'::jsonb$$;
CREATE FUNCTION hijack.unnest(anyarray) RETURNS SETOF anyelement LANGUAGE sql AS $$SELECT NULL$$;
CREATE FUNCTION hijack.nextval(regclass) RETURNS bigint LANGUAGE sql AS $$SELECT -1::bigint$$;
CREATE FUNCTION hijack.clock_timestamp() RETURNS timestamptz LANGUAGE sql AS $$SELECT '2000-01-01'::timestamptz$$;
CREATE FUNCTION hijack.jsonb_build_object(text, text, text, jsonb, text, jsonb) RETURNS jsonb LANGUAGE sql AS $$SELECT '{"tool": "hijacked"}'::jsonb$$;
SET search_path = hijack, public;
SELECT eventlog_track('certificate', tool => 'certs');
INSERT INTO certificate (id, name, state) VALUES (30, 'hijack attempt', 'x');
SET eventlog.actor = $$x'); DELETE FROM eventlog; --$$;
UPDATE certificate SET state = 'y' WHERE id = 30;
RESET eventlog.actor;
RESET search_path;
SELECT count(*) AS hijacked_rows FROM hijack.eventlog;
SELECT action, actor, tool, changes, id > 0 AS real_id, "timestamp" > '2001-01-01' AS real_time
FROM eventlog WHERE object_id = '30' ORDER BY id;
DROP SCHEMA hijack CASCADE;

-- Integers, booleans and strings are converted without calling to_jsonb(),
-- to exactly what to_jsonb() gives: the recorded values equal to_jsonb() of
-- the rows, as text (so 5 is not 5.0), at the types' limits, with escapes,
-- multibyte characters, char(n) padding, NULLs and long (TOASTed) strings.
CREATE TABLE typed (id int PRIMARY KEY, i2 smallint, i4 int, i8 bigint, b boolean, t text, v varchar(20),
                    c char(5), n numeric);
ALTER TABLE typed ALTER t SET STORAGE external;
SELECT eventlog_track('typed', tool => 'typed') \g /dev/null
INSERT INTO typed VALUES
    (1, -32768, -2147483648, -9223372036854775808, true, '', E'tab\there', 'ab', 5),
    (2, 32767, 2147483647, 9223372036854775807, false, E'"quoted" \\ back\u00e9 \U0001F600 \u0001', 'ü', '', 5.00),
    (3, 0, -0, NULL, NULL, NULL, NULL, NULL, NULL),
    (4, 1, 2, 3, true, (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 400) g), 'x', 'abcde', -1);
CREATE TEMP TABLE typed_before AS SELECT id, to_jsonb(typed) AS row FROM typed;
UPDATE typed SET i2 = ~i2, i4 = ~i4, i8 = coalesce(~i8, 7), b = NOT coalesce(b, false),
                 t = coalesce(t, '') || 'ß', v = coalesce(v, '') || '"', c = coalesce(c, 'z'), n = coalesce(n, 0) + 1;
CREATE TEMP TABLE typed_after AS SELECT id, to_jsonb(typed) AS row FROM typed;
DELETE FROM typed;
SELECT e.action, e.object_id,
       CASE e.action WHEN 'create' THEN (e.changes -> 'new_value')::text = b.row::text
                     WHEN 'update' THEN (e.changes -> 'old_value')::text = (SELECT jsonb_object_agg(k, b.row -> k) FROM jsonb_object_keys(e.changes -> 'old_value') k)::text
                                        AND (e.changes -> 'new_value')::text = (SELECT jsonb_object_agg(k, a.row -> k) FROM jsonb_object_keys(e.changes -> 'new_value') k)::text
                     ELSE (e.changes -> 'old_value')::text = a.row::text END AS as_to_jsonb,
       (SELECT array_agg(k ORDER BY k)
        FROM jsonb_object_keys(e.changes -> CASE e.action WHEN 'delete' THEN 'old_value' ELSE 'new_value' END) k) AS columns
FROM eventlog e JOIN typed_before b ON b.id::text = e.object_id JOIN typed_after a ON a.id = b.id
WHERE e.tool = 'typed' ORDER BY e.id;
-- Unchanged values record nothing, however they are stored: a long string
-- rewritten to itself gets a new TOAST pointer (the bytes decide), and
-- 5.00 set to 5 is the same number.
SELECT max(id) AS typed_start FROM eventlog \gset
INSERT INTO typed SELECT 4, 1, 2, 3, true, (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 400) g), 'x', 'ab', 5.00;
UPDATE typed SET t = t || '', c = 'ab ', n = 5;
UPDATE typed SET t = t || '!', i8 = i8;
SELECT action, (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(changes -> 'new_value') k) AS columns,
       right(changes #>> '{new_value,t}', 3) AS t_ends, length(changes #>> '{old_value,t}') AS old_t_length
FROM eventlog WHERE id > :typed_start ORDER BY id;
SELECT eventlog_untrack('typed') \g /dev/null
DROP TABLE typed;

DROP VIEW events;
DROP TABLE certificate, scratch, "My Schema"."Odd ""Name""; x", by_uuid, no_key, owned CASCADE;
DROP SCHEMA "My Schema";
DROP FUNCTION set_status(int, text);
DROP ROLE eventlog_writer;
DROP ROLE eventlog_member;
DROP ROLE eventlog_owners;
