-------------------------------------------------------------------------------
-- Counts
-------------------------------------------------------------------------------

-- eventlog_page's count over one filter (tool, actor, actor_id, action,
-- object_type, or none) is a sum over a few rows instead of a count of every
-- matching event. Every write of events adds one row to eventlog_count_deltas
-- in the same transaction (the events of one write share tool, actor,
-- actor_id, action, object_type and object_table); eventlog_purge adds
-- negative ones for what it removes. Writers fold the committed deltas into
-- eventlog_counts now and then (one at a time, never waiting for each
-- other), which keeps the deltas few. (actor_id, added in 1.4, comes last
-- in eventlog_count_deltas, where the update added it.) Both tables carry
-- object_table and the log's row security rule, so that a role counts
-- exactly the events it may read.
CREATE TABLE @extschema@.eventlog_count_deltas (
    tool         text COLLATE pg_catalog."C",
    actor        text COLLATE pg_catalog."C",
    action       text COLLATE pg_catalog."C",
    object_type  text COLLATE pg_catalog."C",
    object_table pg_catalog.regclass,
    events       bigint NOT NULL,
    actor_id     text COLLATE pg_catalog."C"
);

CREATE TABLE @extschema@.eventlog_counts (
    filter       text COLLATE pg_catalog."C" NOT NULL
                 CHECK (filter OPERATOR(pg_catalog.=) ANY ('{tool,actor,action,object_type,actor_id}'::text[])),
    value        text COLLATE pg_catalog."C",
    object_table pg_catalog.regclass,
    events       bigint NOT NULL,
    CONSTRAINT eventlog_counts_key UNIQUE NULLS NOT DISTINCT (filter, value, object_table)
);

COMMENT ON TABLE @extschema@.eventlog_count_deltas IS
'Counts of events not yet folded into eventlog_counts: one row per write of events (negative for events eventlog_purge removed)';
COMMENT ON TABLE @extschema@.eventlog_counts IS
'How many events each tool, actor, actor_id, action and object_type has, per table the events are about (add the matching rows of eventlog_count_deltas for the exact count)';
COMMENT ON COLUMN @extschema@.eventlog_counts.filter IS 'The column counted: tool, actor, actor_id, action or object_type';
COMMENT ON COLUMN @extschema@.eventlog_counts.value IS 'Its value (NULL counts the events where it is NULL)';

-- Dumped with the events (a restore does not recount); read under the
-- log's rule; written only by the extension.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.eventlog_count_deltas', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.eventlog_counts', '');
REVOKE ALL ON TABLE @extschema@.eventlog_count_deltas, @extschema@.eventlog_counts FROM PUBLIC;
GRANT SELECT ON TABLE @extschema@.eventlog_count_deltas, @extschema@.eventlog_counts TO PUBLIC;
ALTER TABLE @extschema@.eventlog_count_deltas ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.eventlog_counts ENABLE ROW LEVEL SECURITY;
CREATE POLICY eventlog_readable ON @extschema@.eventlog_count_deltas FOR SELECT TO PUBLIC
    USING (@extschema@.eventlog_readable(object_table));
CREATE POLICY eventlog_readable ON @extschema@.eventlog_counts FOR SELECT TO PUBLIC
    USING (@extschema@.eventlog_readable(object_table));
COMMENT ON POLICY eventlog_readable ON @extschema@.eventlog_count_deltas IS
'The rule of eventlog: a role counts an event about a table only while it may SELECT that table';
COMMENT ON POLICY eventlog_readable ON @extschema@.eventlog_counts IS
'The rule of eventlog: a role counts an event about a table only while it may SELECT that table';

CREATE FUNCTION @extschema@.eventlog_counts_fold()
RETURNS bigint
LANGUAGE c VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'eventlog_counts_fold';

REVOKE ALL ON FUNCTION @extschema@.eventlog_counts_fold() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.eventlog_counts_fold() IS
'Folds the committed rows of eventlog_count_deltas into eventlog_counts and returns how many it folded (writers do it on their own now and then); waits for a fold running in another transaction; EXECUTE only for the owner and roles it grants it to';

CREATE FUNCTION @extschema@.eventlog_counts_rebuild()
RETURNS bigint
LANGUAGE c VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'eventlog_counts_rebuild';

REVOKE ALL ON FUNCTION @extschema@.eventlog_counts_rebuild() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.eventlog_counts_rebuild() IS
'Recounts every event into eventlog_counts (holding writers off until the transaction ends) and returns how many it counted: for a log changed by hand (events inserted, partitions dropped); EXECUTE only for the owner and roles it grants it to';

-- The counts stand for the log only while whoever reads them would see the
-- same events in the log: row security applies to all three tables alike,
-- with the same policies (names, commands, roles, kinds, expressions; the
-- answer is cached until a policy, a table or a role changes). An owner who adds a policy to eventlog (say, one
-- letting an auditor read everything) and not to the counts tables gets
-- counts made by counting, which stay exact.
CREATE FUNCTION @extschema@.eventlog_counts_stand_for_log()
RETURNS boolean
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'eventlog_counts_stand_for_log';

COMMENT ON FUNCTION @extschema@.eventlog_counts_stand_for_log() IS
'True when the current role''s counts from eventlog_counts and eventlog_count_deltas equal its counts of eventlog (row security applies to the three alike, with the same policies); eventlog_page counts events otherwise';

