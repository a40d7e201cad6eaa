-- Changes the layout of an existing eventlog (plain <-> time-partitioned, or
-- another partition interval), keeping every event, its id, the id
-- sequence and the tracking of every tracked table. Run it as the
-- extension's owner (a superuser):
--
--   psql -d DB -v partition_interval='1 month' -f scripts/change-layout.sql   -- partitioned by month
--   psql -d DB -v partition_interval= -f scripts/change-layout.sql           -- back to a plain table
--
-- It runs in one transaction: the extension is dropped and created again
-- with eventlog.partition_interval set, so the new log is exactly what a
-- fresh CREATE EXTENSION gives. Writers of the log and of tracked tables
-- wait on its locks meanwhile (untested under concurrent load); readers of the log
-- wait too. It refuses to run (and changes nothing) when objects of yours
-- depend on the extension (views over eventlog, functions returning its
-- rows...): drop them first and re-create them afterwards. Grants you made on the
-- extension's objects (beyond what CREATE EXTENSION sets) must be made again.
\set ON_ERROR_STOP on
\if :{?partition_interval}
\else
\echo 'usage: psql -v partition_interval=''1 month'' -f scripts/change-layout.sql (empty for a plain table)'
\quit
\endif

BEGIN;
SELECT n.nspname AS eventlog_schema
FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace
WHERE x.extname = 'eventlog' \gset
LOCK TABLE :"eventlog_schema".eventlog IN ACCESS EXCLUSIVE MODE;

CREATE TEMPORARY TABLE eventlog_saved_events ON COMMIT DROP AS
    SELECT * FROM :"eventlog_schema".eventlog;
CREATE TEMPORARY TABLE eventlog_saved_tracking ON COMMIT DROP AS
    SELECT table_name::pg_catalog.oid AS table_oid, tool, exclude_columns, messages FROM :"eventlog_schema".eventlog_tracked;
SELECT last_value AS saved_last_value, is_called AS saved_is_called FROM :"eventlog_schema".eventlog_id_seq \gset
SELECT pg_catalog.min("timestamp") AS saved_oldest FROM eventlog_saved_events \gset

-- The capture triggers and the partitions go first (both saved above);
-- then DROP EXTENSION without CASCADE, so that PostgreSQL refuses, and
-- lists them, when objects of yours depend on the extension.
SELECT pg_catalog.count(:"eventlog_schema".eventlog_untrack(table_oid::pg_catalog.regclass)) AS tables_untracked
FROM eventlog_saved_tracking;
SELECT pg_catalog.format('DROP TABLE %s', partition) FROM :"eventlog_schema".eventlog_partitions \gexec
DROP EXTENSION eventlog;
SET LOCAL eventlog.partition_interval = :'partition_interval';
CREATE EXTENSION eventlog SCHEMA :"eventlog_schema";

-- Partitions for the whole history (nothing when the log is plain), then
-- the events as they were.
SELECT :"eventlog_schema".eventlog_partition_maintain(since => NULLIF(:'saved_oldest', '')::pg_catalog.timestamptz) IS NOT NULL AS partitions_ready;
INSERT INTO :"eventlog_schema".eventlog SELECT * FROM eventlog_saved_events;
SELECT pg_catalog.setval(pg_catalog.format('%I.eventlog_id_seq', :'eventlog_schema'), :'saved_last_value', :'saved_is_called') IS NOT NULL AS sequence_restored;
SELECT pg_catalog.count(:"eventlog_schema".eventlog_track(table_oid::pg_catalog.regclass, tool, exclude_columns, messages)) AS tables_tracked_again
FROM eventlog_saved_tracking;
SELECT pg_catalog.count(*) AS events, (SELECT pg_catalog.count(*) FROM :"eventlog_schema".eventlog_partitions) AS partitions
FROM :"eventlog_schema".eventlog;
COMMIT;
