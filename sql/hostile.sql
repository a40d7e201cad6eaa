-- Hostile SQL from an ordinary role: every function gets NULLs, odd values,
-- huge and deep input; the role tries to change the log, its sequence, its
-- triggers and functions, to track tables it does not own and to redirect
-- events with search_path tricks. Expected: the documented errors, the
-- server never restarts, and the history is unchanged except for the events
-- the role was entitled to add (db_user = the role).
-- The extension, when this file runs on its own (make installcheck REGRESS=...).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS eventlog;
RESET client_min_messages;
\set SHOW_CONTEXT never
\set VERBOSITY terse
SET client_min_messages = warning;
-- pg_postmaster_start_time() stays the same across a crash restart (a
-- backend killed by a signal); the checkpointer is restarted by one.
SELECT pg_postmaster_start_time() AS server_start, current_user AS admin,
       (SELECT backend_start FROM pg_stat_activity WHERE backend_type = 'checkpointer') AS checkpointer_start \gset

-- A history to protect: a superuser's tracked table and logged events.
CREATE TABLE hostile_owned (id int PRIMARY KEY, secret text);
SELECT eventlog_track('hostile_owned', tool => 'hostile_owned');
INSERT INTO hostile_owned VALUES (1, 'one'), (2, 'two');
UPDATE hostile_owned SET secret = 'uno' WHERE id = 1;
SELECT eventlog_log('history', tool => 'hostile_history') > 0 AS logged;
-- A table the role may not read, and its events (tool 'classified'), made
-- every way there is: tracked, eventlog_log_row, eventlog_log naming it.
CREATE TABLE hostile_secret (id int PRIMARY KEY, secret text);
SELECT eventlog_track('hostile_secret', tool => 'classified');
INSERT INTO hostile_secret VALUES (271828, 'TOPSECRET');
SELECT eventlog_log_row(s, 'row {x}', jsonb_build_object('x', s.secret), tool => 'classified') > 0 AS logged
FROM hostile_secret s;
SELECT eventlog_log('log {x}', '{"x": "TOPSECRET"}', 'public.hostile_secret', '271828', tool => 'classified',
                    changes => '{"old_value": {}, "new_value": {"secret": "TOPSECRET"}}') > 0 AS logged;
SELECT min(id) AS secret_id, min(transaction_id::text) AS secret_xid FROM eventlog WHERE tool = 'classified' \gset
-- reading_paths(): every function of the extension (found through
-- pg_depend) and every view that reads the log (its rule depends on
-- eventlog), called with the secret events' own values (an argument named
-- like a column of the log gets that event's value; ids, transaction and
-- table are the secret ones); what comes back is searched for the secret,
-- the secret tool and the secret row's key. Returns what revealed them.
CREATE FUNCTION public.hostile_reading_paths(secret_id bigint, secret_xid xid8, secret_actor text)
RETURNS TABLE (path text, reveals text)
LANGUAGE plpgsql AS $$
DECLARE
    f record;
    q text;
    r text;
