-------------------------------------------------------------------------------
-- Retention
-------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.eventlog_purge(older_than interval, max_events bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE c VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'eventlog_purge';

-- Only the extension's owner, and the roles it grants EXECUTE to, may purge.
REVOKE ALL ON FUNCTION @extschema@.eventlog_purge(interval, bigint) FROM PUBLIC;

COMMENT ON FUNCTION @extschema@.eventlog_purge(interval, bigint) IS
'Removes the events recorded before now() - older_than, oldest first (at most max_events; NULL: all), records a purge event, and returns how many it removed; EXECUTE only for the owner and roles it grants it to';

