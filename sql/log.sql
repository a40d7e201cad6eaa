-- eventlog_log: records one event, returns its id.
-- The extension, when this file runs on its own (make installcheck REGRESS=...).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS eventlog;
RESET client_min_messages;

-- The original app's call, with named arguments.
SELECT eventlog_log(
    template_message => 'Item {item__name} was updated by {actor}.',
    values_json      => '{"item__name": {"id": 1, "name": "Certificate A"}, "actor": "John Doe"}',
    object_type      => 'public.certificate',
    object_id        => '1',
    actor            => 'John Doe',
    tool             => 'example_feature',
    action           => 'update',
    changes          => jsonb_diff_schema('{"status": "active"}', '{"status": "inactive"}')) AS id \gset
SELECT id = :id AS same_id, actor, message, object_type, object_id, tool, action, changes, db_user,
       template_message, values_json, "timestamp" <= now() AS timestamp_ok
FROM eventlog WHERE id = :id;

-- Events carry their transaction's id and the time they were recorded.
BEGIN;
SELECT eventlog_log('one', tool => 'same_tx') > 0 AND eventlog_log('two', tool => 'same_tx') > 0 AS logged;
SELECT count(*) AS events, bool_and(transaction_id = pg_current_xact_id()) AS this_transaction,
       bool_and("timestamp" >= now() AND "timestamp" <= clock_timestamp()) AS recorded_time
FROM eventlog WHERE tool = 'same_tx';
COMMIT;

-- A creation, the original app's second example.
SELECT eventlog_log('Item {item__name} was created.', '{"item__name": {"name": "Certificate B"}}',
                    'public.certificate', '2', 'John Doe', 'example_feature', 'create',
                    jsonb_diff_schema(NULL, '{"id": 2, "name": "Certificate B"}')) > :id AS ids_increase;
SELECT message, action, changes FROM eventlog ORDER BY id DESC LIMIT 1;

-- No template: message ''. Only a template: everything else NULL.
SELECT eventlog_log(NULL, tool => 'no_template') IS NOT NULL AS logged;
SELECT message, values_json, template_message FROM eventlog WHERE tool = 'no_template';
SELECT eventlog_log('just text') IS NOT NULL AS logged;
SELECT message, object_type, object_id, tool, action, changes FROM eventlog ORDER BY id DESC LIMIT 1;

-- actor: the argument, else eventlog.actor when set and non-empty, else the calling role.
SELECT eventlog_log('a', tool => 'actors', actor => 'explicit') IS NOT NULL AS logged;
SET eventlog.actor = 'from setting';
SELECT eventlog_log('b', tool => 'actors') IS NOT NULL AS logged;
SELECT eventlog_log('c', tool => 'actors', actor => 'explicit wins') IS NOT NULL AS logged;
SET eventlog.actor = '';
SELECT eventlog_log('d', tool => 'actors') IS NOT NULL AS logged;
RESET eventlog.actor;
BEGIN;
SET LOCAL eventlog.actor = 'transaction only';
SELECT eventlog_log('e', tool => 'actors') IS NOT NULL AS logged;
COMMIT;
SELECT eventlog_log('f', tool => 'actors') IS NOT NULL AS logged;
-- A setting that looks like SQL is only text.
SET eventlog.actor = $$'); DELETE FROM eventlog; --$$;
SELECT eventlog_log('g', tool => 'actors') IS NOT NULL AS logged;
RESET eventlog.actor;
SELECT message, actor, db_user FROM eventlog WHERE tool = 'actors' ORDER BY id;

-- A role with no privilege on eventlog gets its events recorded, under its
-- own name in db_user even when it claims another actor; it cannot write
-- the table itself.
CREATE ROLE eventlog_app LOGIN;
SET ROLE eventlog_app;
SELECT eventlog_log('by app', tool => 'roles', actor => 'postgres') IS NOT NULL AS logged;
SELECT eventlog_log('by app, default actor', tool => 'roles') IS NOT NULL AS logged;
INSERT INTO eventlog (message, db_user) VALUES ('forged', 'postgres');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT message, actor, db_user FROM eventlog WHERE tool = 'roles' ORDER BY id;

-- Events are transactional: a rolled-back transaction or savepoint leaves none.
SELECT count(*) AS before FROM eventlog \gset
BEGIN;
SELECT eventlog_log('rolled back') IS NOT NULL AS logged;
ROLLBACK;
BEGIN;
SAVEPOINT s;
SELECT eventlog_log('rolled back to savepoint') IS NOT NULL AS logged;
ROLLBACK TO SAVEPOINT s;
SELECT eventlog_log('kept', tool => 'tx') IS NOT NULL AS logged;
COMMIT;
SELECT count(*) - :before AS new_events, max(message) FILTER (WHERE tool = 'tx') AS kept FROM eventlog;

-- A read-only transaction cannot record events, as it cannot INSERT.
BEGIN READ ONLY;
SELECT eventlog_log('read only');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- Bad input records nothing and raises 22023.
SELECT count(*) AS before FROM eventlog \gset
SELECT eventlog_log('{missing}', '{"a": 1}');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_log('{a', '{"a": 1}');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_log('{a}', '[1]');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) - :before AS new_events FROM eventlog;

-- Values with odd text survive unchanged.
SELECT eventlog_log('quote '' and {{brace}}', object_type => 'public."Odd Name"', object_id => '[1,"a"]',
                    tool => E'tab\there') IS NOT NULL AS logged;
SELECT message, object_type, object_id, tool FROM eventlog ORDER BY id DESC LIMIT 1;

DROP ROLE eventlog_app;
