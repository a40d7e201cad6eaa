-- Tamper evidence: eventlog_seal extends a SHA-256 hash chain over the
-- committed events; eventlog_verify recomputes it and names the first event
-- changed, removed or slipped in, or a seal record altered. (The seal held
-- back by a transaction still in flight needs two sessions:
-- test/integration/seal.sh, which also recomputes the chain outside the
-- database.)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS eventlog;
RESET client_min_messages;
\set VERBOSITY terse

-- Whatever is in the log already is sealed first; then this file's events.
SELECT last_id IS NOT NULL OR NOT EXISTS (SELECT FROM eventlog) AS sealed_so_far FROM eventlog_seal();
SELECT ok, first_bad_id, reason FROM eventlog_verify();
SELECT coalesce(max(id), 0) AS start FROM eventlog \gset
CREATE TABLE seal_item (id int PRIMARY KEY, v text);
SELECT eventlog_track('seal_item', tool => 'seal');
INSERT INTO seal_item SELECT g, 'v' || g FROM generate_series(1, 30) g;
SELECT eventlog_log(E'odd text: tab\there, newline\nthere, back\\slash, é', tool => 'seal',
                    context => '{"k": "v\t"}') > 0 AS logged;
SELECT last_id = (SELECT max(id) FROM eventlog) AS sealed_to_the_end, length(digest) AS hex_digits FROM eventlog_seal();
-- Sealing again with nothing new: the same head, no new record.
SELECT count(*) AS records_before FROM eventlog_seals \gset
SELECT digest = (SELECT encode(x.digest, 'hex') FROM eventlog_seals x ORDER BY sealed_to DESC LIMIT 1) AS same_head FROM eventlog_seal();
SELECT count(*) = :records_before AS no_new_record FROM eventlog_seals;
SELECT ok, checked >= 31 AS checked_all, first_bad_id, reason FROM eventlog_verify();

-- The chain is what the README says: sha256(previous || line), from 32 zero
-- bytes, where line is the kept fields and the hex of sha256(the event's
-- secret || its erasable fields) (encoding 2).
CREATE FUNCTION pg_temp.recomputed_head() RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE
    h bytea := decode(repeat('00', 32), 'hex');
    e record;
BEGIN
    FOR e IN SELECT eventlog_seal_kept(l) || E'\t'
                    || encode(sha256(k.secret || convert_to(eventlog_seal_erasable(l), 'UTF8')), 'hex') AS line
             FROM eventlog l JOIN eventlog_seal_secrets k ON k.id = l.id
             WHERE l.id <= (SELECT max(sealed_to) FROM eventlog_seals) ORDER BY l.id LOOP
        h := sha256(h || convert_to(e.line, 'UTF8'));
    END LOOP;
    RETURN h;
END
$$;
SELECT count(*) = (SELECT count(*) FROM eventlog WHERE id <= (SELECT max(sealed_to) FROM eventlog_seals))
       AS a_secret_per_sealed_event,
       bool_and(octet_length(secret) = 32) AS secrets_of_32_bytes,
       count(DISTINCT secret) = count(*) AS secrets_differ
FROM eventlog_seal_secrets;
SELECT DISTINCT encoding FROM eventlog_seals;
-- One field as COPY prints it, and the two halves of an event.
SELECT eventlog_seal_field(E'tab\there, new\nline, back\\slash, \b\f\r' || chr(11)) AS escaped,
       eventlog_seal_field(NULL) AS null_field;
SELECT pg_temp.recomputed_head() = (SELECT digest FROM eventlog_seals ORDER BY sealed_to DESC LIMIT 1)
       AS chain_recomputed_in_sql;

-- The seal records are append-only too.
UPDATE eventlog_seals SET digest = '\x00';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM eventlog_seals;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE eventlog_seals;
\echo :LAST_ERROR_SQLSTATE

