-- Who may read which events. A role sees an event about a table only while
-- it may SELECT that table (table-level, directly or through membership);
-- events about a dropped table only the roles that bypass row security see;
-- events about no table every role sees. Every reading path obeys it.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS eventlog;
RESET client_min_messages;
-- Only this file's events count (others may be in the log already).
CREATE TEMP TABLE vis_base AS SELECT coalesce(max(id), 0) AS start FROM eventlog;
GRANT SELECT ON vis_base TO PUBLIC;
CREATE TEMP VIEW vis_events WITH (security_invoker = true) AS SELECT * FROM eventlog WHERE id > (SELECT start FROM vis_base);
GRANT SELECT ON vis_events TO PUBLIC;

CREATE ROLE vis_hr;
CREATE ROLE vis_intern;
CREATE ROLE vis_staff;              -- a group: its members read through it
CREATE ROLE vis_member IN ROLE vis_staff;
CREATE ROLE vis_columns;            -- column privileges only
CREATE ROLE vis_bypass BYPASSRLS;
GRANT CREATE ON SCHEMA public TO vis_hr;

-- hr owns and tracks salaries, and logs about it in every way there is.
SET ROLE vis_hr;
CREATE TABLE salaries (id int PRIMARY KEY, name text, amount int);
SELECT eventlog_track('salaries', 'payroll');
INSERT INTO salaries VALUES (1, 'Ann', 5000), (2, 'Bob', 6000);
UPDATE salaries SET amount = 7000 WHERE id = 2;
SELECT eventlog_log_row(s, 'Salary of {item__name} reviewed', jsonb_build_object('item__name', to_jsonb(s)),
                        tool => 'payroll', action => 'review') > 0 AS logged
FROM salaries s WHERE id = 1;
SELECT eventlog_log('Bonus for {who}', '{"who": "Ann"}', 'public.salaries', '1', tool => 'payroll', action => 'bonus') > 0 AS logged;
SELECT eventlog_log('Bonus for {who}', '{"who": "Bob"}', 'salaries', '2', tool => 'payroll', action => 'bonus') > 0 AS logged_bare_name;
-- Events about no table: a name that is not a table, or none at all.
SELECT eventlog_log('Office party', object_type => 'app.party', object_id => '1', tool => 'payroll') > 0 AS logged;
SELECT eventlog_log('Payroll run started', tool => 'payroll') > 0 AS logged;
SELECT eventlog_log('Not a name at all', object_type => 'a "b', tool => 'payroll') > 0 AS logged;
RESET ROLE;

-- Which table each event is about, decided when it was written.
SELECT action, object_type, object_table FROM eventlog WHERE id > (SELECT start FROM vis_base) ORDER BY id;
SELECT eventlog_object_table('public.salaries') AS qualified, eventlog_object_table('"public"."salaries"') AS quoted,
       eventlog_object_table('PUBLIC.SALARIES') AS folded, eventlog_object_table('salaries_pkey') AS index_is_not_a_table,
       eventlog_object_table('no_schema.salaries') AS missing_schema, eventlog_object_table('a.b.c') AS three_parts,
       eventlog_object_table('') AS empty;

-- Every reading path, as one role: how many events it shows, and whether
-- any salary leaks into what it returns.
CREATE FUNCTION pg_temp.reading_paths()
RETURNS TABLE (path text, events bigint, leaks boolean)
LANGUAGE sql AS $$
    SELECT 'eventlog', count(*), bool_or(e::text LIKE '%7000%' OR e::text LIKE '%Ann%')
    FROM eventlog e WHERE id > (SELECT start FROM vis_base)
    UNION ALL
    SELECT 'eventlog_for_object', count(*), bool_or(e::text LIKE '%Ann%') FROM eventlog_for_object('public.salaries', '1') e
    UNION ALL
    SELECT 'eventlog_for_key', count(*), bool_or(e::text LIKE '%7000%') FROM eventlog_for_key('salaries', 2) e
    UNION ALL
    SELECT 'eventlog_for_tool', count(*), bool_or(e::text LIKE '%7000%' OR e::text LIKE '%Ann%') FROM eventlog_for_tool('payroll') e
    UNION ALL
    SELECT 'eventlog_for_actor', count(*), bool_or(e::text LIKE '%7000%' OR e::text LIKE '%Ann%') FROM eventlog_for_actor('vis_hr') e
    UNION ALL
    SELECT 'eventlog_for_transaction', count(*), bool_or(e::text LIKE '%7000%')
    FROM eventlog_for_transaction((SELECT transaction_id FROM vis_events WHERE action = 'update' UNION ALL SELECT '0'::xid8 LIMIT 1)) e
    UNION ALL
    SELECT 'eventlog_page(tool)', (p->>'count')::bigint, p::text LIKE '%7000%' OR p::text LIKE '%Ann%'
    FROM eventlog_page(tool => 'payroll') p
    UNION ALL
    SELECT 'eventlog_page(object)', (p->>'count')::bigint, p::text LIKE '%Ann%'
    FROM eventlog_page(object_type => 'public.salaries', object_id => '1') p
    UNION ALL
    SELECT 'eventlog_page(actor)', (p->>'count')::bigint, p::text LIKE '%7000%' OR p::text LIKE '%Ann%'
    FROM eventlog_page(actor => 'vis_hr') p
    UNION ALL
    SELECT 'eventlog_by_tool', COALESCE(sum(events), 0)::bigint, false FROM eventlog_by_tool WHERE tool = 'payroll'
    UNION ALL
    SELECT 'eventlog_by_object', COALESCE(sum(events), 0)::bigint, false FROM eventlog_by_object WHERE object_type = 'public.salaries'