BEGIN
    FOR f IN
        SELECT p.oid::regprocedure::text AS path, p.proname, p.proretset,
               (SELECT string_agg(
                    CASE
                        WHEN a.name = 'object_type' THEN quote_literal('public.hostile_secret')
                        WHEN a.name = 'object_id' THEN quote_literal('271828')
                        WHEN a.name = 'tool' THEN quote_literal('classified')
                        WHEN a.name = 'actor' THEN quote_literal(secret_actor)
                        WHEN a.type = 'regclass'::regtype THEN '''public.hostile_secret''::regclass'
                        WHEN a.type = 'anyelement'::regtype AND p.proname = 'eventlog_for_key' THEN '271828'
                        WHEN a.type = 'anyelement'::regtype THEN 'NULL::public.hostile_secret'
                        WHEN a.type = 'xid8'::regtype THEN quote_literal(secret_xid::text) || '::xid8'
                        WHEN a.type = 'bigint'::regtype THEN secret_id::text
                        WHEN a.type = 'integer'::regtype THEN '1'
                        ELSE 'NULL::' || a.type::regtype::text
                    END, ', ' ORDER BY a.pos)
                FROM unnest(p.proargtypes::oid[], (p.proargnames)[1:p.pronargs]) WITH ORDINALITY AS a(type, name, pos)) AS args
        FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
        WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
          AND d.refobjid = (SELECT x.oid FROM pg_extension x WHERE x.extname = 'eventlog')
          AND p.prorettype <> 'trigger'::regtype
          -- (the erasures read nothing back, and as the owner would erase
          -- the secret events this check looks for)
          AND p.proname NOT LIKE 'eventlog\_erase%'
        UNION ALL
        SELECT DISTINCT w.ev_class::regclass::text, NULL::name, NULL::boolean, NULL::text
        FROM pg_depend d JOIN pg_rewrite w ON d.classid = 'pg_rewrite'::regclass AND d.objid = w.oid
        WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = 'public.eventlog'::regclass
        ORDER BY 1
    LOOP
        q := CASE WHEN f.proname IS NULL THEN format('SELECT string_agg(v::text, ''|'') FROM %s v', f.path)
                  WHEN f.proretset THEN format('SELECT string_agg(r::text, ''|'') FROM public.%I(%s) r', f.proname, f.args)
                  ELSE format('SELECT public.%I(%s)::text', f.proname, f.args) END;
        BEGIN
            EXECUTE q INTO r;
        EXCEPTION WHEN OTHERS THEN
            r := NULL;
        END;
        IF r LIKE '%TOPSECRET%' OR r LIKE '%classified%' OR r LIKE '%271828%' THEN
            path := f.path;
            reveals := concat_ws(', ', CASE WHEN r LIKE '%TOPSECRET%' THEN 'the secret' END,
                                 CASE WHEN r LIKE '%classified%' THEN 'the secret tool' END,
                                 CASE WHEN r LIKE '%271828%' THEN 'the secret row''s key' END);
            RETURN NEXT;
        END IF;
    END LOOP;
END
$$;
CREATE TABLE hostile_history AS
SELECT max(id) AS max_id, count(*) AS events, md5(string_agg(e::text, '|' ORDER BY id)) AS digest
FROM eventlog e;
GRANT SELECT ON hostile_history TO PUBLIC;
SELECT last_value AS seq_before FROM eventlog_id_seq \gset

-- The role logs in itself (SET ROLE from a superuser session could switch back).
CREATE ROLE eventlog_hostile LOGIN;
-- Entitled to write this tracked table (its changes are recorded).
GRANT SELECT, INSERT, UPDATE ON hostile_owned TO eventlog_hostile;
CREATE SCHEMA hostile AUTHORIZATION eventlog_hostile;
\c - eventlog_hostile
\set SHOW_CONTEXT never
\set VERBOSITY terse
SET client_min_messages = warning;
SELECT current_user, session_user, pg_has_role('eventlog_hostile', :'admin', 'MEMBER') AS member_of_admin;

-- try(sql): runs sql, answers 'ok: <first value>' or 'SQLSTATE: message'
-- (both cut short); the error is caught in a subtransaction.
CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r text;
BEGIN
    IF q ~* '^\s*(SELECT|WITH|VALUES)' OR q ~* '\mRETURNING\M' THEN
        EXECUTE q INTO r;
        RETURN 'ok: ' || coalesce(left(r, 60), 'NULL');
    END IF;
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    -- PostgreSQL's own privilege messages were reworded in 16 and 17 (and
    -- REINDEX, CLUSTER, VACUUM moved to the MAINTAIN privilege): one wording
    -- for each kind of refusal, whatever the version.
    IF SQLSTATE = '42501' AND SQLERRM ~ '^(must be owner of|permission denied for) ' THEN
        RETURN '42501: not allowed on ' || regexp_replace(SQLERRM, '^(must be owner of|permission denied for) ', '');
    END IF;
    IF SQLSTATE = '42501' AND (SQLERRM ~ '^must be superuser' OR SQLERRM ~ '^permission denied to ') THEN
        RETURN '42501: not allowed (superuser only)';
    END IF;
    IF SQLSTATE = '42809' AND SQLERRM ~ 'eventlog_pkey' THEN
        RETURN '42809: eventlog_pkey is an index';
    END IF;
    RETURN SQLSTATE || ': ' || left(SQLERRM, 110) || CASE WHEN length(SQLERRM) > 110 THEN '...' ELSE '' END;
END
$$;
-- try_long(sql): the same, for huge results and messages: the result's
-- length, the message's start with numbers masked and its length.
CREATE FUNCTION pg_temp.try_long(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r text;
BEGIN
    EXECUTE q INTO r;
    RETURN 'ok: ' || CASE WHEN r IN ('true', 'false') THEN r ELSE coalesce(length(r)::text || ' chars', 'NULL') END;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || left(regexp_replace(SQLERRM, '[0-9]+', 'N', 'g'), 70)
           || ' (' || length(SQLERRM) || ' chars)';
END
$$;

-- A table of its own, tracked by its owner (entitled).
CREATE TABLE hostile.mine (id int PRIMARY KEY, v text);
INSERT INTO hostile.mine VALUES (1, 'a');
SELECT eventlog_track('hostile.mine', tool => 'hostile_mine');

-------------------------------------------------------------------------------
-- NULL in every position of every function of the extension (each argument
-- in turn, then all of them), with ordinary values elsewhere.
-------------------------------------------------------------------------------
CREATE TEMP TABLE calls AS
WITH fns AS (
    SELECT p.oid, p.proname, p.proretset, p.proargtypes::regtype[] AS types, p.pronargs
    FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
    WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
      AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'eventlog')
      AND p.prorettype <> 'trigger'::regtype),
args AS (
    SELECT f.*, a.pos, a.type,
           CASE a.type::text
               WHEN 'text' THEN quote_literal('x')
               WHEN 'jsonb' THEN '''{}''::jsonb'
               WHEN 'text[]' THEN '''{}''::text[]'
               WHEN 'boolean' THEN 'false'
               WHEN 'regclass' THEN '''hostile.mine''::regclass'
               WHEN 'integer' THEN '1'
               WHEN 'xid8' THEN '''1''::xid8'
               WHEN 'bigint' THEN '1::bigint'
               WHEN 'interval' THEN '''1 day''::interval'
               WHEN 'timestamp with time zone' THEN '''2000-01-01''::timestamptz'
               WHEN 'anyelement' THEN CASE WHEN f.proname = 'eventlog_for_key' THEN '1'
                                          ELSE '(SELECT m FROM hostile.mine m)' END
               ELSE 'missing sample value for ' || a.type::text
           END AS good,
           'NULL::' || CASE WHEN a.type = 'anyelement'::regtype
                            THEN CASE WHEN f.proname = 'eventlog_for_key' THEN 'integer' ELSE 'hostile.mine' END
                            ELSE a.type::text END AS bad
    FROM fns f CROSS JOIN LATERAL unnest(f.types) WITH ORDINALITY AS a(type, pos)),
variants AS (
    SELECT DISTINCT oid, proname, proretset, pronargs, v AS null_at FROM args,
           LATERAL (SELECT generate_series(1, pronargs) UNION ALL SELECT 0) s(v))
SELECT v.proname, CASE v.null_at WHEN 0 THEN 'all' ELSE v.null_at::text END AS null_at,
       format(CASE WHEN v.proretset THEN 'SELECT count(*) || '' rows'' FROM public.%I(%s)'
                   ELSE 'SELECT CASE WHEN r IS NULL THEN NULL ELSE ''not null'' END FROM public.%I(%s) r' END,
              v.proname,
              (SELECT string_agg(CASE WHEN a.pos = v.null_at OR v.null_at = 0 THEN a.bad ELSE a.good END, ', '
                                 ORDER BY a.pos)
               FROM args a WHERE a.oid = v.oid)) AS call
FROM variants v;
SELECT proname, null_at, pg_temp.try(call) AS result FROM calls ORDER BY proname, null_at;

-- Untyped NULLs for the polymorphic arguments, and the trigger functions
-- called as plain functions.
SELECT pg_temp.try('SELECT eventlog_object(NULL)');
SELECT pg_temp.try('SELECT eventlog_log_row(NULL)');
SELECT pg_temp.try('SELECT count(*) FROM eventlog_for_key(''hostile.mine'', NULL)');
SELECT pg_temp.try('SELECT eventlog_refuse_rewrite()');
SELECT pg_temp.try('SELECT eventlog_capture()');

-------------------------------------------------------------------------------
-- Wrong types and odd values
-------------------------------------------------------------------------------
SELECT call, pg_temp.try(call) AS result FROM (VALUES
    ('SELECT eventlog_log(42)'),
    ('SELECT eventlog_log(''x'', 42)'),
    ('SELECT eventlog_log(''x'', ''{}''::json)'),
    ('SELECT eventlog_log(''x'', ''not json'')'),
    ('SELECT eventlog_log(''x'', changes => ''[1, 2]'') IS NOT NULL'),
    ('SELECT eventlog_log(''{a}'', ''"scalar"'')'),
    ('SELECT eventlog_log(''{a}'', ''null'')'),
    ('SELECT eventlog_render(''{a}'', ''[]'')'),
    ('SELECT eventlog_render(''x'', ''{"a": 1}'', ''extra'')'),
    ('SELECT jsonb_diff_schema(''{}'', ''[]'')'),
    ('SELECT jsonb_diff_schema(''"s"'', ''{}'')'),
    ('SELECT jsonb_diff_schema(''null'', ''null'')'),
    ('SELECT jsonb_diff_schema(''{}'', ''{}'', ''not an array'')'),
    ('SELECT jsonb_diff_schema(''{}'', ''{}'', ''{{a,b},{c,d}}'')'),
    ('SELECT jsonb_diff_schema(''{"a": 1, "b": 1}'', ''{"a": 2, "b": 2}'', ''[2:2]={b}'')'),
    ('SELECT jsonb_diff_schema(''{}'', ''{}'', deep => ''maybe'')'),
    ('SELECT eventlog_object(1.5)'),
    ('SELECT eventlog_object(''hostile.mine''::regclass)'),
    ('SELECT eventlog_object(ROW(1))'),
    ('SELECT eventlog_object(ARRAY[(SELECT m FROM hostile.mine m)])'),
    ('SELECT eventlog_log_row(42, ''x'')'),
    ('SELECT eventlog_log_row(e, ''x'') IS NOT NULL FROM eventlog e LIMIT 1'),
    ('SELECT count(*) FROM eventlog_for_key(''hostile.mine'', ''not an int''::text)'),
    ('SELECT count(*) FROM eventlog_for_key(''hostile.mine'', ROW(1, 2, 3))'),
    ('SELECT count(*) FROM eventlog_for_key(''pg_class'', 1)'),
    ('SELECT count(*) FROM eventlog_for_key(0, 1)'),
    ('SELECT count(*) FROM eventlog_for_key(''no_such_table'', 1)'),
    ('SELECT count(*) FROM eventlog_for_transaction(''0'')'),
    ('SELECT count(*) FROM eventlog_for_transaction(''18446744073709551615'')'),
    ('SELECT count(*) FROM eventlog_for_transaction(''-1'')'),
    ('SELECT count(*) FROM eventlog_for_object('''', '''')'),
    ('SELECT eventlog_track(0)'),
    ('SELECT eventlog_track(4294967295::oid::regclass)'),
    ('SELECT eventlog_track(''no_such_table'')'),
    ('SELECT eventlog_track(''hostile.mine'', '''')'),
    ('SELECT eventlog_track(''hostile.mine'', exclude_columns => ''{NULL}'')'),
    ('SELECT eventlog_track(''hostile.mine'', exclude_columns => ''{id}'')'),
    ('SELECT eventlog_track(''hostile.mine'', exclude_columns => ''{{v}}'')'),
    ('SELECT eventlog_track(''hostile.mine'', messages => ''"text"'')'),
    ('SELECT eventlog_track(''hostile.mine'', messages => ''{"update": 42}'')'),
    ('SELECT eventlog_track(''hostile.mine'', messages => ''{"update": null}'')'),
    ('SELECT eventlog_track(''hostile.mine'', messages => ''{"update": {"nested": "x"}}'')'),
    ('SELECT eventlog_track(''hostile.mine'', messages => ''{"update": "{new__v", "create": "x"}'')'),
    ('SELECT eventlog_track(''hostile.mine'', messages => ''{"": "x"}'')'),
    ('SELECT eventlog_track(''hostile.mine'', messages => ''{"update": "{}"}'')'),
    ('SELECT eventlog_track(''hostile.mine'', messages => ''{"update": "{new__}"}'')'),
    ('SELECT eventlog_track(''hostile.mine'', messages => ''{"update": "{new__v__x__y}"}'')'),
    ('SELECT eventlog_check_tracking(''hostile.mine'', ''[]'')'),
    ('SELECT eventlog_check_tracking(''hostile.mine'', ''{"tool": 42, "exclude_columns": "v"}'')'),
    ('SELECT eventlog_check_tracking(''hostile.mine'', ''{"exclude_columns": [1, null]}'')'),
    ('SELECT eventlog_check_tracking(''hostile.mine'', ''{"messages": [], "unknown": true}'')'),
    ('SELECT eventlog_check_tracking(''eventlog_by_tool'', ''{}'')'),
    ('SELECT eventlog_check_tracking(''eventlog_id_seq'', ''{}'')'),
    ('SELECT eventlog_check_tracking(''eventlog_pkey'', ''{}'')'),
    ('SELECT eventlog_untrack(0)'),
    ('SELECT eventlog_untrack(4294967295::oid::regclass)'),
    ('SELECT eventlog_untrack(''eventlog_by_tool'')')
) AS t(call);

