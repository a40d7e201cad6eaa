-- CREATE EXTENSION: the table, its columns, indexes, dump configuration,
-- privileges, append-only rule and comments.
CREATE EXTENSION eventlog;

-- The contract's columns, with their types and NOT NULLs.
SELECT attname, format_type(atttypid, atttypmod) AS type, attnotnull
FROM pg_attribute
WHERE attrelid = 'eventlog'::regclass AND attnum > 0 AND NOT attisdropped
ORDER BY attnum;

-- Indexes serving the per-object and per-tool queries, and the primary key.
SELECT indexrelid::regclass AS index, pg_get_indexdef(indexrelid) AS definition
FROM pg_index WHERE indrelid = 'eventlog'::regclass ORDER BY 1;

-- pg_dump dumps the events and the id sequence.
SELECT dumped FROM (SELECT unnest(extconfig)::regclass AS dumped FROM pg_extension WHERE extname = 'eventlog') d
ORDER BY dumped::oid;

-- Every member of the extension has a comment (tables, columns, functions...).
SELECT pg_describe_object(classid, objid, 0) AS member_without_comment
FROM pg_depend
WHERE refclassid = 'pg_extension'::regclass
  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'eventlog')
  AND deptype = 'e'
  AND classid <> 'pg_type'::regclass  -- row types: members since PostgreSQL 17, described by their tables
  AND obj_description(objid, (SELECT relname FROM pg_class WHERE oid = classid)) IS NULL;
SELECT attname AS column_without_comment FROM pg_attribute
WHERE attrelid = 'eventlog'::regclass AND attnum > 0 AND NOT attisdropped
  AND col_description(attrelid, attnum) IS NULL;

-- Function properties: volatility, parallel safety, strictness, security.
SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS arguments,
       p.provolatile, p.proparallel, p.proisstrict, p.prosecdef
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'eventlog') AND d.deptype = 'e'
ORDER BY 1, 2;

-- Ordinary roles may read the log but not change it; no grant on the sequence.
CREATE ROLE eventlog_reader LOGIN;
SELECT has_table_privilege('eventlog_reader', 'eventlog', 'SELECT') AS can_select,
       has_table_privilege('eventlog_reader', 'eventlog', 'INSERT') AS can_insert,
       has_table_privilege('eventlog_reader', 'eventlog', 'UPDATE') AS can_update,
       has_table_privilege('eventlog_reader', 'eventlog', 'DELETE') AS can_delete,
       has_table_privilege('eventlog_reader', 'eventlog', 'TRUNCATE') AS can_truncate,
       has_sequence_privilege('eventlog_reader', 'eventlog_id_seq', 'USAGE') AS can_use_sequence;

SET ROLE eventlog_reader;
INSERT INTO eventlog (message, db_user) VALUES ('forged', 'someone');
\echo :LAST_ERROR_SQLSTATE
UPDATE eventlog SET message = 'rewritten';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM eventlog;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE eventlog;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- Even the owner cannot rewrite history: the log is append-only.
SELECT eventlog_log('first event') > 0 AS logged;
UPDATE eventlog SET message = 'rewritten';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM eventlog;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE eventlog;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS events, min(message) AS message FROM eventlog;

DROP ROLE eventlog_reader;

-- Install-script hygiene. No member runs with its owner's rights
-- (SECURITY DEFINER); every PL/pgSQL member pins search_path to
-- pg_catalog with pg_temp last; SQL-language members (kept inlinable, so
-- without SET) qualify every function and operator: after removing
-- OPERATOR(pg_catalog.x), string literals, comments and "e.*", their bodies
-- hold no bare operator and no unqualified lower-case call.
CREATE TEMP VIEW members AS
    SELECT p.*, l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
    JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
    WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'eventlog');
SELECT proname AS security_definer FROM members WHERE prosecdef;
SELECT proname AS plpgsql_without_pinned_search_path FROM members
WHERE lanname = 'plpgsql' AND proconfig IS DISTINCT FROM '{"search_path=pg_catalog, pg_temp"}';
SELECT proname, m[1] AS unqualified
FROM (SELECT proname,
             regexp_replace(regexp_replace(regexp_replace(regexp_replace(prosrc,
                 'OPERATOR\(pg_catalog\.[^)]+\)', ' ', 'g'), '''([^'']|'''')*''', ' ', 'g'),
                 '--[^\n]*', ' ', 'g'), '\.\*', ' ', 'g') AS body
      FROM members WHERE lanname = 'sql') b,
     regexp_matches(body, '((?:[^.a-z_]|^)[a-z_]+\s*\(|[=<>~!|+*/-]+)', 'g') AS m;
SELECT count(*) > 0 AS sql_members_checked FROM members WHERE lanname = 'sql';
-- Which members may PUBLIC not execute: the owner's tools.
SELECT proname AS not_for_public FROM members
WHERE NOT has_function_privilege('public', oid, 'EXECUTE') ORDER BY 1;
DROP VIEW members;