$$;
GRANT EXECUTE ON FUNCTION pg_temp.reading_paths() TO PUBLIC;

-- The owner of the log (here a superuser) sees all 9 events.
SELECT * FROM pg_temp.reading_paths();

-- No privilege on salaries: only the 3 events about no table.
SET ROLE vis_intern;
SELECT * FROM salaries;
SELECT * FROM pg_temp.reading_paths();
SELECT count(*) AS salary_events FROM eventlog WHERE object_type = 'public.salaries';
RESET ROLE;

-- Column privileges alone are not enough.
GRANT SELECT (id, name) ON salaries TO vis_columns;
SET ROLE vis_columns;
SELECT count(*) AS events FROM vis_events;
RESET ROLE;

-- SELECT on the table shows its events; a REVOKE hides them again at once.
GRANT SELECT ON salaries TO vis_intern;
SET ROLE vis_intern;
SELECT * FROM pg_temp.reading_paths();
RESET ROLE;
REVOKE SELECT ON salaries FROM vis_intern;
SET ROLE vis_intern;
SELECT count(*) AS events_after_revoke FROM vis_events;
RESET ROLE;

-- Through membership: SELECT granted to a group its member inherits.
GRANT SELECT ON salaries TO vis_staff;
SET ROLE vis_member;
SELECT count(*) AS events_through_group FROM vis_events;
RESET ROLE;

-- The table's owner reads its events; a BYPASSRLS role reads everything.
SET ROLE vis_hr;
SELECT count(*) AS events_for_table_owner FROM vis_events;
RESET ROLE;
SET ROLE vis_bypass;
SELECT count(*) AS events_for_bypassrls FROM vis_events;
RESET ROLE;

-- Renaming the table (or its schema) changes nothing: the events follow
-- the table, not its name; a new table taking the old name shows nothing
-- of the old events to its readers.
ALTER TABLE salaries RENAME TO pay;
CREATE TABLE salaries (id int PRIMARY KEY);
GRANT SELECT ON salaries TO vis_intern;
SET ROLE vis_intern;
SELECT count(*) AS events_via_new_table_of_that_name FROM vis_events;
RESET ROLE;
SET ROLE vis_member;
SELECT count(*) AS events_after_rename FROM vis_events;
RESET ROLE;

-- The table dropped: its events are the owner's (and superusers' and
-- BYPASSRLS roles') alone, even for those who could read it.
DROP TABLE pay;
SET ROLE vis_member;
SELECT count(*) AS events_of_dropped_table FROM vis_events;
RESET ROLE;
SET ROLE vis_hr;
SELECT count(*) AS events_of_dropped_table_for_its_owner FROM vis_events;
RESET ROLE;
SET ROLE vis_bypass;
SELECT count(*) AS events_for_bypassrls FROM vis_events;
RESET ROLE;
SELECT count(*) AS events_for_log_owner FROM vis_events;

-- Writing stays privilege-free: a role with INSERT only on a tracked table
-- records events it cannot read back.
SET ROLE vis_hr;
CREATE TABLE bonuses (id int PRIMARY KEY, amount int);
SELECT eventlog_track('bonuses');
GRANT INSERT ON bonuses TO vis_intern;
RESET ROLE;
SET ROLE vis_intern;
INSERT INTO bonuses VALUES (1, 100);
SELECT count(*) AS own_events_visible FROM eventlog_for_transaction();
RESET ROLE;
SELECT action, db_user, object_table FROM vis_events WHERE object_type = 'public.bonuses';

-- Rows of a readable object's history still come from the index, the rule
-- checked on the index entries (object_table is in the object index; a
-- tool's count is read from eventlog_counts, its index stays narrow and
-- the rule is checked on the rows).
SET ROLE vis_hr;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM eventlog_for_object('public.bonuses', '1');
EXPLAIN (COSTS OFF) SELECT count(*) FROM eventlog WHERE tool = 'bonuses';
RESET enable_seqscan;
RESET enable_bitmapscan;
RESET ROLE;

-- Granting an auditor every event, two ways. A permissive policy of the
-- owner's for that role alone...
CREATE ROLE vis_auditor;
CREATE POLICY eventlog_auditor ON eventlog FOR SELECT TO vis_auditor USING (true);
SET ROLE vis_auditor;
SELECT count(*) AS events_for_auditor_policy FROM vis_events;
RESET ROLE;
DROP POLICY eventlog_auditor ON eventlog;
-- ... or the log owned by a role of its own, and the auditor its member.
SELECT current_user AS admin \gset
CREATE ROLE vis_log_owner;
GRANT vis_log_owner TO vis_auditor;
ALTER TABLE eventlog OWNER TO vis_log_owner;
SET ROLE vis_auditor;
SELECT count(*) AS events_for_member_of_owner FROM vis_events;
RESET ROLE;
SELECT eventlog_log('written as the new owner', object_type => 'public.bonuses') > 0 AS still_writable;
ALTER TABLE eventlog OWNER TO :"admin";
SET ROLE vis_auditor;
SELECT count(*) AS events_after_owner_change_back FROM vis_events;
RESET ROLE;

-- The views read with their caller's rights.
SELECT relname, reloptions FROM pg_class
WHERE relname IN ('eventlog_by_tool', 'eventlog_by_object') ORDER BY relname;

SET client_min_messages = warning;
DROP TABLE bonuses, salaries;
REVOKE CREATE ON SCHEMA public FROM vis_hr;
DROP ROLE vis_hr, vis_intern, vis_member, vis_staff, vis_columns, vis_bypass, vis_auditor, vis_log_owner;
RESET client_min_messages;