-- Invalid JSON text never reaches the functions: \u0000, bad escapes,
-- lone surrogates are refused by the jsonb input (22P05, 22P02).
SELECT call, pg_temp.try(call) AS result FROM (VALUES
    ($$SELECT eventlog_render('{a}', '{"a": "x\u0000y"}')$$),
    ($$SELECT eventlog_log('{a}', '{"a": "\uZZZZ"}')$$),
    ($$SELECT jsonb_diff_schema('{"a": "\ud800"}', '{}')$$),
    ($$SELECT jsonb_diff_schema('{"a": "\x"}', '{}')$$),
    ($$SELECT eventlog_track('hostile.mine', messages => '{"update": "\u0000"}')$$),
    ($$SELECT eventlog_render(E'\\u0000 {a}', '{"a": "\u00e9\ud83d\ude00"}')$$),
    ($$SELECT eventlog_render(E'bad \xff', '{}')$$)
) AS t(call);

-------------------------------------------------------------------------------
-- eventlog_page: page and page_size at and beyond their bounds.
-------------------------------------------------------------------------------
SELECT page_size, page, pg_temp.try(format('SELECT jsonb_array_length(eventlog_page(tool => ''hostile_history'', page_size => %s, page => %s)->''results'')',
                                           page_size, page)) AS result
