-- CREATE EXTENSION eventlog SCHEMA other: everything lives in that schema and
-- nothing depends on the caller's search_path.
-- The extension, when this file runs on its own (make installcheck REGRESS=...).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS eventlog;
RESET client_min_messages;
DROP EXTENSION eventlog;
CREATE SCHEMA audit;
CREATE EXTENSION eventlog SCHEMA audit;
SELECT pg_describe_object(classid, objid, 0) AS member
FROM pg_depend
WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'eventlog')
  AND classid <> 'pg_type'::regclass  -- row types: members since PostgreSQL 17
ORDER BY 1;

-- A caller whose search_path lacks the schema, with a look-alike table and
-- function first on its path: events still go to audit.eventlog.
CREATE SCHEMA decoy;
CREATE TABLE decoy.eventlog (LIKE audit.eventlog);
CREATE FUNCTION decoy.nextval(regclass) RETURNS bigint LANGUAGE sql AS 'SELECT -1::bigint';
CREATE FUNCTION decoy.now() RETURNS timestamptz LANGUAGE sql AS $$SELECT '2000-01-01'::timestamptz$$;
SET search_path = decoy, public;
SELECT audit.eventlog_log('in schema audit', tool => 'schema') > 0 AS logged;
SELECT audit.jsonb_diff_schema('{"a":1}', '{"a":2}');
SELECT audit.eventlog_render('{a}', '{"a": "rendered"}');
CREATE TABLE public.keyed (id int PRIMARY KEY);
INSERT INTO public.keyed VALUES (7);
SELECT audit.eventlog_log_row(k, 'row in schema audit', tool => 'schema') > 0 AS logged FROM public.keyed k;
RESET search_path;
SELECT id > 0 AS id_ok, "timestamp" > '2001-01-01' AS real_time, message, object_type, object_id
FROM audit.eventlog ORDER BY id;
SELECT count(*) AS decoy_rows FROM decoy.eventlog;

-- A NOT NULL the owner adds to the log is enforced on every write.
ALTER TABLE audit.eventlog ALTER COLUMN tool SET NOT NULL;
\set VERBOSITY terse
SELECT audit.eventlog_log('no tool');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
SELECT audit.eventlog_log('with tool', tool => 'schema') > 0 AS logged;
ALTER TABLE audit.eventlog ALTER COLUMN tool DROP NOT NULL;

DROP TABLE public.keyed;
DROP SCHEMA decoy CASCADE;
DROP EXTENSION eventlog;
DROP SCHEMA audit;
CREATE EXTENSION eventlog;
