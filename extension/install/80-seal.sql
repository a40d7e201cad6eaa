-------------------------------------------------------------------------------
-- Tamper evidence: a SHA-256 hash chain over the committed events
-------------------------------------------------------------------------------

-- Each seal record covers the event ids in (sealed_from, sealed_to]: the
-- ids of the events it sealed, in order, their times, and the chain value
-- after each (32 bytes each, concatenated): chain(e) = sha256(chain(previous
-- event) || line(e)), starting from prev_digest (32 zero bytes for the
-- first record); digest is the chain value after its last event.
--
-- line(e) depends on the record's encoding (README: Tamper evidence):
--   1 (records written before 1.4): eventlog_seal_line(e), the text COPY
--     prints for the event's columns with TimeZone UTC and DateStyle ISO;
--   2 (from 1.4 on): eventlog_seal_kept(e) || E'\t' || hex(c(e)), where
--     c(e) = sha256(secret(e) || eventlog_seal_erasable(e)): the fields that
--     are never erased in the clear, the erasable ones (actor, actor_id,
--     message, changes, values_json, context) only through a commitment under a
--     random 32-byte secret of the event's own, made when it is sealed
--     (eventlog_seal_secrets). Erasing an event destroys its secret, so that
--     nothing kept lets anyone test a guess of an erased value.
CREATE TABLE @extschema@.eventlog_seals (
    sealed_from  bigint      NOT NULL,
    sealed_to    bigint      NOT NULL,
    ids          bigint[]    NOT NULL,
    times        timestamptz[] NOT NULL,
    chain        bytea       NOT NULL,
    prev_digest  bytea       NOT NULL,
    digest       bytea       NOT NULL,
    sealed_at    timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    encoding     integer     NOT NULL DEFAULT 2,
    CONSTRAINT eventlog_seals_pkey PRIMARY KEY (sealed_to)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.eventlog_seals', '');
REVOKE ALL ON TABLE @extschema@.eventlog_seals FROM PUBLIC;
GRANT SELECT ON TABLE @extschema@.eventlog_seals TO PUBLIC;
CREATE TRIGGER eventlog_seals_append_only
    BEFORE UPDATE OR DELETE ON @extschema@.eventlog_seals
    FOR EACH ROW EXECUTE FUNCTION @extschema@.eventlog_refuse_rewrite();
CREATE TRIGGER eventlog_seals_append_only_truncate
    BEFORE TRUNCATE ON @extschema@.eventlog_seals
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.eventlog_refuse_rewrite();
COMMENT ON TABLE @extschema@.eventlog_seals IS
'The hash chain of eventlog_seal, one record per batch of sealed events (ids in (sealed_from, sealed_to]); append-only';
COMMENT ON COLUMN @extschema@.eventlog_seals.sealed_from IS 'The record covers event ids above this one...';
COMMENT ON COLUMN @extschema@.eventlog_seals.sealed_to IS '...up to and including this one (no event with a smaller id could still commit when it was sealed)';
COMMENT ON COLUMN @extschema@.eventlog_seals.ids IS 'The ids of the events sealed, in order';
COMMENT ON COLUMN @extschema@.eventlog_seals.times IS 'Their "timestamp"s (a sealed event older than a purge''s cutoff may be missing)';
COMMENT ON COLUMN @extschema@.eventlog_seals.chain IS 'The chain value after each event, 32 bytes each';
COMMENT ON COLUMN @extschema@.eventlog_seals.prev_digest IS 'The chain value before the first event: the previous record''s digest (32 zero bytes for the first record)';
COMMENT ON COLUMN @extschema@.eventlog_seals.digest IS 'The chain value after the last event (prev_digest when the record sealed none)';
COMMENT ON COLUMN @extschema@.eventlog_seals.sealed_at IS 'When the record was written';
COMMENT ON COLUMN @extschema@.eventlog_seals.encoding IS
'How its events were hashed: 1, eventlog_seal_line (records written before 1.4, whose events cannot be erased); 2, eventlog_seal_kept and a commitment to eventlog_seal_erasable under the event''s secret';

-- The secrets of the events sealed under encoding 2, one row per event,
-- made by eventlog_seal (never at write time). Erasure replaces an event's
-- secret (the old one is gone: its commitment can no longer be tested
-- against guesses); eventlog_purge removes the secrets of the events it
-- removes. Readable by the log's owner only: with a secret and the public
-- chain, a guess of the event's values could be tested.
CREATE TABLE @extschema@.eventlog_seal_secrets (
    id     bigint NOT NULL,
    secret bytea  NOT NULL,
    CONSTRAINT eventlog_seal_secrets_pkey PRIMARY KEY (id)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.eventlog_seal_secrets', '');
REVOKE ALL ON TABLE @extschema@.eventlog_seal_secrets FROM PUBLIC;
CREATE TRIGGER eventlog_seal_secrets_append_only
    BEFORE UPDATE OR DELETE ON @extschema@.eventlog_seal_secrets
    FOR EACH ROW EXECUTE FUNCTION @extschema@.eventlog_refuse_rewrite();
CREATE TRIGGER eventlog_seal_secrets_append_only_truncate
    BEFORE TRUNCATE ON @extschema@.eventlog_seal_secrets
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.eventlog_refuse_rewrite();
COMMENT ON TABLE @extschema@.eventlog_seal_secrets IS
'The random secret of each event sealed under encoding 2 (c(e) = sha256(secret || eventlog_seal_erasable(e))); replaced by erasure, removed by eventlog_purge, changed by nothing else; the owner''s only';
COMMENT ON COLUMN @extschema@.eventlog_seal_secrets.id IS 'The event';
COMMENT ON COLUMN @extschema@.eventlog_seal_secrets.secret IS '32 random bytes (pg_strong_random), made when the event was sealed or last erased';

-- One record per event an erasure changed after it was sealed: the
-- commitment its seal chained (c(e) over the fields as they were), which
-- verification now takes from here, and the commitment to its fields after
-- the erasure under its new secret, which verification checks the event
-- against. The records of one erasure form a hash chain whose head the
-- erasure's own event (tool eventlog, action erase, values_json "erasure",
-- "records" and "records_digest") keeps, and that event is sealed like any
-- other: an altered, removed or added record is found.
CREATE SEQUENCE @extschema@.eventlog_erasure_seq AS bigint;
CREATE TABLE @extschema@.eventlog_erasures (
    erasure   bigint NOT NULL,
    ord       integer NOT NULL,
    event_id  bigint NOT NULL,
    sealed    bytea  NOT NULL,
    current   bytea  NOT NULL,
    CONSTRAINT eventlog_erasures_pkey PRIMARY KEY (event_id, erasure),
    CONSTRAINT eventlog_erasures_ord_key UNIQUE (erasure, ord)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.eventlog_erasures', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.eventlog_erasure_seq', '');
REVOKE ALL ON TABLE @extschema@.eventlog_erasures FROM PUBLIC;
REVOKE ALL ON SEQUENCE @extschema@.eventlog_erasure_seq FROM PUBLIC;
CREATE TRIGGER eventlog_erasures_append_only
    BEFORE UPDATE OR DELETE ON @extschema@.eventlog_erasures
    FOR EACH ROW EXECUTE FUNCTION @extschema@.eventlog_refuse_rewrite();
CREATE TRIGGER eventlog_erasures_append_only_truncate
    BEFORE TRUNCATE ON @extschema@.eventlog_erasures
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.eventlog_refuse_rewrite();
COMMENT ON SEQUENCE @extschema@.eventlog_erasure_seq IS 'Numbers of erasures (eventlog_erasures.erasure, the erase event''s values_json "erasure")';
COMMENT ON TABLE @extschema@.eventlog_erasures IS
'One record per sealed event an erasure changed: what its seal chained, and a commitment to what the erasure left; append-only, chained per erasure into its erase event';
COMMENT ON COLUMN @extschema@.eventlog_erasures.erasure IS 'The erasure (the erase event''s values_json "erasure")';
COMMENT ON COLUMN @extschema@.eventlog_erasures.ord IS 'The record''s place in its erasure''s chain, from 1';
COMMENT ON COLUMN @extschema@.eventlog_erasures.event_id IS 'The event changed';
COMMENT ON COLUMN @extschema@.eventlog_erasures.sealed IS 'c(e) as its seal chained it (a commitment under a secret destroyed since)';
COMMENT ON COLUMN @extschema@.eventlog_erasures.current IS 'sha256(new secret || eventlog_seal_erasable(e)) of the event as the erasure left it';

-- Where the next seal may go: the sequence position and the transaction
-- horizon seen by an earlier call; once every transaction older than
-- pending_xmax has ended, no id up to pending_last can still commit.
CREATE TABLE @extschema@.eventlog_seal_state (
    pending_last bigint,
    pending_xmax xid8,
    singleton    boolean NOT NULL DEFAULT true CHECK (singleton),
    CONSTRAINT eventlog_seal_state_pkey PRIMARY KEY (singleton)
);
INSERT INTO @extschema@.eventlog_seal_state DEFAULT VALUES;
REVOKE ALL ON TABLE @extschema@.eventlog_seal_state FROM PUBLIC;
COMMENT ON TABLE @extschema@.eventlog_seal_state IS
'eventlog_seal''s memory between calls: the id sequence position and transaction horizon it saw (not dumped: transaction ids do not survive a restore)';

CREATE FUNCTION @extschema@.eventlog_seal_line(e @extschema@.eventlog)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    fields text[];
    f text;
    line text := '';
    i integer := 0;
    ts text := to_char(e."timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US');
BEGIN
    -- Escaped as COPY escapes (backslash, then \b \f \n \r \t and \v, which
    -- E'' strings cannot spell: chr(11)). The time as COPY prints timestamptz
    -- with TimeZone UTC and DateStyle ISO:
    -- microseconds without trailing zeros, no fraction when they are 0.
    ts := rtrim(rtrim(ts, '0'), '.') || '+00';
    fields := ARRAY[e.id::text, ts, e.actor, e.message, e.object_type, e.object_id, e.tool, e.action,
                    e.changes::text, e.db_user, e.template_message, e.values_json::text,
                    e.transaction_id::text, e.context::text];
    -- actor_id (1.4) follows as a 15th field only when the event has one:
    -- events without it, older ones included, keep their lines (and the
    -- chain sealed before the update stays verifiable).
    IF e.actor_id IS NOT NULL THEN
        fields := fields || e.actor_id;
    END IF;
    FOREACH f IN ARRAY fields LOOP
        i := i + 1;
        IF i > 1 THEN line := line || E'\t'; END IF;
        IF f IS NULL THEN
            line := line || '\N';
        ELSE
            line := line || replace(replace(replace(replace(replace(replace(replace(f,
                        '\', '\\'), E'\b', '\b'), E'\f', '\f'), E'\n', '\n'), E'\r', '\r'), E'\t', '\t'), chr(11), '\v');
        END IF;
    END LOOP;
    RETURN line;
END
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_seal_line(@extschema@.eventlog) IS
'The bytes (UTF-8) an event contributes to the hash chain: the line COPY (SELECT id, "timestamp", actor, message, object_type, object_id, tool, action, changes, db_user, template_message, values_json, transaction_id, context FROM eventlog) TO STDOUT prints for it with TimeZone UTC and DateStyle ISO, followed by a tab and actor_id (escaped alike) when actor_id is not NULL';

-- Encoding 2 (from 1.4 on). One field as COPY prints it (\N for NULL, COPY's
-- escapes); the kept fields and the erasable fields of an event, each as
-- their COPY line would be (tab-separated). SQL functions, inlined where
-- they are called.
CREATE FUNCTION @extschema@.eventlog_seal_field(field text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $function$
SELECT COALESCE(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
           pg_catalog.replace(pg_catalog.replace(field, '\', '\\'), E'\b', '\b'), E'\f', '\f'), E'\n', '\n'),
           E'\r', '\r'), E'\t', '\t'), pg_catalog.chr(11), '\v'), '\N')
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_seal_field(text) IS
'One field as COPY text prints it: \N for NULL, backslash, \b \f \n \r \t \v escaped';

CREATE FUNCTION @extschema@.eventlog_seal_kept(e @extschema@.eventlog)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $function$
SELECT pg_catalog.concat_ws(E'\t', e.id::text,
    pg_catalog.rtrim(pg_catalog.rtrim(pg_catalog.to_char(e."timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'),
                                      '0'), '.') OPERATOR(pg_catalog.||) '+00',
    @extschema@.eventlog_seal_field(e.object_type), @extschema@.eventlog_seal_field(e.object_id),
    @extschema@.eventlog_seal_field(e.tool), @extschema@.eventlog_seal_field(e.action),
    @extschema@.eventlog_seal_field(e.db_user), @extschema@.eventlog_seal_field(e.template_message),
    e.transaction_id::text)
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_seal_kept(@extschema@.eventlog) IS
'The fields of an event that erasure never changes, as COPY (SELECT id, "timestamp", object_type, object_id, tool, action, db_user, template_message, transaction_id FROM eventlog) TO STDOUT prints them with TimeZone UTC and DateStyle ISO (encoding 2 of the hash chain)';

CREATE FUNCTION @extschema@.eventlog_seal_erasable(e @extschema@.eventlog)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $function$
SELECT pg_catalog.concat_ws(E'\t', @extschema@.eventlog_seal_field(e.actor), @extschema@.eventlog_seal_field(e.actor_id),
    @extschema@.eventlog_seal_field(e.message), @extschema@.eventlog_seal_field(e.changes::text),
    @extschema@.eventlog_seal_field(e.values_json::text), @extschema@.eventlog_seal_field(e.context::text))
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_seal_erasable(@extschema@.eventlog) IS
'The fields of an event that erasure may change, as COPY (SELECT actor, actor_id, message, changes, values_json, context FROM eventlog) TO STDOUT prints them (encoding 2 of the hash chain commits to them through the event''s secret)';

CREATE FUNCTION @extschema@.eventlog_seal_secret()
RETURNS bytea
LANGUAGE c VOLATILE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'eventlog_seal_secret';

REVOKE ALL ON FUNCTION @extschema@.eventlog_seal_secret() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.eventlog_seal_secret() IS
'32 bytes from PostgreSQL''s strong random source (pg_strong_random): an event''s secret';

CREATE FUNCTION @extschema@.eventlog_next_xid()
RETURNS xid8
LANGUAGE c VOLATILE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'eventlog_next_xid';

REVOKE ALL ON FUNCTION @extschema@.eventlog_next_xid() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.eventlog_next_xid() IS
'The next transaction id to be assigned (none is assigned): eventlog_seal''s bound on the transactions that may still hold an event id';

CREATE FUNCTION @extschema@.eventlog_seal()
RETURNS TABLE (last_id bigint, digest text)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    batch_size constant integer := 10000;
    state record;
    sequence_last bigint;
    sequence_called boolean;
    oldest xid8;
    newest xid8;
    sealed_to bigint;
    horizon bigint;
    prev bytea;
    record_prev bytea;
    record_from bigint;
    ids bigint[] := '{}';
    times timestamptz[] := '{}';
    chain bytea := '';
    secrets bytea[] := '{}';
    secret bytea;
    e record;
    last_sealed bigint;
BEGIN
    IF row_security_active('@extschema@.eventlog'::regclass) THEN
        RAISE EXCEPTION 'eventlog_seal: the sealing role must see every event'
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Call it as the log''s owner, a superuser or a BYPASSRLS role.';
    END IF;
    -- One sealer at a time, and never while an erasure runs (erasures take
    -- the same lock); writers never wait for it.
    PERFORM pg_advisory_xact_lock(hashtextextended('eventlog seal', '@extschema@.eventlog'::regclass::oid::bigint));
    IF (SELECT s.seqcache FROM pg_sequence s WHERE s.seqrelid = '@extschema@.eventlog_id_seq'::regclass) <> 1 THEN
        RAISE EXCEPTION 'eventlog_seal: eventlog_id_seq must have CACHE 1'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Cached ids are handed out out of order, so no id horizon can be known.';
    END IF;

    -- The sequence first, then the transactions: an event id is always
    -- taken by a transaction that already has its xid (the writer makes
    -- sure), so every id up to sequence_last belongs to a transaction
    -- older than newest, the next transaction id to be assigned. (Not the
    -- snapshot's xmax: that is the latest completed one's successor, and
    -- transactions running with newer xids are in no snapshot's list.)
    -- Then a snapshot: its xmin reaches newest once every transaction
    -- older than newest has ended (this one's own xid, if it has one,
    -- counts as running).
    SELECT s.last_value, s.is_called INTO sequence_last, sequence_called FROM @extschema@.eventlog_id_seq s;
    IF NOT sequence_called THEN sequence_last := sequence_last - 1; END IF;
    newest := @extschema@.eventlog_next_xid();
    oldest := pg_snapshot_xmin(pg_current_snapshot());

    SELECT x.sealed_to, x.digest INTO sealed_to, prev FROM @extschema@.eventlog_seals x ORDER BY x.sealed_to DESC LIMIT 1;
    sealed_to := COALESCE(sealed_to, 0);
    prev := COALESCE(prev, decode(repeat('00', 32), 'hex'));
    horizon := sealed_to;
    -- Locking the state row (and always writing it below) also makes a seal
    -- and an erasure whose snapshots miss each other's work fail to
    -- serialize under REPEATABLE READ or SERIALIZABLE instead of going on.
    SELECT * INTO state FROM @extschema@.eventlog_seal_state FOR UPDATE;
    IF state.pending_xmax IS NOT NULL AND oldest >= state.pending_xmax THEN
        horizon := greatest(horizon, state.pending_last);
        state.pending_xmax := NULL;
    END IF;
    IF oldest >= newest THEN  -- no transaction older than newest in progress
        horizon := greatest(horizon, sequence_last);
    END IF;
    IF state.pending_xmax IS NULL THEN
        state.pending_last := sequence_last;
        state.pending_xmax := newest;
    END IF;
    UPDATE @extschema@.eventlog_seal_state SET pending_last = state.pending_last, pending_xmax = state.pending_xmax;

    record_from := sealed_to;
    record_prev := prev;
    IF horizon > sealed_to THEN
        FOR e IN
            SELECT l.id, l."timestamp", @extschema@.eventlog_seal_kept(l) AS kept,
                   @extschema@.eventlog_seal_erasable(l) AS erasable
            FROM @extschema@.eventlog l
            WHERE l.id > sealed_to AND l.id <= horizon
            ORDER BY l.id
        LOOP
            -- Encoding 2: the kept fields, then the commitment to the
            -- erasable ones under the event's new secret.
            secret := @extschema@.eventlog_seal_secret();
            prev := sha256(prev || convert_to(e.kept || E'\t'
                                              || encode(sha256(secret || convert_to(e.erasable, 'UTF8')), 'hex'), 'UTF8'));
            ids := ids || e.id;
            times := times || e."timestamp";
            chain := chain || prev;
            secrets := secrets || secret;
            last_sealed := e.id;
            IF cardinality(ids) = batch_size THEN
                INSERT INTO @extschema@.eventlog_seals (sealed_from, sealed_to, ids, times, chain, prev_digest, digest, encoding)
                VALUES (record_from, e.id, ids, times, chain, record_prev, prev, 2);
                INSERT INTO @extschema@.eventlog_seal_secrets (id, secret) SELECT * FROM unnest(ids, secrets);
                record_from := e.id;
                record_prev := prev;
                ids := '{}';
                times := '{}';
                chain := '';
                secrets := '{}';
            END IF;
        END LOOP;
        IF record_from < horizon THEN
            INSERT INTO @extschema@.eventlog_seals (sealed_from, sealed_to, ids, times, chain, prev_digest, digest, encoding)
            VALUES (record_from, horizon, ids, times, chain, record_prev, prev, 2);
            INSERT INTO @extschema@.eventlog_seal_secrets (id, secret) SELECT * FROM unnest(ids, secrets);
        END IF;
    END IF;
    last_id := COALESCE(last_sealed, (SELECT x.ids[cardinality(x.ids)] FROM @extschema@.eventlog_seals x
                                      WHERE cardinality(x.ids) > 0 ORDER BY x.sealed_to DESC LIMIT 1));
    digest := encode(prev, 'hex');
    RETURN NEXT;
END
$function$;

REVOKE ALL ON FUNCTION @extschema@.eventlog_seal() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.eventlog_seal() IS
'Extends the SHA-256 hash chain over the committed events not yet sealed, in id order, up to the id below which no event can still commit, and returns the last sealed event id and the chain head (hex); for the log''s owner (and roles it grants EXECUTE and that see every event)';

CREATE FUNCTION @extschema@.eventlog_verify(from_id bigint DEFAULT NULL, to_id bigint DEFAULT NULL)
RETURNS TABLE (ok boolean, checked bigint, first_bad_id bigint, reason text, erased bigint)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    s record;
    e record;
    er record;
    r record;
    h bytea;
    c bytea;
    expected bytea;
    previous_to bigint;
    previous_digest bytea;
    purged_before timestamptz;
    zero constant bytea := decode(repeat('00', 32), 'hex');
    records bigint;
    erase_id bigint;
    erase_v jsonb;
    erase_n bigint;
BEGIN
    IF row_security_active('@extschema@.eventlog'::regclass) THEN
        RAISE EXCEPTION 'eventlog_verify: the verifying role must see every event'
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Call it as the log''s owner, a superuser or a BYPASSRLS role.';
    END IF;
    -- Events eventlog_purge removed legitimately: recorded before the
    -- latest cutoff of its purge events.
    SELECT max((p.values_json ->> 'before')::timestamptz) INTO purged_before
    FROM @extschema@.eventlog p WHERE p.tool = 'eventlog' AND p.action = 'purge';
    ok := true;
    checked := 0;
    erased := 0;

    -- The erasure records: each erasure's records chain into the head its
    -- erase event keeps (an event, sealed like any other), and no record
    -- stands without its erasure's event while the event it names is there.
    -- (One pass: the erase events, each with its records in order.)
    FOR er IN
        SELECT l.id, l.v, l.n, y.ord, y.event_id, y.sealed, y.current
        FROM (SELECT x.id, x.values_json AS v,
                     CASE WHEN x.values_json ->> 'erasure' ~ '^[0-9]{1,18}$' THEN (x.values_json ->> 'erasure')::bigint END AS n
              FROM @extschema@.eventlog x WHERE x.tool = 'eventlog' AND x.action = 'erase') l
        LEFT JOIN @extschema@.eventlog_erasures y ON y.erasure = l.n
        ORDER BY l.id, y.ord
    LOOP
        IF erase_id IS DISTINCT FROM er.id THEN
            IF erase_id IS NOT NULL AND (erase_n IS NULL OR records::text IS DISTINCT FROM erase_v ->> 'records'
                                         OR encode(h, 'hex') IS DISTINCT FROM erase_v ->> 'records_digest') THEN
                EXIT;
            END IF;
            erase_id := er.id; erase_v := er.v; erase_n := er.n; h := zero; records := 0;
        END IF;
        IF er.ord IS NOT NULL THEN
            records := records + 1;
            h := sha256(h || convert_to(concat_ws(E'\t', er.ord, er.event_id, encode(er.sealed, 'hex'), encode(er.current, 'hex')), 'UTF8'));
        END IF;
    END LOOP;
    IF erase_id IS NOT NULL AND (erase_n IS NULL OR records::text IS DISTINCT FROM erase_v ->> 'records'
                                 OR encode(h, 'hex') IS DISTINCT FROM erase_v ->> 'records_digest') THEN
        ok := false; first_bad_id := erase_id; reason := 'erasure records altered, removed or added (they do not match their erase event)';
        RETURN NEXT; RETURN;
    END IF;
    -- (min(), not ORDER BY ... LIMIT 1: the planner then hashes the erase
    -- events instead of scanning them once per record)
    SELECT min(y.event_id) INTO first_bad_id
    FROM @extschema@.eventlog_erasures y
    WHERE EXISTS (SELECT FROM @extschema@.eventlog l WHERE l.id = y.event_id)
      AND NOT EXISTS (SELECT FROM @extschema@.eventlog l
                      WHERE l.tool = 'eventlog' AND l.action = 'erase' AND l.values_json ->> 'erasure' = y.erasure::text);
    IF first_bad_id IS NOT NULL THEN
        ok := false; reason := 'erasure record without its erase event';
        RETURN NEXT; RETURN;
    END IF;

    FOR s IN
        SELECT * FROM @extschema@.eventlog_seals x
        WHERE x.sealed_to > COALESCE(from_id, 0) AND (to_id IS NULL OR x.sealed_from < to_id)
        ORDER BY x.sealed_to
    LOOP
        -- The records follow each other and agree with their own chain.
        IF previous_to IS NOT NULL AND (s.sealed_from <> previous_to OR s.prev_digest <> previous_digest) THEN
            ok := false; first_bad_id := s.sealed_to; reason := 'seal record altered or removed (it does not follow the one before)';
            RETURN NEXT; RETURN;
        END IF;
        IF previous_to IS NULL AND s.sealed_from = 0 AND s.prev_digest <> zero THEN
            ok := false; first_bad_id := s.sealed_to; reason := 'seal record altered (the first one does not start the chain)';
            RETURN NEXT; RETURN;
        END IF;
        IF s.encoding NOT IN (1, 2) OR octet_length(s.chain) <> 32 * cardinality(s.ids) OR cardinality(s.times) <> cardinality(s.ids)
           OR s.digest <> (CASE WHEN cardinality(s.ids) = 0 THEN s.prev_digest
                                ELSE substring(s.chain FROM octet_length(s.chain) - 31) END) THEN
            ok := false; first_bad_id := s.sealed_to; reason := 'seal record altered (its digest does not match its chain)';
            RETURN NEXT; RETURN;
        END IF;
        h := s.prev_digest;
        FOR e IN
            SELECT COALESCE(u.id, l.id) AS id, u.ord, u.at, l.present, l.line, l.kept, l.erasable, k.secret, y.sealed, y.current
            FROM unnest(s.ids, s.times) WITH ORDINALITY AS u(id, at, ord)
            FULL JOIN (SELECT w.id, true AS present,
                              CASE WHEN s.encoding = 1 THEN @extschema@.eventlog_seal_line(w) END AS line,
                              CASE WHEN s.encoding = 2 THEN @extschema@.eventlog_seal_kept(w) END AS kept,
                              CASE WHEN s.encoding = 2 THEN @extschema@.eventlog_seal_erasable(w) END AS erasable
                       FROM @extschema@.eventlog w
                       WHERE w.id > s.sealed_from AND w.id <= s.sealed_to
                         AND w.id >= COALESCE(from_id, 0) AND (to_id IS NULL OR w.id <= to_id)) l ON l.id = u.id
            LEFT JOIN (SELECT k.id, k.secret FROM @extschema@.eventlog_seal_secrets k
                       WHERE s.encoding = 2 AND k.id > s.sealed_from AND k.id <= s.sealed_to) k ON k.id = COALESCE(u.id, l.id)
            LEFT JOIN (SELECT DISTINCT ON (z.event_id) z.event_id, z.sealed, z.current FROM @extschema@.eventlog_erasures z
                       WHERE s.encoding = 2 AND z.event_id > s.sealed_from AND z.event_id <= s.sealed_to
                       ORDER BY z.event_id, z.erasure DESC) y ON y.event_id = COALESCE(u.id, l.id)
            ORDER BY 1
        LOOP
            IF (from_id IS NOT NULL AND e.id < from_id) OR (to_id IS NOT NULL AND e.id > to_id) THEN
                -- outside the range asked for (not read): follow the chain as recorded
                IF e.ord IS NOT NULL THEN h := substring(s.chain FROM (e.ord::integer - 1) * 32 + 1 FOR 32); END IF;
                CONTINUE;
            END IF;
            IF e.ord IS NULL THEN
                ok := false; first_bad_id := e.id; reason := 'slipped in: not in the sealed chain';
                RETURN NEXT; RETURN;
            END IF;
            expected := substring(s.chain FROM (e.ord::integer - 1) * 32 + 1 FOR 32);
            IF e.present IS NULL THEN
                IF purged_before IS NULL OR e.at >= purged_before THEN
                    ok := false; first_bad_id := e.id; reason := 'removed';
                    RETURN NEXT; RETURN;
                END IF;
                h := expected;  -- purged: the chain goes on from its recorded value
                CONTINUE;
            END IF;
            IF s.encoding = 1 THEN
                h := sha256(h || convert_to(e.line, 'UTF8'));
            ELSE
                IF e.secret IS NULL THEN
                    ok := false; first_bad_id := e.id; reason := 'changed (its seal secret is missing)';
                    RETURN NEXT; RETURN;
                END IF;
                c := sha256(e.secret || convert_to(e.erasable, 'UTF8'));
                IF e.sealed IS NOT NULL THEN
                    -- Erased: its fields must be those the erasure left, and
                    -- the chain holds the commitment to those it had.
                    IF c <> e.current THEN
                        ok := false; first_bad_id := e.id; reason := 'changed (an erased event that is not as its erasure left it)';
                        RETURN NEXT; RETURN;
                    END IF;
                    c := e.sealed;
                    erased := erased + 1;
                END IF;
                h := sha256(h || convert_to(e.kept || E'\t' || encode(c, 'hex'), 'UTF8'));
            END IF;
            IF h <> expected THEN
                ok := false; first_bad_id := e.id; reason := 'changed';
                RETURN NEXT; RETURN;
            END IF;
            checked := checked + 1;
        END LOOP;
        previous_to := s.sealed_to;
        previous_digest := s.digest;
    END LOOP;
    RETURN NEXT;
END
$function$;

REVOKE ALL ON FUNCTION @extschema@.eventlog_verify(bigint, bigint) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.eventlog_verify(bigint, bigint) IS
'Recomputes the hash chain of the sealed events (ids from_id..to_id, default all) and the erasure records, and reports the first event changed, removed or slipped in, or a seal or erasure record altered; events older than a purge''s cutoff may be missing; erased: how many of the events checked were erased. For the log''s owner (and roles it grants EXECUTE and that see every event)';