FROM (VALUES (-1, 1), (-2147483648, 1), (2147483647, 1), (1, -2147483648), (1, 2147483647),
             (10000, 214749), (10000, 214750), (10000, 2147483647), (1, 0), (0, 0)) AS t(page_size, page);

-------------------------------------------------------------------------------
-- Huge and empty strings (a few MB), many placeholders, wide and deep input.
-------------------------------------------------------------------------------
CREATE TEMP TABLE big AS
SELECT repeat('x', 4 * 1024 * 1024) AS compressible,
       (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 200) i) AS incompressible,
       (SELECT jsonb_object_agg('k' || i, i) FROM generate_series(1, 10000) i) AS wide_a,
       (SELECT jsonb_object_agg('k' || i, i + 1) FROM generate_series(1, 10000) i) AS wide_b,
       (SELECT string_agg('{k' || i || '}', ' ') FROM generate_series(1, 10000) i) AS many_placeholders;
-- 4 MB template, values, message, actor setting: recorded in full.
SELECT pg_temp.try_long('SELECT eventlog_render(compressible, NULL) FROM big');
SELECT pg_temp.try_long('SELECT eventlog_render(''{a}'', jsonb_build_object(''a'', compressible)) FROM big');
SELECT pg_temp.try_long($$SELECT (eventlog_log(compressible || '{a}', jsonb_build_object('a', compressible), tool => 'hostile_big') > 0)::text FROM big$$);
SELECT length(message) AS message_length, length(values_json->>'a') AS value_length
FROM eventlog WHERE tool = 'hostile_big';
-- Empty strings everywhere.
SELECT pg_temp.try('SELECT eventlog_log('''', ''{}'', '''', '''', '''', '''', '''', ''{}'') IS NOT NULL');
SELECT pg_temp.try('SELECT eventlog_render('''', ''{"": 1}'')');
SELECT pg_temp.try('SELECT eventlog_render(''{}'', ''{"": 1}'')');
SELECT pg_temp.try('SELECT eventlog_page('''', '''', '''', '''', '''')->>''count''');
-- An indexed field (tool, actor, object_type, object_id, action) too big
-- for a b-tree entry: PostgreSQL's own error (54000), nothing recorded.
SELECT pg_temp.try_long('SELECT (eventlog_log(''x'', tool => incompressible) > 0)::text FROM big');
SELECT pg_temp.try_long('SELECT (eventlog_log(''x'', actor => incompressible) > 0)::text FROM big');
SELECT pg_temp.try_long('SELECT (eventlog_log(''x'', object_id => incompressible) > 0)::text FROM big');
SELECT pg_temp.try_long('SELECT (eventlog_log(''x'', tool => ''hostile_big'', object_type => compressible) > 0)::text FROM big');
-- A tracked table of its own whose key fits its own primary key index but
-- not the log's (object_type, object_id, ...) index: the write fails (54000).
CREATE TABLE hostile.big_key (k text PRIMARY KEY);
SELECT eventlog_track('hostile.big_key');
SELECT pg_temp.try_long($$INSERT INTO hostile.big_key SELECT left(string_agg(md5(i::text), ''), 2690) FROM generate_series(1, 90) i RETURNING 'inserted'$$);
SELECT pg_temp.try_long($$INSERT INTO hostile.big_key SELECT left(string_agg(md5(i::text), ''), 2600) FROM generate_series(1, 90) i RETURNING 'inserted'$$);
-- ... and a huge filter value is only a lookup.
SELECT pg_temp.try('SELECT eventlog_page(tool => compressible)::text FROM big');
SELECT pg_temp.try('SELECT count(*) FROM big, eventlog_for_object(compressible, compressible)');
-- A huge eventlog.actor is refused like any huge actor.
SELECT set_config('eventlog.actor', incompressible, false) IS NOT NULL AS set FROM big;
SELECT pg_temp.try_long('SELECT eventlog_log(''x'')::text');
RESET eventlog.actor;
-- Errors naming a huge placeholder stay bounded? (length shown).
SELECT pg_temp.try_long($$SELECT eventlog_render('{' || compressible, '{}') FROM big$$);
SELECT pg_temp.try_long($$SELECT eventlog_render('{' || compressible || '}', '{}') FROM big$$);
-- Ten thousand placeholders over ten thousand keys; a path thousands of
-- parts long; tens of thousands of literal braces.
SELECT pg_temp.try_long('SELECT eventlog_render(many_placeholders, wide_a) FROM big');
SELECT pg_temp.try_long('SELECT eventlog_render(many_placeholders || '' {k10001}'', wide_a) FROM big');
SELECT pg_temp.try_long($$SELECT eventlog_render('{a__' || repeat('b__', 3000) || 'c}', '{"a__b": {"b": 1}}')$$);
SELECT pg_temp.try_long($$SELECT eventlog_render(repeat('{{}}', 50000), NULL)$$);
SELECT pg_temp.try_long($$SELECT eventlog_render(repeat('{', 100000), NULL)$$);
SELECT pg_temp.try_long($$SELECT eventlog_render(repeat('}', 100000), NULL)$$);
-- Objects with 10k keys: every key differs; every key excluded; deep.
SELECT pg_temp.try('SELECT jsonb_diff_schema(wide_a, wide_b) = jsonb_build_object(''old_value'', wide_a, ''new_value'', wide_b) FROM big');
SELECT pg_temp.try('SELECT jsonb_diff_schema(wide_a, wide_b, ARRAY(SELECT jsonb_object_keys(wide_a)), true) FROM big');
SELECT pg_temp.try('SELECT jsonb_diff_schema(NULL, wide_a) = jsonb_build_object(''old_value'', ''{}''::jsonb, ''new_value'', wide_a) FROM big');
SELECT pg_temp.try_long('SELECT (eventlog_log(many_placeholders, wide_a, changes => jsonb_diff_schema(wide_a, wide_b), tool => ''hostile_big'') > 0)::text FROM big');
-- Nesting: PostgreSQL's own jsonb input refuses 100k levels (54001) before
-- any function sees them; the deepest input it accepts goes through every
-- function without a crash (or raises 54001 itself).
SELECT pg_temp.try_long($$SELECT eventlog_render('{a}', (repeat('{"a":', 100000) || '1' || repeat('}', 100000))::jsonb)$$);
SELECT pg_temp.try_long($$SELECT jsonb_diff_schema('{}', (repeat('[', 100000) || repeat(']', 100000))::jsonb)$$);
CREATE TEMP TABLE deep AS
SELECT (repeat('{"a":', 3000) || '1' || repeat('}', 3000))::jsonb AS doc_a,
       (repeat('{"a":', 3000) || '2' || repeat('}', 3000))::jsonb AS doc_b,
       (repeat('[', 3000) || repeat(']', 3000))::jsonb AS arrays,
       -- deep => true takes time quadratic in the depth: 300 levels here.
       (repeat('{"a":', 300) || '1' || repeat('}', 300))::jsonb AS doc_300_a,
       (repeat('{"a":', 300) || '2' || repeat('}', 300))::jsonb AS doc_300_b;
