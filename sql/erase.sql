-- Erasure: eventlog_erase (keys of one object's events), eventlog_erase_actor
-- (an actor, replaced by a pseudonym), eventlog_erase_older (retention by
-- erasure). Values go from changes, values_json, context and messages;
-- keys stay, marked "[erased]"; each erasure is an event; the chain still
-- verifies, counts erased events, and still finds every other change.
-- (Dumps, several sessions, partitions and the update from 1.3:
-- test/integration/erasure*.sh.)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS eventlog;
RESET client_min_messages;
\set SHOW_CONTEXT never

-- What is there already is sealed; this file's events start after it.
SELECT last_id IS NOT NULL OR NOT EXISTS (SELECT FROM eventlog) AS sealed_so_far FROM eventlog_seal();
SELECT coalesce(pg_sequence_last_value('eventlog_id_seq'), 0) AS start \gset

-- A tracked table whose rows hold personal data, and events about them of
-- every kind: tracked changes (their messages name columns that change and
-- columns that do not), application events with values_json (a row nested
-- under another key, and values already rendered), context, a snapshot.
CREATE TABLE erase_person (id int PRIMARY KEY, name text, email text, profile jsonb);
INSERT INTO erase_person VALUES (1, 'Ann Smith', 'ann@example.org', '{"email": "ann@home.example", "city": "Oslo"}');
SELECT eventlog_track('erase_person', tool => 'people', snapshot => true,
                      messages => '{"create": "Created {new__name} <{new__email}>",
                                    "update": "{new__name}: {old__email} -> {new__email} by {actor}",
                                    "delete": "{old__name} left"}') IS NULL AS tracked;
BEGIN;
SET LOCAL eventlog.actor = 'Jane Roe';
SET LOCAL eventlog.context = '{"request_id": "r-1", "email": "ann@example.org", "user": {"email": "jane@corp.example"}}';
UPDATE erase_person SET email = 'ann.smith@example.org' WHERE id = 1;
UPDATE erase_person SET name = 'Ann B. Smith' WHERE id = 1;
SELECT eventlog_log('Mail to {person__email} about {item__name}',
                    jsonb_build_object('person__email', 'ann.smith@example.org',
                                       'item__name', jsonb_build_object('id', 7, 'name', 'Cert A',
                                                                        'owner', jsonb_build_object('email', 'ann.smith@example.org'))),
                    'public.erase_person', '1', actor => 'Jane Roe', tool => 'mail', action => 'notify') > 0 AS logged;
COMMIT;
INSERT INTO erase_person VALUES (2, 'Bob Stone', 'bob@example.org', NULL);
SELECT eventlog_log('Hello {who}', '{"who": "Jane Roe"}', tool => 'mail', actor => 'Jane Roe') > 0 AS logged;

CREATE FUNCTION pg_temp.events(from_id bigint) RETURNS TABLE (n bigint, actor text, message text, changes jsonb,
                                                              values_json jsonb, context jsonb)
LANGUAGE sql AS $$
    SELECT e.id - from_id, regexp_replace(e.actor, 'erased-actor-[0-9a-f]{16}', 'erased-actor-X'),
           regexp_replace(e.message, 'erased-actor-[0-9a-f]{16}', 'erased-actor-X', 'g'),
           e.changes, regexp_replace((e.values_json - 'records_digest' - 'erasure')::text, 'erased-actor-[0-9a-f]{16}',
                                     'erased-actor-X', 'g')::jsonb,
           e.context
    FROM eventlog e WHERE e.id > from_id ORDER BY e.id
$$;
SELECT * FROM pg_temp.events(:start);
-- The first few events are sealed; the rest are not yet.
SELECT last_id - :start AS sealed_up_to FROM eventlog_seal() \gset
UPDATE erase_person SET email = 'ann@late.example' WHERE id = 1;

-------------------------------------------------------------------------------
-- Who may erase: the log's owner and the members of its role.
-------------------------------------------------------------------------------
CREATE ROLE erase_stranger;
CREATE ROLE erase_owner_member;
GRANT SELECT ON erase_person TO erase_stranger;
SET ROLE erase_stranger;
SELECT eventlog_erase('public.erase_person', '1', '{email}');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_erase_actor('Jane Roe');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_erase_older('1 day', '{email}');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- EXECUTE granted changes nothing: the function itself asks for the owner.
GRANT EXECUTE ON FUNCTION eventlog_erase(text, text, text[], text) TO erase_stranger;
SET ROLE erase_stranger;
SELECT eventlog_erase('public.erase_person', '1', '{email}');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
REVOKE EXECUTE ON FUNCTION eventlog_erase(text, text, text[], text) FROM erase_stranger;
-- A member of the owner's role may.
SELECT c.relowner::regrole AS log_owner FROM pg_class c WHERE c.oid = 'eventlog'::regclass \gset
GRANT :"log_owner" TO erase_owner_member;
SET ROLE erase_owner_member;
SELECT eventlog_erase('public.erase_person', '2', '{no_such_key}') AS changed_by_a_member;
SELECT db_user, message FROM eventlog ORDER BY id DESC LIMIT 1;
RESET ROLE;
REVOKE :"log_owner" FROM erase_owner_member;

-- Bad arguments.
SELECT eventlog_erase('public.erase_person', '1', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_erase('public.erase_person', '1', '{email,NULL}');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_erase(NULL, '1');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_erase('app.invoice', '1');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_erase_older('-1 day', '{email}');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_erase_older('1 day', NULL);
\echo :LAST_ERROR_SQLSTATE
BEGIN READ ONLY;
SELECT eventlog_erase('public.erase_person', '1', '{email}');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT count(*) AS erase_events_so_far FROM eventlog WHERE id > :start AND action = 'erase';

-------------------------------------------------------------------------------
-- eventlog_erase: the email of person 1, everywhere.
-------------------------------------------------------------------------------
SELECT eventlog_erase('public.erase_person', '1', '{email}', 'erasure request 2026-17') AS changed;
SELECT * FROM pg_temp.events(:start);
-- Person 2 (same table, same keys) is untouched.
SELECT message, changes FROM eventlog WHERE object_type = 'public.erase_person' AND object_id = '2';
-- The erasure's own event: who, how many, which keys, why, and its records'
-- count and head; none of the erased values.
SELECT object_type, object_id, tool, action, message,
       values_json - 'records_digest' - 'erasure' AS values_json,
       length(values_json ->> 'records_digest') AS digest_hex_digits, db_user = current_user AS by_me
FROM eventlog WHERE id > :start AND action = 'erase';
SELECT count(*) AS records, bool_and(r.event_id - :start <= :sealed_up_to) AS only_sealed_events
FROM eventlog_erasures r
WHERE r.erasure = (SELECT (values_json ->> 'erasure')::bigint FROM eventlog
                   WHERE id > :start AND action = 'erase' AND values_json ? 'reason');
SELECT count(*) AS events_holding_an_erased_email FROM eventlog e
WHERE e.id > :start AND e::text ~ '(ann@example\.org|ann\.smith@example\.org|ann@home\.example|ann@late\.example)';
SELECT ok, checked > 0 AS checked_some, erased, first_bad_id, reason FROM eventlog_verify();
SELECT last_id IS NOT NULL AS sealed FROM eventlog_seal();
SELECT ok, erased, first_bad_id, reason FROM eventlog_verify();
-- Erasing again changes nothing more (the values are erased already), and
-- still records the request.
SELECT eventlog_erase('public.erase_person', '1', '{email}') AS changed_again;
SELECT message FROM eventlog ORDER BY id DESC LIMIT 1;

-------------------------------------------------------------------------------
-- eventlog_erase_actor: Jane Roe becomes one pseudonym, everywhere in her
-- events, and in the counts.
-------------------------------------------------------------------------------
SELECT eventlog_counts_fold() >= 0 AS folded;
SELECT (eventlog_page(actor => 'Jane Roe', page_size => 1) ->> 'count')::int AS jane_events_before \gset
SELECT :jane_events_before AS jane_events_before;
SELECT eventlog_erase_actor('Jane Roe', 'account closed') AS changed;
SELECT * FROM pg_temp.events(:start);
SELECT values_json ->> 'pseudonym' AS pseudonym FROM eventlog WHERE action = 'erase' ORDER BY id DESC LIMIT 1 \gset
SELECT count(DISTINCT actor) AS pseudonyms, min(actor) = :'pseudonym' AS the_recorded_one
FROM eventlog WHERE id > :start AND actor LIKE 'erased-actor-%';
SELECT (eventlog_page(actor => 'Jane Roe', page_size => 1) ->> 'count')::int AS jane_events,
       (eventlog_page(actor => :'pseudonym', page_size => 1) ->> 'count')::int = :jane_events_before AS moved;
SELECT count(*) AS jane_in_counts FROM eventlog_counts WHERE value = 'Jane Roe';
SELECT count(*) AS jane_in_deltas FROM eventlog_count_deltas WHERE actor = 'Jane Roe';
SELECT count(*) AS jane_anywhere FROM eventlog e WHERE e::text LIKE '%Jane Roe%';
SELECT ok, erased, first_bad_id, reason FROM eventlog_verify();

-- An actor known by its id too: its events under an earlier name (a user
-- renamed since) are its own as well. The name and the id both become the
-- pseudonym, in the events and in the counts (filters actor and actor_id).
SELECT eventlog_log('Login of {user}', '{"user": "Kim Old"}', tool => 'auth', actor => 'Kim Old', actor_id => 'u-42') > 0 AS logged;
SELECT eventlog_log('Login of {user}', '{"user": "Kim New"}', tool => 'auth', actor => 'Kim New', actor_id => 'u-42') > 0 AS logged;
SELECT eventlog_log('Hello', tool => 'auth', actor => 'Other', actor_id => 'u-7') > 0 AS logged;
SELECT eventlog_counts_fold() >= 0 AS folded;
SELECT eventlog_erase_actor('Kim New', 'account deleted') AS changed;
SELECT regexp_replace(actor, 'erased-actor-[0-9a-f]{16}', 'erased-actor-X') AS actor,
       regexp_replace(actor_id, 'erased-actor-[0-9a-f]{16}', 'erased-actor-X') AS actor_id,
       regexp_replace(message, 'erased-actor-[0-9a-f]{16}', 'erased-actor-X') AS message,
       regexp_replace(values_json::text, 'erased-actor-[0-9a-f]{16}', 'erased-actor-X') AS values_json
FROM eventlog WHERE tool = 'auth' ORDER BY id;
SELECT (eventlog_page(actor_id => 'u-42', page_size => 1) ->> 'count')::int AS u42_events,
       (eventlog_page(actor => 'Kim Old', page_size => 1) ->> 'count')::int AS kim_old_events,
       (SELECT count(*) FROM eventlog_counts WHERE value IN ('u-42', 'Kim Old', 'Kim New')) AS left_in_counts,
       (SELECT count(*) FROM eventlog_count_deltas WHERE actor IN ('Kim Old', 'Kim New') OR actor_id = 'u-42') AS left_in_deltas;
SELECT values_json ->> 'pseudonym' AS kim FROM eventlog WHERE action = 'erase' ORDER BY id DESC LIMIT 1 \gset
SELECT (eventlog_page(actor_id => :'kim', page_size => 1) ->> 'count')::int AS pseudonym_as_actor_id,
       (eventlog_page(actor => :'kim', page_size => 1) ->> 'count')::int AS pseudonym_as_actor;
-- By its id alone.
SELECT eventlog_erase_actor(NULL, actor_id => 'u-7') AS changed;
SELECT count(*) AS u7_left FROM eventlog WHERE actor_id = 'u-7' OR actor = 'Other';
SELECT eventlog_erase_actor(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT ok, erased > 0 AS has_erased, first_bad_id, reason FROM eventlog_verify();

-------------------------------------------------------------------------------
-- keys NULL: every column of the object's table but its primary key.
-------------------------------------------------------------------------------
DELETE FROM erase_person WHERE id = 1;
SELECT eventlog_erase('public.erase_person', '1') AS changed;
SELECT values_json -> 'keys' AS keys FROM eventlog ORDER BY id DESC LIMIT 1;
SELECT n, message, changes, values_json FROM pg_temp.events(:start) WHERE message NOT LIKE 'Erased%';
SELECT last_id IS NOT NULL AS sealed FROM eventlog_seal();
SELECT ok, erased, first_bad_id, reason FROM eventlog_verify();

-------------------------------------------------------------------------------
-- eventlog_erase_older: retention by erasure.
-------------------------------------------------------------------------------
INSERT INTO eventlog ("timestamp", message, tool, action, changes, template_message)
VALUES (now() - interval '100 days', 'old signup', 'signup', 'create',
        '{"old_value": {}, "new_value": {"email": "old@example.org", "plan": "free"}}', 'old signup'),
       (now() - interval '100 days', 'old order', 'orders', 'create',
        '{"old_value": {}, "new_value": {"email": "order@example.org"}}', 'old order');
SELECT eventlog_erase_older('90 days', '{email}', tool => 'signup', reason => 'retention: 90 days') AS changed;
SELECT tool, changes FROM eventlog WHERE message IN ('old signup', 'old order') ORDER BY tool;
SELECT regexp_replace(message, 'before \S+:', 'before <cutoff>:') AS message,
       values_json - 'records_digest' - 'erasure' - 'before' AS values_json,
       (values_json ->> 'before')::timestamptz BETWEEN now() - interval '91 days' AND now() - interval '90 days'
           AS before_is_the_cutoff
FROM eventlog ORDER BY id DESC LIMIT 1;

-------------------------------------------------------------------------------
-- Messages that cannot be read back along their template become
-- "[erased]" as a whole when they may hold an erased value.
-------------------------------------------------------------------------------
SELECT eventlog_log('{a}{b}', '{"a": "xy", "b": "z"}', 'app.thing', 't1') > 0 AS logged;
INSERT INTO eventlog (message, object_type, object_id, template_message, values_json, db_user)
VALUES ('written by hand: secret@example.org', 'app.thing', 't1', 'Mail {email}', '{"email": "secret@example.org"}', 'someone');
SELECT eventlog_erase('app.thing', 't1', '{email,b}') AS changed;
SELECT message, values_json - 'records_digest' - 'erasure' AS values_json FROM eventlog WHERE object_type = 'app.thing' ORDER BY id;

-------------------------------------------------------------------------------
-- The guard stays shut for everything else.
-------------------------------------------------------------------------------
UPDATE eventlog SET message = 'x' WHERE id = :start + 1;
\echo :LAST_ERROR_SQLSTATE
UPDATE eventlog_erasures SET current = '\x00';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM eventlog_erasures;
\echo :LAST_ERROR_SQLSTATE
UPDATE eventlog_seal_secrets SET secret = '\x00';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM eventlog_seal_secrets;
\echo :LAST_ERROR_SQLSTATE
-- Only the owner reads the secrets and the erasure records.
SET ROLE erase_stranger;
SELECT count(*) FROM eventlog_seal_secrets;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM eventlog_erasures;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-------------------------------------------------------------------------------
-- Tampering behind the triggers' back is still found (as a superuser, in
-- replica mode); each edit is put back after.
-------------------------------------------------------------------------------
SELECT last_id IS NOT NULL AS sealed FROM eventlog_seal();
SELECT ok, erased > 0 AS has_erased FROM eventlog_verify();
SELECT min(r.event_id) AS erased_id FROM eventlog_erasures r WHERE r.event_id > :start \gset
SELECT min(id) AS plain_id FROM eventlog WHERE id > :start AND id NOT IN (SELECT event_id FROM eventlog_erasures)
       AND tool IS DISTINCT FROM 'eventlog' \gset
CREATE TEMP TABLE saved_event AS SELECT * FROM eventlog WHERE id = :erased_id;
CREATE TEMP TABLE saved_plain AS SELECT * FROM eventlog WHERE id = :plain_id;
CREATE TEMP TABLE saved_records AS SELECT * FROM eventlog_erasures;
CREATE TEMP TABLE saved_erase_events AS SELECT * FROM eventlog WHERE action = 'erase';
CREATE FUNCTION pg_temp.put_back() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM eventlog WHERE id IN (SELECT id FROM saved_event UNION ALL SELECT id FROM saved_plain
                                      UNION ALL SELECT id FROM saved_erase_events);
    INSERT INTO eventlog SELECT * FROM saved_event UNION ALL SELECT * FROM saved_plain
                         UNION ALL SELECT * FROM saved_erase_events;
    DELETE FROM eventlog_erasures;
    INSERT INTO eventlog_erasures SELECT * FROM saved_records;
    RETURN (SELECT ok FROM eventlog_verify());
END
$$;
SET session_replication_role = replica;
-- a kept field of an erased event
UPDATE eventlog SET object_id = '99' WHERE id = :erased_id;
SELECT ok, first_bad_id = :erased_id AS at_it, reason FROM eventlog_verify();
SELECT pg_temp.put_back() AS put_back;
-- an erased event "restored" with a made-up value
UPDATE eventlog SET changes = jsonb_set(changes, '{new_value,email}', '"made.up@example.org"') WHERE id = :erased_id;
SELECT ok, first_bad_id = :erased_id AS at_it, reason FROM eventlog_verify();
-- ...and its erasure record made to agree with it
UPDATE eventlog_erasures r SET current = sha256(k.secret || convert_to(eventlog_seal_erasable(e), 'UTF8'))
FROM eventlog e, eventlog_seal_secrets k
WHERE e.id = r.event_id AND k.id = e.id AND r.event_id = :erased_id
  AND r.erasure = (SELECT max(erasure) FROM eventlog_erasures WHERE event_id = :erased_id);
SELECT ok, first_bad_id IN (SELECT id FROM eventlog WHERE action = 'erase') AS at_an_erase_event, reason FROM eventlog_verify();
SELECT pg_temp.put_back() AS put_back;
-- an erasure record altered, removed, added
UPDATE eventlog_erasures SET sealed = sha256(sealed) WHERE event_id = :erased_id;
SELECT ok, reason FROM eventlog_verify();
SELECT pg_temp.put_back() AS put_back;
DELETE FROM eventlog_erasures WHERE event_id = :erased_id;
SELECT ok, reason FROM eventlog_verify();
SELECT pg_temp.put_back() AS put_back;
INSERT INTO eventlog_erasures SELECT erasure, ord + 1000, :plain_id, sealed, current FROM eventlog_erasures
WHERE event_id = :erased_id ORDER BY erasure LIMIT 1;
SELECT ok, reason FROM eventlog_verify();
SELECT pg_temp.put_back() AS put_back;
INSERT INTO eventlog_erasures SELECT 999999, 1, :plain_id, sealed, current FROM eventlog_erasures
WHERE event_id = :erased_id ORDER BY erasure LIMIT 1;
SELECT ok, first_bad_id = :plain_id AS at_it, reason FROM eventlog_verify();
SELECT pg_temp.put_back() AS put_back;
-- an erase event's record of its records
UPDATE eventlog SET values_json = jsonb_set(values_json, '{records}', to_jsonb((values_json ->> 'records')::int - 1))
WHERE id = (SELECT min(id) FROM eventlog WHERE action = 'erase' AND id > :start AND (values_json ->> 'records')::int > 0);
SELECT ok, reason FROM eventlog_verify();
SELECT pg_temp.put_back() AS put_back;
-- an event never erased
UPDATE eventlog SET message = 'rewritten' WHERE id = :plain_id;
SELECT ok, first_bad_id = :plain_id AS at_it, reason FROM eventlog_verify();
SELECT pg_temp.put_back() AS put_back;
-- an erased event removed
DELETE FROM eventlog WHERE id = :erased_id;
SELECT ok, first_bad_id = :erased_id AS at_it, reason FROM eventlog_verify();
SELECT pg_temp.put_back() AS put_back;
RESET session_replication_role;
SELECT ok, erased > 0 AS has_erased, first_bad_id, reason FROM eventlog_verify();

-------------------------------------------------------------------------------
-- Events sealed before 1.4 (encoding 1) cannot be erased: 55000, nothing
-- changed. (A record turned into one by hand here; the real update from 1.3
-- is test/integration/erasure_upgrade.sh.)
-------------------------------------------------------------------------------
INSERT INTO erase_person VALUES (3, 'Cy Old', 'cy@example.org', NULL);
SELECT last_id IS NOT NULL AS sealed FROM eventlog_seal();
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE eventlog_seals SET encoding = 1 WHERE sealed_to = (SELECT max(sealed_to) FROM eventlog_seals);
SET LOCAL session_replication_role = origin;
\set VERBOSITY sqlstate
SELECT eventlog_erase('public.erase_person', '3', '{email}');
\set VERBOSITY default
ROLLBACK;
SELECT regexp_replace(:'LAST_ERROR_MESSAGE', '[0-9]+', 'N') AS message;
SELECT changes -> 'new_value' ->> 'email' AS still_there FROM eventlog WHERE object_type = 'public.erase_person' AND object_id = '3';
-- Not yet sealed: erasable.
INSERT INTO erase_person VALUES (4, 'Di New', 'di@example.org', NULL);
SELECT eventlog_erase('public.erase_person', '4', '{email}') AS changed;

DROP TABLE erase_person;
DROP ROLE erase_stranger;
DROP ROLE erase_owner_member;
