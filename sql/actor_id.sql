-- Who acted: a stable actor key. actor_id comes from the argument
-- actor_id => of eventlog_log / eventlog_log_row, else the setting
-- eventlog.actor_id (when set and non-empty), else NULL; tracking takes the
-- setting. eventlog_page(actor_id =>) and eventlog_for_actor_id filter on
-- it (index scans, exact counts, under the visibility rule): renaming a
-- user changes nothing about which events are theirs.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS eventlog;
RESET client_min_messages;
\set SHOW_CONTEXT never

-- Events that other files inserted by hand are counted again, so that the
-- counts below start exact.
SELECT eventlog_counts_rebuild() = (SELECT count(*) FROM eventlog) AS rebuilt;
SELECT COALESCE(max(id), 0) AS before_id FROM eventlog \gset

-- The argument, else the setting, else NULL (an empty setting is none).
SELECT eventlog_log('argument', tool => 'aid', actor => 'Jane Doe', actor_id => '42') > 0 AS logged;
SET eventlog.actor_id = '7';
SELECT eventlog_log('setting', tool => 'aid', actor => 'Bob') > 0 AS logged;
SELECT eventlog_log('argument over setting', tool => 'aid', actor => 'Bob', actor_id => '8') > 0 AS logged;
SELECT eventlog_log('NULL argument: the setting', tool => 'aid', actor => 'Bob', actor_id => NULL) > 0 AS logged;
SET eventlog.actor_id = '';
SELECT eventlog_log('empty setting', tool => 'aid', actor => 'Nobody') > 0 AS logged;
RESET eventlog.actor_id;
SELECT eventlog_log('no setting', tool => 'aid', actor => 'Nobody') > 0 AS logged;
SELECT message, actor, actor_id FROM eventlog WHERE id > :before_id ORDER BY id;
SELECT current_setting('eventlog.actor_id') AS reset_setting;

-- The old parameter lists still work, positionally and by name.
SELECT eventlog_log('positional, 9 arguments', NULL, NULL, NULL, 'Pos', 'aid', 'custom', NULL, '{"k": 1}') > 0 AS logged;
SELECT eventlog_page('aid', NULL, NULL, 'custom', 'Pos', 10, 1) ->> 'count' AS positional_page;
SELECT eventlog_page('aid', NULL, NULL, NULL, NULL, 10, 1, '42') ->> 'count' AS positional_actor_id;

-- eventlog_log_row takes it too.
CREATE TABLE aid_item (id int PRIMARY KEY, name text);
INSERT INTO aid_item VALUES (1, 'Certificate A');
SELECT eventlog_log_row(i, 'row {name}', jsonb_build_object('name', i.name), actor => 'Jane Doe', actor_id => '42', tool => 'aid') > 0 AS logged
FROM aid_item i;
SET eventlog.actor_id = '7';
SELECT eventlog_log_row(i, 'row by setting', tool => 'aid') > 0 AS logged FROM aid_item i;
RESET eventlog.actor_id;
SELECT message, object_type, object_id, actor_id FROM eventlog WHERE id > :before_id AND message LIKE 'row%' ORDER BY id;

-- Tracking records the setting of the changing statement, for every action
-- and for a snapshot; the direct path writes it.
SELECT eventlog_track('aid_item', tool => 'aid_tracked');
BEGIN;
SET LOCAL eventlog.actor = 'Jane Doe';
SET LOCAL eventlog.actor_id = '42';
SET LOCAL client_min_messages = debug1;
INSERT INTO aid_item VALUES (2, 'Certificate B');
UPDATE aid_item SET name = 'Certificate B2' WHERE id = 2;
RESET client_min_messages;
COMMIT;
SET eventlog.actor_id = 'robot-1';
DELETE FROM aid_item WHERE id = 2;
TRUNCATE aid_item;
RESET eventlog.actor_id;
INSERT INTO aid_item VALUES (3, 'Certificate C');
SET eventlog.actor_id = 'snap';
SELECT eventlog_track('aid_item', tool => 'aid_tracked', snapshot => true);
RESET eventlog.actor_id;
SELECT action, object_id, actor, actor_id FROM eventlog WHERE tool = 'aid_tracked' ORDER BY id;

