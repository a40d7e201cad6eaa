-- eventlog's install script, assembled by the build from the files of
-- extension/install/ in the order of their names (make writes it to
-- extension/eventlog--<default_version>.sql):
--   10-log.sql         the log: plain or time-partitioned, append-only,
--                      readable event by event as the events' tables are
--   20-counts.sql      the counts behind eventlog_page's count
--   30-partitions.sql  time partitions
--   40-logging.sql     jsonb_diff_schema, eventlog_render, eventlog_log(_row)
--   50-tracking.sql    tracking tables
--   60-queries.sql     the query functions, views and eventlog_page
--   70-retention.sql   eventlog_purge
--   80-seal.sql        tamper evidence: seal and verify (encodings 1 and 2, secrets,
--                      erasure records)
--   85-erasure.sql     erasure: eventlog_erase, eventlog_erase_actor, eventlog_erase_older
--   90-history.sql     a row's state at a time, its versions, revert
--   95-citus.sql       Citus: the log on every node
--
-- Every name is schema-qualified (@extschema@ or pg_catalog): nothing here
-- depends on the search_path of whoever runs CREATE EXTENSION.

\echo Use "CREATE EXTENSION eventlog" to load this file. \quit