-- A placeholder path 2999, 3000 and 3001 attributes long into 3000 levels.
SELECT n, pg_temp.try(format($$SELECT eventlog_render('{p%s}', jsonb_build_object('p%s', doc_a)) FROM deep$$,
                             repeat('__a', n), repeat('__a', n))) AS result
FROM (VALUES (2999), (3000), (3001)) AS t(n);
SELECT pg_temp.try_long('SELECT jsonb_diff_schema(doc_a, doc_b)::text FROM deep');
SELECT pg_temp.try_long('SELECT jsonb_diff_schema(doc_300_a, doc_300_b, deep => true)::text FROM deep');
SELECT pg_temp.try_long('SELECT jsonb_diff_schema(jsonb_build_object(''l'', arrays), jsonb_build_object(''l'', arrays || ''1''::jsonb), deep => true)::text FROM deep');
SELECT pg_temp.try_long($$SELECT (eventlog_log('{a}', jsonb_build_object('a', arrays), changes => jsonb_diff_schema(doc_300_a, doc_300_b, deep => true), tool => 'hostile_big') > 0)::text FROM deep$$);
SELECT pg_temp.try_long($$SELECT eventlog_track('hostile.mine', messages => jsonb_build_object('update', doc_a)) FROM deep$$);

-------------------------------------------------------------------------------
-- A table of PostgreSQL's maximum width (1600 columns), tracked by its owner.
-------------------------------------------------------------------------------
SELECT format('CREATE TABLE hostile.wide (id int PRIMARY KEY, %s)',
              string_agg(format('c%s int', i), ', ' ORDER BY i)) AS ddl
FROM generate_series(2, 1600) i \gset
:ddl;
SELECT eventlog_track('hostile.wide', tool => 'hostile_wide', exclude_columns => '{c1600}',
                      messages => '{"update": "{new__c2} {old__c1599} {object_id}"}');
INSERT INTO hostile.wide (id) SELECT generate_series(1, 3);
SELECT format('UPDATE hostile.wide SET %s WHERE id <= 2',
              string_agg(format('c%s = %s', i, i), ', ' ORDER BY i)) AS upd
FROM generate_series(2, 1600) i \gset
:upd;
SELECT action, object_id, message,
       (SELECT count(*) FROM jsonb_object_keys(changes->'new_value')) AS new_keys,
       (SELECT count(*) FROM jsonb_object_keys(changes->'old_value')) AS old_keys
FROM eventlog WHERE tool = 'hostile_wide' ORDER BY id;
SELECT pg_temp.try('ALTER TABLE hostile.wide ADD COLUMN c1601 int');
DROP TABLE hostile.wide;

