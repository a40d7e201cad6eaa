-- The time-partitioned layout: chosen by eventlog.partition_interval when
-- the extension is created; partitions created ahead of time by the
-- extension itself; contract queries prune and stay index scans; purge
-- drops whole partitions. (Output does not depend on today's date.)
-- The extension, when this file runs on its own (make installcheck REGRESS=...).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS eventlog;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET TimeZone = 'UTC';
SET DateStyle = 'ISO';
DROP EXTENSION eventlog;

-- Only whole months or whole days.
\set VERBOSITY terse
SET eventlog.partition_interval = '1 hour';
CREATE EXTENSION eventlog;
SET eventlog.partition_interval = '1 month 2 days';
CREATE EXTENSION eventlog;
SET eventlog.partition_interval = '-1 month';
CREATE EXTENSION eventlog;
SET eventlog.partition_interval = 'monthly';
CREATE EXTENSION eventlog;
\set VERBOSITY default

SET eventlog.partition_interval = '1 month';
CREATE EXTENSION eventlog;
RESET eventlog.partition_interval;
-- The parent holds no index: each partition has its own (primary key
-- (id, "timestamp")), created with it.
SELECT c.relkind, (SELECT count(*) FROM pg_index i WHERE i.indrelid = c.oid) AS indexes
FROM pg_class c WHERE c.oid = 'eventlog'::regclass;
SELECT partition_interval, premake FROM eventlog_partition_settings;

-- Partition starts, aligned in UTC whatever the session's time zone.
SET TimeZone = 'America/New_York';
SELECT t AS at, i AS partition_interval, eventlog_partition_start(t, i) AT TIME ZONE 'UTC' AS starts_utc
FROM (VALUES ('2026-03-31 23:30:00-05'::timestamptz, '1 month'::interval),
             ('2026-03-31 18:30:00-05', '1 month'),
             ('2026-11-15 12:00:00+00', '3 months'),
             ('2026-11-15 12:00:00+00', '1 year'),
             ('1999-12-31 23:59:59+00', '1 year'),
             ('2026-11-27 10:00:00+00', '1 day'),
             ('2026-11-27 10:00:00+00', '7 days')) v(t, i);
SET TimeZone = 'UTC';

SELECT count(*) AS partitions_before_any_event FROM eventlog_partitions;

-- The first write creates the current partition and three ahead (aligned
-- in UTC, whatever the writer's time zone); the event lands in the current
-- one.
SET TimeZone = 'America/New_York';
SELECT eventlog_log('first', tool => 'partition_test') AS first_id \gset
SET TimeZone = 'UTC';
SELECT count(*) AS partitions,
       min(from_time) = eventlog_partition_start(now(), '1 month') AS first_is_current,
       max(to_time) = eventlog_partition_start(now(), '1 month') + interval '4 months' AS last_ends_three_ahead,
       bool_and(partition::text = 'eventlog_p' || to_char(from_time, 'YYYYMMDD')) AS named_by_start
FROM eventlog_partitions;
SELECT (SELECT from_time FROM eventlog_partitions WHERE partition = e.tableoid) = eventlog_partition_start(now(), '1 month')
       AS in_current_partition
FROM eventlog e WHERE id = :first_id;
-- Each partition carries the log's indexes and append-only triggers.
SELECT count(DISTINCT i.indrelid) AS partitions_with_indexes, count(*) / count(DISTINCT i.indrelid) AS indexes_each,
       count(*) FILTER (WHERE i.indisprimary AND pg_get_indexdef(i.indexrelid) LIKE '%(id, "timestamp")') AS primary_keys
FROM pg_index i WHERE i.indrelid IN (SELECT partition FROM eventlog_partitions);
SELECT tgname, count(*) AS partitions
FROM pg_trigger WHERE tgrelid IN (SELECT partition FROM eventlog_partitions) GROUP BY tgname ORDER BY tgname;

-- Tracking writes into the partitioned log like into a plain one.
CREATE TABLE part_item (id int PRIMARY KEY, name text, status text);
SELECT eventlog_track('part_item', 'items');
INSERT INTO part_item SELECT g, 'item ' || g, 'new' FROM generate_series(1, 200) g;
UPDATE part_item SET status = 'done' WHERE id <= 50;
DELETE FROM part_item WHERE id = 7;
SELECT action, count(*) FROM eventlog WHERE object_type = 'public.part_item' GROUP BY action ORDER BY action;
SELECT action, changes FROM eventlog_for_object('public.part_item', '7');
SELECT (eventlog_page(tool => 'items', page_size => 2))->'count' AS page_count;

-- Contract queries stay index scans, one per partition, read newest first;
-- a time condition prunes partitions at plan time.
CREATE FUNCTION plan_of(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        -- (PostgreSQL 17 and later print no Group Key when every key is a
        -- constant: the line is left out on every version)
        CONTINUE WHEN line ~ '^\s*Group Key: ';
        RETURN NEXT regexp_replace(regexp_replace(line, 'eventlog_p\d{8}', 'eventlog_pYYYYMMDD', 'g'),
                                   '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00', 'START', 'g');
    END LOOP;
END $$;
SELECT plan_of($q$SELECT * FROM eventlog_for_object('public.part_item', '7') LIMIT 20$q$);
SELECT plan_of(format($q$SELECT * FROM eventlog_for_tool('items') WHERE "timestamp" >= %L LIMIT 20$q$,
                      eventlog_partition_start(now(), '1 month') + interval '1 month'));
SELECT plan_of(format($q$SELECT * FROM eventlog_by_object WHERE object_type = 'public.part_item' AND object_id = '7'$q$));

-- A missing partition is made on the spot: nothing is lost, whoever writes.
CREATE ROLE part_writer;
GRANT INSERT, UPDATE ON part_item TO part_writer;
-- (the owner drops every partition, events and all)
DO $$
DECLARE p regclass;
BEGIN
    FOR p IN SELECT partition FROM eventlog_partitions LOOP
        EXECUTE format('DROP TABLE %s', p);
    END LOOP;
END $$;
SELECT count(*) AS partitions_left FROM eventlog_partitions;
SET ROLE part_writer;
INSERT INTO part_item VALUES (1000, 'late', 'new');
SELECT eventlog_log('after the drop') > :first_id AS logged;
RESET ROLE;
SELECT count(*) AS partitions_again, bool_and(c.relowner = (SELECT relowner FROM pg_class WHERE oid = 'eventlog'::regclass)) AS owned_by_log_owner
FROM eventlog_partitions p JOIN pg_class c ON c.oid = p.partition;
SELECT action, object_id, db_user FROM eventlog ORDER BY id DESC LIMIT 2;

-- Append-only holds on the partitions too, for the owner.
SELECT partition AS current_partition FROM eventlog_partitions
WHERE from_time = eventlog_partition_start(now(), '1 month') \gset
\set VERBOSITY terse
UPDATE :current_partition SET message = 'x';
DELETE FROM :current_partition;
TRUNCATE :current_partition;
TRUNCATE eventlog;
\set VERBOSITY default
-- Ordinary roles read through eventlog, not the partitions.
SET ROLE part_writer;
SELECT count(*) > 0 AS reads_log FROM eventlog;
\set VERBOSITY sqlstate
SELECT count(*) FROM :current_partition;
\set VERBOSITY default
RESET ROLE;

-- Partitions for older events (a backfill) on request: only the missing ones.
SELECT eventlog_partition_maintain(since => now() - interval '2 months') = eventlog_partition_start(now(), '1 month') + interval '1 month' AS next_due;
SELECT count(*) AS partitions, min(from_time) = eventlog_partition_start(now(), '1 month') - interval '2 months' AS from_two_months_back
FROM eventlog_partitions;
SET ROLE part_writer;
\set VERBOSITY terse
SELECT eventlog_partition_maintain();
\set VERBOSITY default
RESET ROLE;

-- Purge: partitions entirely before the cutoff are dropped whole; events
-- before the cutoff in the partition that straddles it are deleted.
CREATE TABLE eventlog_p20200101 PARTITION OF eventlog FOR VALUES FROM ('2020-01-01 00:00+00') TO ('2020-02-01 00:00+00');
CREATE TABLE eventlog_p20200201 PARTITION OF eventlog FOR VALUES FROM ('2020-02-01 00:00+00') TO ('2020-03-01 00:00+00');
INSERT INTO eventlog ("timestamp", message, tool)
SELECT t, 'old', 'purge_test'
FROM (VALUES ('2020-01-05 00:00+00'::timestamptz), ('2020-01-06 00:00+00'), ('2020-02-05 00:00+00'), ('2020-02-20 00:00+00')) v(t);
-- (Inserted by hand: counted once the counts are rebuilt.)
SELECT eventlog_counts_rebuild() = (SELECT count(*) FROM eventlog) AS recounted;
SELECT eventlog_purge(now() - '2020-02-10 00:00+00'::timestamptz) AS purged;
SELECT partition, from_time FROM eventlog_partitions WHERE from_time < '2021-01-01' ORDER BY from_time;
SELECT "timestamp" FROM eventlog WHERE tool = 'purge_test' ORDER BY 1;
SELECT values_json->'count' AS count FROM eventlog WHERE action = 'purge';
-- max_events smaller than a partition: the partition stays, its oldest go.
CREATE TABLE eventlog_p20190101 PARTITION OF eventlog FOR VALUES FROM ('2019-01-01 00:00+00') TO ('2019-02-01 00:00+00');
INSERT INTO eventlog ("timestamp", message, tool)
SELECT '2019-01-01 00:00+00'::timestamptz + g * interval '1 hour', 'older', 'purge_test' FROM generate_series(1, 5) g;
SELECT eventlog_counts_rebuild() = (SELECT count(*) FROM eventlog) AS recounted;
SELECT eventlog_purge('1 year', 2) AS purged;
SELECT count(*) AS left_in_2019, min("timestamp") AS oldest FROM eventlog_p20190101;
SELECT eventlog_purge('1 year') AS purged;
SELECT partition FROM eventlog_partitions WHERE from_time < '2021-01-01' ORDER BY from_time;
-- The counts lost what the dropped partitions and the deletes removed.
SELECT (eventlog_page(tool => 'purge_test', page_size => 1))->'count' AS purge_test_count,
       (SELECT count(*) FROM eventlog WHERE tool = 'purge_test') AS purge_test_events,
       ((eventlog_page(page_size => 1))->>'count')::bigint = (SELECT count(*) FROM eventlog) AS all_counted;

-- Back to the default layout for whatever runs next.
DROP FUNCTION plan_of(text);
DROP TABLE part_item;
DROP ROLE part_writer;
DROP EXTENSION eventlog;
CREATE EXTENSION eventlog;
SELECT relkind FROM pg_class WHERE oid = 'eventlog'::regclass;