-- The SQL path (taken once the owner changed the log or the deltas table,
-- here with a CHECK constraint on each) writes and counts it too.
ALTER TABLE eventlog ADD CONSTRAINT aid_check CHECK (actor_id IS DISTINCT FROM 'forbidden');
ALTER TABLE eventlog_count_deltas ADD CONSTRAINT aid_check CHECK (events <> 0);
-- The same write once first, rolled back, with no messages shown: it fills
-- the session's catalog caches, whose growth PostgreSQL 17 and later report
-- at DEBUG1 too (whether that happens in the statement below depends on
-- what the session looked up before it).
BEGIN;
SELECT eventlog_log('warming up', tool => 'aid', actor => 'Sequel', actor_id => 'sql-1') > 0 AS warmed \gset
ROLLBACK;
SET client_min_messages = debug1;
SELECT eventlog_log('by the SQL path', tool => 'aid', actor => 'Sequel', actor_id => 'sql-1') > 0 AS logged;
RESET client_min_messages;
\set VERBOSITY terse
SELECT eventlog_log('refused', actor_id => 'forbidden');
\set VERBOSITY default
ALTER TABLE eventlog DROP CONSTRAINT aid_check;
ALTER TABLE eventlog_count_deltas DROP CONSTRAINT aid_check;
SELECT actor, actor_id FROM eventlog WHERE message = 'by the SQL path';
SELECT actor_id, events FROM eventlog_count_deltas WHERE actor = 'Sequel';

-- A rename: user 42 was "Jane Doe", is "Jane Smith" now. By actor_id both
-- names are theirs; by actor each name finds its own events.
SELECT eventlog_log('after the rename', tool => 'aid', actor => 'Jane Smith', actor_id => '42') > 0 AS logged;
-- Two users with one name: "Bob" is 7 and 8.
SELECT p ->> 'count' AS count, (SELECT string_agg(r ->> 'actor', ', ' ORDER BY (r ->> 'id')::bigint)
                                FROM jsonb_array_elements(p -> 'results') r) AS actors
FROM eventlog_page(actor_id => '42') p;
SELECT message, actor FROM eventlog_for_actor_id('42') WHERE tool = 'aid';
SELECT eventlog_page(actor => 'Jane Doe', tool => 'aid') ->> 'count' AS by_old_name,
       eventlog_page(actor => 'Jane Smith') ->> 'count' AS by_new_name;
SELECT actor_id, count(*) FROM eventlog_for_actor('Bob') GROUP BY actor_id ORDER BY 1;
SELECT eventlog_page(actor_id => '7') ->> 'count' AS bob_7, eventlog_page(actor_id => '8') ->> 'count' AS bob_8,
       eventlog_page(actor => 'Bob', actor_id => '8') ->> 'count' AS bob_named_8;
-- Newest first, as every reader; "actor_id" in every result.
SELECT string_agg(r ->> 'message', ' < ' ORDER BY ord DESC) AS oldest_to_newest,
       bool_and(r ? 'actor_id') AS every_result_has_actor_id
FROM jsonb_array_elements(eventlog_page(actor_id => '42') -> 'results') WITH ORDINALITY AS x(r, ord);
SELECT bool_and(r ? 'actor_id') AS unfiltered_results_have_actor_id FROM jsonb_array_elements(eventlog_page(tool => 'aid') -> 'results') r;
SELECT (SELECT array_agg(id) FROM eventlog_for_actor_id('42'))
     = (SELECT array_agg(id ORDER BY "timestamp" DESC, id DESC) FROM eventlog WHERE actor_id = '42') AS newest_first;
SELECT count(*) AS none_for_null FROM eventlog_for_actor_id(NULL);
-- (the cluster readers, here on this node alone)
SELECT eventlog_cluster_page(actor_id => '42') ->> 'count' AS cluster_count,
       (SELECT count(*) FROM eventlog_cluster_for_actor_id('42')) AS cluster_events;

