-- The query surface: eventlog_for_object/_key/_tool/_actor/_transaction,
-- the views eventlog_by_tool and eventlog_by_object, and eventlog_page.
-- The extension, when this file runs on its own (make installcheck REGRESS=...).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS eventlog;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET TimeZone = 'UTC';

-- Events with chosen times (the owner may insert into the log directly):
-- ties on "timestamp" are broken by id, newest first.
CREATE TEMP TABLE q_base AS SELECT coalesce(max(id), 0) AS start FROM eventlog;
INSERT INTO eventlog (id, "timestamp", actor, message, object_type, object_id, tool, action, changes, db_user)
SELECT (SELECT start FROM q_base) + i,
       '2023-11-12 15:26:12.275092+00'::timestamptz + ((i / 2) || ' seconds')::interval,
       CASE WHEN i % 3 = 0 THEN 'Jane Roe' ELSE 'John Doe' END,
       'event ' || i,
       CASE WHEN i <= 6 THEN 'public.q_certificate' ELSE 'public.q_other' END,
       (i % 2)::text,
       CASE WHEN i <= 8 THEN 'q_tool' ELSE 'q_other_tool' END,
       (ARRAY['create', 'update', 'delete'])[1 + i % 3],
       jsonb_build_object('old_value', jsonb_build_object('n', i - 1), 'new_value', jsonb_build_object('n', i)),
       'postgres'
FROM generate_series(1, 10) i;
SELECT setval('eventlog_id_seq', (SELECT max(id) FROM eventlog)) > 0 AS sequence_moved;
-- Events inserted by hand are not counted until the counts are rebuilt.
SELECT (eventlog_page(tool => 'q_tool'))->'count' AS not_counted_yet;
SELECT eventlog_counts_rebuild() >= 10 AS recounted;
CREATE TEMP VIEW q AS
SELECT id - (SELECT start FROM q_base) AS n, "timestamp", actor, object_type, object_id, tool, action
FROM eventlog WHERE id > (SELECT start FROM q_base);

-- One object, newest first (equal times: higher id first).
SELECT id - (SELECT start FROM q_base) AS n, "timestamp", action
FROM eventlog_for_object('public.q_certificate', '0');
SELECT count(*) AS none FROM eventlog_for_object('public.q_certificate', 'no such id');
SELECT count(*) AS null_arguments FROM eventlog_for_object(NULL, NULL);

-- One tool, one actor.
SELECT array_agg(id - (SELECT start FROM q_base)) AS tool_events FROM eventlog_for_tool('q_tool');
SELECT array_agg(id - (SELECT start FROM q_base)) AS actor_events FROM eventlog_for_actor('Jane Roe')
WHERE id > (SELECT start FROM q_base);

-- A tracked row by its table and its key in its own type; composite keys as a row.
CREATE TABLE q_cert (id int PRIMARY KEY, status text);
CREATE TABLE q_line (a int, b text, v int, PRIMARY KEY (a, b));
SELECT eventlog_track('q_cert'), eventlog_track('q_line');
INSERT INTO q_cert VALUES (42, 'new');
UPDATE q_cert SET status = 'used';
INSERT INTO q_line VALUES (1, 'x "y"', 1);
UPDATE q_line SET v = 2;
SELECT action, object_type, object_id, changes FROM eventlog_for_key('q_cert', 42);
SELECT action, object_type, object_id FROM eventlog_for_key('q_line', ROW(1, 'x "y"'));
SELECT count(*) AS other_key FROM eventlog_for_key('q_cert', 43);
-- Composite keys with float and numeric parts: found as tracking wrote them.
CREATE TABLE q_measure (x float8, y numeric, v int, PRIMARY KEY (x, y));
SELECT eventlog_track('q_measure');
INSERT INTO q_measure VALUES (1e20, 10.50, 1), (0.1, 1e-7, 1);
SELECT object_id FROM eventlog WHERE object_type = 'public.q_measure' ORDER BY id;
SELECT count(*) AS found_by_key FROM eventlog_for_key('q_measure', ROW(1e20::float8, 10.50));
SELECT count(*) AS found_by_key FROM eventlog_for_key('q_measure', ROW(0.1::float8, 1e-7));
DROP TABLE q_measure;

-- One transaction's events (default: the current transaction).
BEGIN;
UPDATE q_cert SET status = 'in transaction';
SELECT eventlog_log('logged in the same transaction') > 0 AS logged;
SELECT action, object_id, message FROM eventlog_for_transaction();
COMMIT;
SELECT count(*) AS outside_a_transaction FROM eventlog_for_transaction();

-- The views: one row per tool / object; events is a bigint count.
SELECT tool, events, first_at, last_at FROM eventlog_by_tool WHERE tool IN ('q_tool', 'q_other_tool') ORDER BY tool;
SELECT object_type, object_id, events, first_at, last_at FROM eventlog_by_object
WHERE object_type = 'public.q_certificate' AND object_id IN ('0', '1') ORDER BY object_id;
SELECT pg_typeof(events) AS events_type FROM eventlog_by_tool LIMIT 1;

-- eventlog_page: the original REST shape, newest first, count of every match.
SELECT jsonb_pretty(p #- '{results,0,id}' #- '{results,1,id}') AS page_without_ids,
       ARRAY(SELECT (r->>'id')::bigint - (SELECT start FROM q_base) FROM jsonb_array_elements(p->'results') r) AS ids
FROM eventlog_page(tool => 'q_tool', object_type => 'public.q_certificate', object_id => '1', page_size => 2) p;
-- Exactly the contract's keys, with JSON types.
SELECT key, jsonb_typeof(value) AS type
FROM jsonb_each((eventlog_page(tool => 'q_tool', page_size => 1))->'results'->0) ORDER BY key;
SELECT jsonb_typeof(p->'count') AS count_type, jsonb_typeof(p->'results') AS results_type
FROM eventlog_page(tool => 'q_tool') p;
-- Paging: pages partition the matches; count is the whole match, not the page.
SELECT page, (p->>'count')::int AS count,
       ARRAY(SELECT (r->>'id')::bigint - (SELECT start FROM q_base) FROM jsonb_array_elements(p->'results') r) AS ids
FROM generate_series(1, 4) page, eventlog_page(tool => 'q_tool', page_size => 3, page => page) p;
-- Every filter, alone and combined.
SELECT (eventlog_page(action => 'update', tool => 'q_tool'))->'count' AS by_action,
       (eventlog_page(actor => 'Jane Roe', tool => 'q_tool'))->'count' AS by_actor,
       (eventlog_page(object_type => 'public.q_other'))->'count' AS by_type,
       (eventlog_page(object_type => 'public.q_other', object_id => '0', actor => 'John Doe', action => 'delete'))->'count' AS all_filters;
SELECT ((eventlog_page())->>'count')::bigint = (SELECT count(*) FROM eventlog) AS unfiltered_counts_everything;
-- Empty result.
SELECT eventlog_page(tool => 'no such tool');
-- Bad arguments: SQLSTATE 22023.
SELECT eventlog_page(page => 0);
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_page(page => -5);
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_page(page_size => 0);
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_page(page_size => 10001);
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_page(page_size => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_page(page => 2147483647, page_size => 10000);
\echo :LAST_ERROR_SQLSTATE
-- Filter values are data, never SQL.
SELECT eventlog_page(tool => $$' OR true --$$);

DROP TABLE q_cert, q_line;
