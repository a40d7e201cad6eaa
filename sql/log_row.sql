-- A table row as the object: eventlog_object() and eventlog_log_row().
-- The extension, when this file runs on its own (make installcheck REGRESS=...).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS eventlog;
RESET client_min_messages;
CREATE TABLE certificate (id int PRIMARY KEY, name text, status text);
CREATE TABLE "Odd Name" (a int, "b c" text, u uuid, PRIMARY KEY (a, "b c"));
CREATE TABLE by_uuid (id uuid PRIMARY KEY, v int);
CREATE TABLE no_key (a int);
CREATE TABLE dropped_cols (x int, id bigint, y int, PRIMARY KEY (id));
ALTER TABLE dropped_cols DROP COLUMN x;
INSERT INTO certificate VALUES (1, 'Certificate A', 'active');
INSERT INTO "Odd Name" VALUES (1, 'a "quoted" b', NULL);
INSERT INTO by_uuid VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 1);
INSERT INTO no_key VALUES (1);
INSERT INTO dropped_cols VALUES (9000000000, 2);

-- object_type as PostgreSQL quotes it; object_id the key as text, composite
-- keys as a JSON array text, uuid keys as their text.
SELECT (eventlog_object(c)).* FROM certificate c;
SELECT (eventlog_object(o)).* FROM "Odd Name" o;
SELECT (eventlog_object(b)).* FROM by_uuid b;
SELECT (eventlog_object(d)).* FROM dropped_cols d;
SELECT eventlog_object(NULL::certificate) IS NULL AS null_row;
-- A NULL row is no object: nothing recorded, NULL returned.
SELECT count(*) AS events_before FROM eventlog \gset
SELECT eventlog_log_row(NULL::certificate, 'no object') IS NULL AS null_id;
SELECT count(*) - :events_before AS recorded FROM eventlog;

-- Not a table row, or a table without a primary key: clear errors.
SELECT eventlog_object(n) FROM no_key n;
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_object(42);
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_object(ROW(1, 'a'));
\echo :LAST_ERROR_SQLSTATE

-- eventlog_log_row: the row gives object_type and object_id.
SELECT eventlog_log_row(c, 'Item {item__name} was archived by {actor}.',
                        jsonb_build_object('item__name', to_jsonb(c), 'actor', 'John Doe'),
                        actor => 'John Doe', tool => 'example_feature', action => 'archive') > 0 AS logged
FROM certificate c WHERE id = 1;
SELECT eventlog_log_row(o, 'odd one', tool => 'example_feature') > 0 AS logged FROM "Odd Name" o;
SELECT object_type, object_id, message, actor, action FROM eventlog
WHERE tool = 'example_feature' AND action IS DISTINCT FROM 'update' AND action IS DISTINCT FROM 'create'
ORDER BY id;

DROP TABLE certificate, "Odd Name", by_uuid, no_key, dropped_cols;