-- A superuser edits history behind the triggers' back (replica mode): each
-- kind of edit is found, then put back. (Verified from this file's first
-- event on: the chain before it is followed as recorded.)
SET session_replication_role = replica;
-- changed
UPDATE eventlog SET message = 'rewritten' WHERE id = :start + 7;
SELECT ok, first_bad_id - :start AS bad, reason FROM eventlog_verify(from_id => :start + 1);
UPDATE eventlog SET message = 'public.seal_item 7 was created by postgres.' WHERE id = :start + 7;
SELECT ok FROM eventlog_verify(from_id => :start + 1);
-- a change that leaves the message alone (the context)
UPDATE eventlog SET context = '{"k": "w"}' WHERE id = (SELECT max(id) FROM eventlog WHERE tool = 'seal');
SELECT ok, first_bad_id = (SELECT max(id) FROM eventlog WHERE tool = 'seal') AS bad_is_that_event, reason FROM eventlog_verify(from_id => :start + 1);
UPDATE eventlog SET context = E'{"k": "v\\t"}' WHERE id = (SELECT max(id) FROM eventlog WHERE tool = 'seal');
SELECT ok FROM eventlog_verify(from_id => :start + 1);
-- removed
CREATE TEMP TABLE removed AS SELECT * FROM eventlog WHERE id = :start + 12;
DELETE FROM eventlog WHERE id = :start + 12;
SELECT ok, first_bad_id - :start AS bad, reason FROM eventlog_verify(from_id => :start + 1);
INSERT INTO eventlog SELECT * FROM removed;
SELECT ok FROM eventlog_verify(from_id => :start + 1);
-- slipped in, with an id inside the sealed range (a rolled-back id)
BEGIN;
SELECT eventlog_log('rolled back') AS burned_id \gset
ROLLBACK;
SELECT eventlog_log('after the burned id', tool => 'seal') > 0 AS logged;
SELECT last_id > :burned_id AS sealed_past_the_burned_id FROM eventlog_seal();
INSERT INTO eventlog (id, message, db_user) VALUES (:burned_id, 'slipped in', 'postgres');
SELECT ok, first_bad_id = :burned_id AS bad_is_the_slipped_one, reason FROM eventlog_verify(from_id => :start + 1);
DELETE FROM eventlog WHERE id = :burned_id;
SELECT ok FROM eventlog_verify(from_id => :start + 1);
-- a seal record altered
UPDATE eventlog_seals SET ids[2] = ids[2] + 1000000 WHERE sealed_to = (SELECT max(sealed_to) FROM eventlog_seals WHERE cardinality(ids) > 1);
SELECT ok, reason FROM eventlog_verify(from_id => :start + 1);
UPDATE eventlog_seals SET ids[2] = ids[2] - 1000000 WHERE sealed_to = (SELECT max(sealed_to) FROM eventlog_seals WHERE cardinality(ids) > 1);
SELECT encode(prev_digest, 'hex') AS saved_prev FROM eventlog_seals ORDER BY sealed_to DESC LIMIT 1 \gset
UPDATE eventlog_seals SET prev_digest = digest WHERE sealed_to = (SELECT max(sealed_to) FROM eventlog_seals);
SELECT ok, reason FROM eventlog_verify(from_id => :start + 1);
UPDATE eventlog_seals SET prev_digest = decode(:'saved_prev', 'hex') WHERE sealed_to = (SELECT max(sealed_to) FROM eventlog_seals);
SELECT ok FROM eventlog_verify(from_id => :start + 1);
RESET session_replication_role;

-- Only roles that see every event may seal or verify.
CREATE ROLE seal_stranger;
SET ROLE seal_stranger;
SELECT * FROM eventlog_seal();
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
GRANT EXECUTE ON FUNCTION eventlog_seal(), eventlog_verify(bigint, bigint) TO seal_stranger;
SET ROLE seal_stranger;
SELECT * FROM eventlog_seal();
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM eventlog_verify();
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
REVOKE EXECUTE ON FUNCTION eventlog_seal(), eventlog_verify(bigint, bigint) FROM seal_stranger;
DROP ROLE seal_stranger;

-- A purge removes events legitimately: what is left still verifies, and an
-- event removed past the purge's cutoff is still found.
SELECT eventlog_log('before the purge', tool => 'seal') > 0 AS logged;
SELECT last_id IS NOT NULL AS sealed FROM eventlog_seal();
SELECT eventlog_purge('0') > 0 AS purged;
SELECT last_id IS NOT NULL AS sealed FROM eventlog_seal();
SELECT count(*) AS events_left, min(action) AS action FROM eventlog;
SELECT ok, reason FROM eventlog_verify();
SET session_replication_role = replica;
CREATE TEMP TABLE purge_event AS SELECT * FROM eventlog WHERE action = 'purge';
DELETE FROM eventlog WHERE action = 'purge';
SELECT ok, reason FROM eventlog_verify();
INSERT INTO eventlog SELECT * FROM purge_event;
RESET session_replication_role;
SELECT ok, reason FROM eventlog_verify();

DROP TABLE seal_item;
