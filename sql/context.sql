-- Context: eventlog.context (a JSON object, checked when set) is stored with
-- every event of the transaction, logged or tracked; eventlog_log's context
-- argument is merged over it, key by key.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS eventlog;
RESET client_min_messages;
CREATE TEMP TABLE ctx_base AS SELECT coalesce(max(id), 0) AS start FROM eventlog;
CREATE TABLE ctx_item (id int PRIMARY KEY, v text);
SELECT eventlog_track('ctx_item', tool => 'ctx');

-- Unset: NULL.
SHOW eventlog.context;
SELECT eventlog_log('no context', tool => 'ctx') > 0 AS logged;

-- Set for one transaction: every event of it, logged or tracked (one
-- statement, several rows), carries it; the next transaction does not.
BEGIN;
SET LOCAL eventlog.context = '{"request_id": "r-1", "path": "/api/items", "method": "POST"}';
INSERT INTO ctx_item VALUES (1, 'a'), (2, 'b');
SELECT eventlog_log('in the request', tool => 'ctx') > 0 AS logged;
-- merged: the argument's keys win, the others stay
SELECT eventlog_log('merged', tool => 'ctx', context => '{"method": "PUT", "reason": "fix"}') > 0 AS logged;
COMMIT;
UPDATE ctx_item SET v = 'after' WHERE id = 1;
-- the argument alone
SELECT eventlog_log('own only', tool => 'ctx', context => '{"job": 7}') > 0 AS logged;
-- eventlog_log_row passes it on
SELECT eventlog_log_row(c, 'row with context', tool => 'ctx', context => '{"via": "row"}') > 0 AS logged
FROM ctx_item c WHERE id = 2;
SELECT action, message, context FROM eventlog WHERE id > (SELECT start FROM ctx_base) ORDER BY id;

-- Refused when set (22023), whatever is not one JSON object; the value in
-- force stays. '' unsets it.
SET eventlog.context = '{"kept": true}';
\set VERBOSITY terse
SET eventlog.context = '[1, 2]';
\echo :LAST_ERROR_SQLSTATE
SET eventlog.context = '"text"';
\echo :LAST_ERROR_SQLSTATE
SET eventlog.context = 'not json';
\echo :LAST_ERROR_SQLSTATE
SET eventlog.context = '{"a": 1';
\echo :LAST_ERROR_SQLSTATE
SET eventlog.context = '{"a": "\u0000"}';
\echo :LAST_ERROR_SQLSTATE
SELECT set_config('eventlog.context', '42', false);
\echo :LAST_ERROR_SQLSTATE
-- the argument must be an object too
SELECT eventlog_log('bad', context => '[1]');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_log('bad', context => '"x"');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
SHOW eventlog.context;
SELECT eventlog_log('kept', tool => 'ctx') > 0 AS logged;
SET eventlog.context = '';
SELECT eventlog_log('unset again', tool => 'ctx') > 0 AS logged;
RESET eventlog.context;
SELECT message, context FROM eventlog WHERE id > (SELECT start FROM ctx_base) AND message IN ('kept', 'unset again') ORDER BY id;

-- A rolled-back SET LOCAL leaves nothing behind.
BEGIN;
SET LOCAL eventlog.context = '{"rolled": "back"}';
ROLLBACK;
SELECT eventlog_log('after rollback', tool => 'ctx') > 0 AS logged;
SELECT context IS NULL AS no_context FROM eventlog WHERE id > (SELECT start FROM ctx_base) AND message = 'after rollback';

DROP TABLE ctx_item;