-------------------------------------------------------------------------------
-- The log, its sequence, triggers and functions cannot be changed.
-------------------------------------------------------------------------------
SELECT call, pg_temp.try(call) AS result FROM (VALUES
    ('INSERT INTO eventlog (message, db_user) VALUES (''forged'', ''postgres'') RETURNING id'),
    ('INSERT INTO eventlog (message) SELECT message FROM eventlog RETURNING id'),
    ('UPDATE eventlog SET actor = ''forged'' RETURNING id'),
    ('DELETE FROM eventlog RETURNING id'),
    ('TRUNCATE eventlog'),
    ('TRUNCATE eventlog_id_seq'),
    ('MERGE INTO eventlog e USING (SELECT 1 AS id) s ON e.id = s.id WHEN MATCHED THEN DELETE'),
    ('SELECT id FROM eventlog FOR UPDATE'),
    ('SELECT id FROM eventlog FOR KEY SHARE'),
    ('LOCK TABLE eventlog IN ACCESS EXCLUSIVE MODE'),
    ('COPY eventlog FROM ''/dev/null'''),
    ('COPY eventlog TO ''/tmp/eventlog_hostile.copy'''),
    ('SELECT nextval(''eventlog_id_seq'')'),
    ('SELECT setval(''eventlog_id_seq'', 1)'),
    ('SELECT setval(''eventlog_id_seq'', 9223372036854775807)'),
    ('SELECT currval(''eventlog_id_seq'')'),
    ('ALTER SEQUENCE eventlog_id_seq RESTART'),
    ('ALTER SEQUENCE eventlog_id_seq MAXVALUE 10'),
    ('DROP SEQUENCE eventlog_id_seq'),
    ('ALTER TABLE eventlog DISABLE TRIGGER USER'),
    ('ALTER TABLE eventlog DISABLE TRIGGER eventlog_append_only'),
    ('ALTER TABLE eventlog ADD COLUMN x int'),
    ('ALTER TABLE eventlog ALTER COLUMN db_user DROP NOT NULL'),
    ('ALTER TABLE eventlog OWNER TO eventlog_hostile'),
    ('ALTER TABLE eventlog RENAME TO eventlog_old'),
    ('ALTER TABLE eventlog SET SCHEMA hostile'),
    ('ALTER TABLE eventlog ENABLE ROW LEVEL SECURITY'),
    ('DROP TABLE eventlog'),
    ('DROP TRIGGER eventlog_append_only ON eventlog'),
    ('CREATE TRIGGER t BEFORE INSERT ON eventlog FOR EACH ROW EXECUTE FUNCTION eventlog_refuse_rewrite()'),
    ('CREATE RULE r AS ON INSERT TO eventlog DO INSTEAD NOTHING'),
    ('CREATE POLICY p ON eventlog USING (false)'),
    ('CREATE INDEX ON eventlog (message)'),
    ('CREATE TABLE hostile.child () INHERITS (eventlog)'),
    ('CREATE TABLE hostile.fk (id bigint REFERENCES eventlog (id))'),
    ('CREATE VIEW hostile.v AS SELECT * FROM eventlog'),
    ('REINDEX TABLE eventlog'),
    ('CLUSTER eventlog USING eventlog_pkey'),
    ('COMMENT ON TABLE eventlog IS ''mine'''),
    ('SECURITY LABEL ON TABLE eventlog IS ''x'''),
    ('GRANT ALL ON eventlog TO eventlog_hostile'),
    ('ALTER VIEW eventlog_by_tool RENAME TO x'),
    ('CREATE OR REPLACE VIEW eventlog_by_tool AS SELECT NULL::text AS tool'),
    ('DROP VIEW eventlog_tracked'),
    ('INSERT INTO eventlog_partition_settings SELECT * FROM eventlog_partition_settings'),
    ('DELETE FROM eventlog_partition_settings'),
    ('DROP VIEW eventlog_partitions'),
    ('CREATE OR REPLACE FUNCTION eventlog_refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS ''BEGIN RETURN NEW; END'''),
    ('ALTER FUNCTION eventlog_log(text, jsonb, text, text, text, text, text, jsonb, jsonb, text) SECURITY DEFINER'),
    ('ALTER FUNCTION eventlog_track(regclass, text, text[], jsonb, boolean, text) RESET search_path'),
    ('ALTER FUNCTION eventlog_render(text, jsonb) RENAME TO x'),
    ('DROP FUNCTION eventlog_capture()'),
    ('ALTER EXTENSION eventlog DROP TABLE eventlog'),
    ('ALTER EXTENSION eventlog UPDATE'),
    ('DROP EXTENSION eventlog'),
    ('CREATE FUNCTION public.nextval(regclass) RETURNS bigint LANGUAGE sql AS ''SELECT -1::bigint'''),
    ('SET session_replication_role = replica'),
    ('SET ROLE ' || :'admin'),
    ('SET SESSION AUTHORIZATION ' || :'admin'),
    ('ALTER ROLE ' || :'admin' || ' SET eventlog.actor = ''x'''),
    ('ALTER DATABASE contrib_regression SET eventlog.actor = ''x'''),
    ('ALTER ROLE eventlog_hostile SUPERUSER'),
    ('ALTER ROLE eventlog_hostile BYPASSRLS'),
    ('GRANT ' || :'admin' || ' TO eventlog_hostile'),
    ('ALTER TABLE hostile_owned DISABLE TRIGGER eventlog_capture_update'),
    ('DROP TRIGGER eventlog_capture_insert ON hostile_owned'),
    ('CREATE TRIGGER t AFTER INSERT ON hostile_owned FOR EACH ROW EXECUTE FUNCTION eventlog_refuse_rewrite()'),
    ('TRUNCATE hostile_owned'),
    ('DELETE FROM hostile_owned')
) AS t(call);
-- Statements that cannot run inside a function.
\copy eventlog (message, db_user) FROM '/dev/null'
\echo :LAST_ERROR_SQLSTATE
SET client_min_messages = error;  -- (the warning's wording differs between versions)
VACUUM FULL eventlog;
SET client_min_messages = warning;
ALTER SYSTEM SET eventlog.actor = 'x';
\echo :LAST_ERROR_SQLSTATE

-------------------------------------------------------------------------------
-- Tracking: tables it does not own, catalogs, the log, other relkinds.
-------------------------------------------------------------------------------
CREATE TEMP TABLE hostile_temp (id int PRIMARY KEY);
CREATE VIEW hostile.a_view AS SELECT 1 AS id;
CREATE SEQUENCE hostile.a_seq;
CREATE MATERIALIZED VIEW hostile.a_matview AS SELECT 1 AS id;
CREATE TABLE hostile.parted (id int PRIMARY KEY) PARTITION BY RANGE (id);
SELECT target, pg_temp.try(format('SELECT eventlog_track(%L)', target)) AS track,
       pg_temp.try(format('SELECT eventlog_untrack(%L)', target)) AS untrack
FROM (VALUES ('hostile_owned'), ('eventlog'), ('pg_catalog.pg_class'), ('pg_catalog.pg_authid'),
             ('information_schema.sql_features'), ('eventlog_pkey'), ('eventlog_id_seq'),
             ('eventlog_by_tool'), ('hostile.a_view'), ('hostile.a_seq'), ('hostile.a_matview'),
             ('hostile.parted'), ('pg_temp.hostile_temp')) AS t(target);
-- Its own temporary table is its own to track: events recorded.
SELECT eventlog_track('pg_temp.hostile_temp', tool => 'hostile_temp');
INSERT INTO hostile_temp VALUES (1);
SELECT action, object_type ~ '^pg_temp_\d+\.hostile_temp$' AS temp_schema_named, object_id
FROM eventlog WHERE tool = 'hostile_temp';
-- The capture trigger attached by hand to its own tables: the same events
-- as eventlog_track (the object is the table it fires on), or a clear error.
CREATE TABLE hostile.by_hand (id int PRIMARY KEY, v text);
SELECT n, pg_temp.try(trigger_def) AS create_trigger,
       pg_temp.try(format('INSERT INTO %s VALUES (%s, ''x'') RETURNING id', target, n)) AS insert,
       pg_temp.try(format('DROP TRIGGER IF EXISTS by_hand ON %s', target)) AS dropped
FROM (SELECT n, trigger_def, substring(trigger_def FROM ' ON (\S+)') AS target
      FROM (VALUES
    (1, 'CREATE TRIGGER by_hand AFTER INSERT ON hostile.by_hand FOR EACH STATEMENT EXECUTE FUNCTION eventlog_capture(''{"tool": "x"}'')'),
    (2, 'CREATE TRIGGER by_hand AFTER INSERT ON hostile.by_hand REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION eventlog_capture()'),
    (3, 'CREATE TRIGGER by_hand AFTER INSERT ON hostile.by_hand REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION eventlog_capture(''not json'')'),
    (4, 'CREATE TRIGGER by_hand AFTER INSERT ON hostile.by_hand REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION eventlog_capture(''{}'', ''{}'')'),
    (5, 'CREATE TRIGGER by_hand AFTER INSERT ON hostile.by_hand REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION eventlog_capture(''{"tool": "hostile_by_hand", "object_type": "public.hostile_owned", "db_user": "postgres", "actor": "postgres"}'')'),
    (6, 'CREATE TRIGGER by_hand AFTER INSERT ON hostile.by_hand REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION eventlog_capture(''{"tool": "hostile_by_hand", "messages": {"create": "{new__nope}"}}'')'),
    (7, 'CREATE TRIGGER by_hand AFTER INSERT ON hostile.by_hand REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION eventlog_capture(''{"tool": "hostile_by_hand", "exclude_columns": ["id", "v", "nope"]}'')'),
    (8, 'CREATE TRIGGER by_hand AFTER UPDATE ON hostile.by_hand REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION eventlog_capture(''{"tool": "hostile_by_hand"}'')'),
    (9, 'CREATE TRIGGER by_hand BEFORE INSERT ON hostile.by_hand FOR EACH STATEMENT EXECUTE FUNCTION eventlog_capture(''{"tool": "hostile_by_hand"}'')'),
    (10, 'CREATE TRIGGER by_hand AFTER INSERT ON hostile.by_hand FOR EACH ROW EXECUTE FUNCTION eventlog_capture(''{"tool": "hostile_by_hand"}'')'),
    (11, 'CREATE TRIGGER by_hand INSTEAD OF INSERT ON hostile.a_view FOR EACH ROW EXECUTE FUNCTION eventlog_capture(''{"tool": "hostile_by_hand"}'')'),
    (12, 'CREATE TRIGGER by_hand AFTER INSERT ON hostile_owned REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION eventlog_capture(''{"tool": "x"}'')')
) AS t(n, trigger_def)) d ORDER BY n;
SELECT action, object_type, object_id, tool, actor, db_user, message, changes
FROM eventlog WHERE tool IN ('hostile_by_hand', 'x') AND object_type IN ('hostile.by_hand', 'public.hostile_owned') ORDER BY id;
DELETE FROM hostile.by_hand;

-------------------------------------------------------------------------------
-- search_path tricks: its own schema first (decoy table, functions,
-- operators), pg_temp first, pg_catalog last. Events still go to the real
-- log with real ids, times and values; queries still read the real log.
-------------------------------------------------------------------------------
CREATE TABLE hostile.eventlog (LIKE public.eventlog);
CREATE TABLE hostile.eventlog_id_seq (x int);
CREATE TEMP TABLE eventlog (LIKE public.eventlog);
CREATE FUNCTION hostile.nextval(regclass) RETURNS bigint LANGUAGE sql AS 'SELECT -1::bigint';
CREATE FUNCTION hostile.clock_timestamp() RETURNS timestamptz LANGUAGE sql AS $$SELECT '2000-01-01'::timestamptz$$;
CREATE FUNCTION hostile.now() RETURNS timestamptz LANGUAGE sql AS $$SELECT '2000-01-01'::timestamptz$$;
CREATE FUNCTION hostile.pg_current_xact_id() RETURNS xid8 LANGUAGE sql AS $$SELECT '1'::xid8$$;
CREATE FUNCTION hostile.to_jsonb(anyelement) RETURNS jsonb LANGUAGE sql AS $$SELECT '"hijacked"'::jsonb$$;
CREATE FUNCTION hostile.unnest(anyarray) RETURNS SETOF anyelement LANGUAGE sql AS 'SELECT NULL';
CREATE FUNCTION hostile.format(text, text, text) RETURNS text LANGUAGE sql AS $$SELECT 'true'$$;
CREATE FUNCTION hostile.jsonb_build_object(text, text, text, jsonb, text, jsonb) RETURNS jsonb LANGUAGE sql AS $$SELECT '{"tool": "hijacked"}'::jsonb$$;
CREATE FUNCTION hostile.count(anyelement) RETURNS bigint LANGUAGE sql AS 'SELECT 0::bigint';
CREATE FUNCTION hostile.text_eq(a text, b text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR hostile.= (LEFTARG = text, RIGHTARG = text, FUNCTION = hostile.text_eq);
CREATE FUNCTION hostile.int_lt(a int, b int) RETURNS boolean LANGUAGE sql AS 'SELECT false';
CREATE OPERATOR hostile.< (LEFTARG = int, RIGHTARG = int, FUNCTION = hostile.int_lt);
CREATE FUNCTION hostile.int_gt(a int, b int) RETURNS boolean LANGUAGE sql AS 'SELECT false';
CREATE OPERATOR hostile.> (LEFTARG = int, RIGHTARG = int, FUNCTION = hostile.int_gt);
CREATE FUNCTION hostile.eventlog_log(text) RETURNS bigint LANGUAGE sql AS 'SELECT -1::bigint';
CREATE FUNCTION pg_temp.eventlog_log(text, jsonb DEFAULT NULL, text DEFAULT NULL, text DEFAULT NULL, text DEFAULT NULL,
                                     text DEFAULT NULL, text DEFAULT NULL, jsonb DEFAULT NULL)
    RETURNS bigint LANGUAGE sql AS 'SELECT -1::bigint';
SET search_path = pg_temp, hostile, pg_catalog, public;
SELECT public.eventlog_log('via search_path', tool => 'hostile_path') > 0 AS logged;
SELECT public.eventlog_log_row(m, 'row via search_path', tool => 'hostile_path') > 0 AS logged FROM hostile.mine m;
UPDATE hostile.mine SET v = 'changed via search_path';
UPDATE public.hostile_owned SET secret = 'dos' WHERE id = 2;
SELECT public.eventlog_track('hostile.mine', tool => 'hostile_mine', messages => '{"update": "{old__v} -> {new__v}"}');
UPDATE hostile.mine SET v = 'again';
SELECT (public.eventlog_page(tool => 'hostile_path', page_size => 10))->'count' AS page_count,
       (SELECT count(*) FROM public.eventlog_for_tool('hostile_path')) AS for_tool,
       (SELECT count(*) FROM public.eventlog_for_object('hostile.mine', '1')) AS for_object,
       (SELECT count(*) FROM public.eventlog_for_key('hostile.mine', 1)) AS for_key,
       (SELECT public.jsonb_diff_schema('{"a": 1}', '{"a": 2}')::text) AS diff,
       (SELECT tool FROM public.eventlog_tracked WHERE table_name = 'hostile.mine'::regclass) AS tracked_tool;
-- Unqualified, the role's own eventlog_log (pg_temp functions are never
-- found without pg_temp.) and own eventlog table are used: its problem.
SELECT eventlog_log('unqualified') AS own_function, (SELECT count(*) FROM eventlog) AS own_table_rows;
RESET search_path;
SELECT (SELECT count(*) FROM hostile.eventlog) AS decoy_rows, (SELECT count(*) FROM pg_temp.eventlog) AS temp_rows;
DROP TABLE pg_temp.eventlog;
SELECT action, object_type, object_id, tool, actor, db_user, message, changes,
       id > :seq_before AS real_id, "timestamp" > '2001-01-01' AS real_time,
       transaction_id <> '1' AS real_xid
FROM public.eventlog WHERE id > (SELECT max_id FROM hostile_history) AND (tool IN ('hostile_path', 'hostile_owned') OR (tool = 'hostile_mine' AND action = 'update'))
ORDER BY id;

-------------------------------------------------------------------------------
-- Reading: no path shows the role events about a table it may not read.
-------------------------------------------------------------------------------
SELECT pg_temp.try('SELECT secret FROM hostile_secret') AS the_table_itself;
SELECT * FROM public.hostile_reading_paths(:secret_id, :'secret_xid', :'admin');
SELECT count(*) AS classified_events_seen FROM eventlog WHERE tool = 'classified' OR object_type = 'public.hostile_secret';

-------------------------------------------------------------------------------
-- eventlog.actor tricks: the actor is a claim, db_user is always the role.
-------------------------------------------------------------------------------
SET eventlog.actor = 'postgres';
SELECT eventlog_log('claims postgres', tool => 'hostile_actor') > 0 AS logged;
SET eventlog.actor = '';
SELECT eventlog_log('empty setting', tool => 'hostile_actor') > 0 AS logged;
SET eventlog.actor = E'multi\nline\ttab';
SELECT eventlog_log('odd setting', tool => 'hostile_actor') > 0 AS logged;
SET eventlog.actor = $$x', db_user => 'postgres$$;
SELECT eventlog_log('injection setting', tool => 'hostile_actor') > 0 AS logged;
BEGIN;
SET LOCAL eventlog.actor = 'rolled back actor';
ROLLBACK;
SELECT eventlog_log('after rollback', tool => 'hostile_actor') > 0 AS logged;
SET eventlog.actor TO DEFAULT;
SELECT eventlog_log('default setting', tool => 'hostile_actor') > 0 AS logged;
-- Any role may record an event naming any object, tool and action (that is
-- what eventlog_log is for): only db_user tells who recorded it.
SELECT eventlog_log('looks tracked', object_type => 'public.hostile_owned', object_id => '1', tool => 'hostile_actor',
                    action => 'update', changes => '{"old_value": {"secret": "uno"}, "new_value": {"secret": "forged"}}') > 0 AS logged;
SELECT message, actor, db_user, object_type, action FROM eventlog WHERE tool = 'hostile_actor' ORDER BY id;

-------------------------------------------------------------------------------
-- Aftermath: the server never restarted, the history is unchanged, and every
-- event added since was recorded under the role (or from its writes).
-------------------------------------------------------------------------------
\c - :admin
\set SHOW_CONTEXT never
\set VERBOSITY terse
SELECT pg_postmaster_start_time() = :'server_start' AS same_server,
       (SELECT backend_start FROM pg_stat_activity WHERE backend_type = 'checkpointer') = :'checkpointer_start' AS no_crash_restart;
-- The same reading paths, as a role that may read everything: the check
-- above finds what it looks for.
SELECT * FROM public.hostile_reading_paths(:secret_id, :'secret_xid', :'admin');
SELECT h.events = (SELECT count(*) FROM eventlog e WHERE e.id <= h.max_id) AS history_count_unchanged,
       h.digest = (SELECT md5(string_agg(e::text, '|' ORDER BY id)) FROM eventlog e WHERE e.id <= h.max_id) AS history_unchanged
FROM hostile_history h;
SELECT db_user, quote_nullable(tool) AS tool, count(*) AS events
FROM eventlog WHERE id > (SELECT max_id FROM hostile_history) GROUP BY db_user, tool ORDER BY db_user, tool;
SELECT tgrelid::regclass AS table_name, tgname, tgenabled
FROM pg_trigger WHERE tgrelid IN ('eventlog'::regclass, 'hostile_owned'::regclass) ORDER BY 1, 2;
SELECT has_table_privilege('eventlog_hostile', 'eventlog', 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') AS table_writable,
       has_sequence_privilege('eventlog_hostile', 'eventlog_id_seq', 'USAGE, UPDATE') AS sequence_usable,
       has_table_privilege('eventlog_hostile', 'eventlog', 'SELECT') AS table_readable;

SELECT rolname, rolconfig FROM pg_roles WHERE rolconfig IS NOT NULL AND rolname IN (:'admin', 'eventlog_hostile');
SELECT count(*) AS actor_settings FROM pg_db_role_setting WHERE setconfig::text LIKE '%eventlog.actor%';

SET client_min_messages = warning;
DROP TABLE hostile_owned, hostile_history, hostile_secret;
DROP FUNCTION public.hostile_reading_paths(bigint, xid8, text);
DROP SCHEMA hostile CASCADE;
DROP OWNED BY eventlog_hostile;
DROP ROLE eventlog_hostile;