-- Counts: exact for every actor_id (NULL included) in the counts tables, and
-- eventlog_page's count by actor_id equals counting the log, before and
-- after a fold, after a purge (negative deltas), after a rebuild.
CREATE FUNCTION pg_temp.actor_id_disagreements()
RETURNS TABLE (actor_id text, from_counts numeric, page_count bigint, counted bigint)
LANGUAGE sql AS $$
    SELECT * FROM (
        SELECT k.actor_id,
               (SELECT COALESCE(sum(c.events), 0) FROM eventlog_counts c
                WHERE c.filter = 'actor_id' AND c.value IS NOT DISTINCT FROM k.actor_id)
               + (SELECT COALESCE(sum(d.events), 0) FROM eventlog_count_deltas d
                  WHERE d.actor_id IS NOT DISTINCT FROM k.actor_id) AS from_counts,
               CASE WHEN k.actor_id IS NOT NULL
                    THEN (eventlog_page(actor_id => k.actor_id, page_size => 1) ->> 'count')::bigint END AS page_count,
               (SELECT count(*) FROM eventlog e WHERE e.actor_id IS NOT DISTINCT FROM k.actor_id) AS counted
        FROM (SELECT DISTINCT e.actor_id FROM eventlog e UNION SELECT 'no such key') k) s
    WHERE s.from_counts <> s.counted OR (s.actor_id IS NOT NULL AND s.page_count IS DISTINCT FROM s.counted)
$$;
SELECT * FROM pg_temp.actor_id_disagreements();
SELECT eventlog_counts_fold() > 0 AS folded;
SELECT * FROM pg_temp.actor_id_disagreements();
SELECT value AS actor_id, sum(events) AS events FROM eventlog_counts
WHERE filter = 'actor_id' AND value IN ('42', '7', '8', 'robot-1', 'snap') GROUP BY value ORDER BY value;
BEGIN;
SELECT eventlog_purge('0 seconds') > 0 AS purged;
SELECT * FROM pg_temp.actor_id_disagreements();
ROLLBACK;
SELECT eventlog_counts_rebuild() = (SELECT count(*) FROM eventlog) AS rebuilt;
SELECT * FROM pg_temp.actor_id_disagreements();

-- Visibility: an ordinary role counts and reads, by actor_id, only the
-- events it may read (here: not those about aid_item, which it may not
-- SELECT; the events about no table it sees).
CREATE ROLE aid_reader;
GRANT EXECUTE ON FUNCTION pg_temp.actor_id_disagreements() TO aid_reader;
SET ROLE aid_reader;
SELECT eventlog_page(actor_id => '42') ->> 'count' AS count_as_reader,
       (SELECT count(*) FROM eventlog_for_actor_id('42')) AS events_as_reader,
       (SELECT count(*) FROM eventlog_for_actor_id('42') WHERE object_table IS NOT NULL) AS about_tables;
SELECT * FROM pg_temp.actor_id_disagreements();
RESET ROLE;
GRANT SELECT ON aid_item TO aid_reader;
SET ROLE aid_reader;
SELECT eventlog_page(actor_id => '42') ->> 'count' AS count_with_select,
       (SELECT count(*) FROM eventlog_for_actor_id('42')) AS events_with_select;
RESET ROLE;
DROP OWNED BY aid_reader;
DROP ROLE aid_reader;

-- The hash chain covers actor_id: the seal line ends with it when there
-- is one, and is unchanged for events without.
SELECT e.message, cardinality(string_to_array(eventlog_seal_line(e), E'\t')) AS fields,
       split_part(eventlog_seal_line(e), E'\t', 15) AS field_15
FROM eventlog e WHERE e.message IN ('argument', 'no setting') ORDER BY e.id;

-- Index scans: the actor_id filter on its partial index, the actor filter
-- on its own, newest first without sorting; one transaction's events
-- through the BRIN index.
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM eventlog_for_actor_id('42') LIMIT 10;
EXPLAIN (COSTS OFF) SELECT * FROM eventlog_for_actor('Jane Doe') LIMIT 10;
EXPLAIN (COSTS OFF) SELECT id FROM eventlog e WHERE e.actor_id = '42' ORDER BY "timestamp" DESC, id DESC LIMIT 10;
RESET enable_bitmapscan;
EXPLAIN (COSTS OFF) SELECT * FROM eventlog_for_transaction('1000');
RESET enable_seqscan;

SELECT eventlog_untrack('aid_item');
DROP TABLE aid_item;
