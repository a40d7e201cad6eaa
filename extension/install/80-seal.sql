-------------------------------------------------------------------------------
-- Tamper evidence: a SHA-256 hash chain over the committed events
-------------------------------------------------------------------------------

-- Each seal record covers the event ids in (sealed_from, sealed_to]: the
-- ids of the events it sealed, in order, their times, and the chain value
-- after each (32 bytes each, concatenated): chain(e) = sha256(chain(previous
-- event) || line(e)), starting from prev_digest (32 zero bytes for the
-- first record); digest is the chain value after its last event. line(e)
-- is eventlog_seal_line(e): the text COPY prints for the event's columns
-- with TimeZone UTC and DateStyle ISO (README: Tamper evidence).
CREATE TABLE @extschema@.eventlog_seals (
    sealed_from  bigint      NOT NULL,
    sealed_to    bigint      NOT NULL,
    ids          bigint[]    NOT NULL,
    times        timestamptz[] NOT NULL,
    chain        bytea       NOT NULL,
    prev_digest  bytea       NOT NULL,
    digest       bytea       NOT NULL,
    sealed_at    timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
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
    e record;
    last_sealed bigint;
BEGIN
    IF row_security_active('@extschema@.eventlog'::regclass) THEN
        RAISE EXCEPTION 'eventlog_seal: the sealing role must see every event'
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Call it as the log''s owner, a superuser or a BYPASSRLS role.';
    END IF;
    -- One sealer at a time (writers never wait for it).
    PERFORM pg_advisory_xact_lock(hashtextextended('eventlog seal', '@extschema@.eventlog'::regclass::oid::bigint));
    IF (SELECT s.seqcache FROM pg_sequence s WHERE s.seqrelid = '@extschema@.eventlog_id_seq'::regclass) <> 1 THEN
        RAISE EXCEPTION 'eventlog_seal: eventlog_id_seq must have CACHE 1'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Cached ids are handed out out of order, so no id horizon can be known.';
    END IF;

    -- The sequence first, then the transactions: an event id is always
    -- taken by a transaction that already has its xid (the writer makes
    -- sure), so every id up to sequence_last belongs to a transaction
    -- older than newest.
    SELECT s.last_value, s.is_called INTO sequence_last, sequence_called FROM @extschema@.eventlog_id_seq s;
    IF NOT sequence_called THEN sequence_last := sequence_last - 1; END IF;
    oldest := pg_snapshot_xmin(pg_current_snapshot());
    newest := pg_snapshot_xmax(pg_current_snapshot());

    SELECT x.sealed_to, x.digest INTO sealed_to, prev FROM @extschema@.eventlog_seals x ORDER BY x.sealed_to DESC LIMIT 1;
    sealed_to := COALESCE(sealed_to, 0);
    prev := COALESCE(prev, decode(repeat('00', 32), 'hex'));
    horizon := sealed_to;
    SELECT * INTO state FROM @extschema@.eventlog_seal_state FOR UPDATE;
    IF state.pending_xmax IS NOT NULL AND oldest >= state.pending_xmax THEN
        horizon := greatest(horizon, state.pending_last);
        state.pending_xmax := NULL;
    END IF;
    IF oldest = newest THEN  -- no transaction in progress at all
        horizon := greatest(horizon, sequence_last);
    END IF;
    IF state.pending_xmax IS NULL THEN
        UPDATE @extschema@.eventlog_seal_state SET pending_last = sequence_last, pending_xmax = newest;
    END IF;

    record_from := sealed_to;
    record_prev := prev;
    IF horizon > sealed_to THEN
        FOR e IN
            SELECT l.id, l."timestamp", @extschema@.eventlog_seal_line(l) AS line
            FROM @extschema@.eventlog l
            WHERE l.id > sealed_to AND l.id <= horizon
            ORDER BY l.id
        LOOP
            prev := sha256(prev || convert_to(e.line, 'UTF8'));
            ids := ids || e.id;
            times := times || e."timestamp";
            chain := chain || prev;
            last_sealed := e.id;
            IF cardinality(ids) = batch_size THEN
                INSERT INTO @extschema@.eventlog_seals (sealed_from, sealed_to, ids, times, chain, prev_digest, digest)
                VALUES (record_from, e.id, ids, times, chain, record_prev, prev);
                record_from := e.id;
                record_prev := prev;
                ids := '{}';
                times := '{}';
                chain := '';
            END IF;
        END LOOP;
        IF record_from < horizon THEN
            INSERT INTO @extschema@.eventlog_seals (sealed_from, sealed_to, ids, times, chain, prev_digest, digest)
            VALUES (record_from, horizon, ids, times, chain, record_prev, prev);
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
RETURNS TABLE (ok boolean, checked bigint, first_bad_id bigint, reason text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    s record;
    e record;
    h bytea;
    expected bytea;
    previous_to bigint;
    previous_digest bytea;
    purged_before timestamptz;
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
        IF previous_to IS NULL AND s.sealed_from = 0 AND s.prev_digest <> decode(repeat('00', 32), 'hex') THEN
            ok := false; first_bad_id := s.sealed_to; reason := 'seal record altered (the first one does not start the chain)';
            RETURN NEXT; RETURN;
        END IF;
        IF octet_length(s.chain) <> 32 * cardinality(s.ids) OR cardinality(s.times) <> cardinality(s.ids)
           OR s.digest <> (CASE WHEN cardinality(s.ids) = 0 THEN s.prev_digest
                                ELSE substring(s.chain FROM octet_length(s.chain) - 31) END) THEN
            ok := false; first_bad_id := s.sealed_to; reason := 'seal record altered (its digest does not match its chain)';
            RETURN NEXT; RETURN;
        END IF;
        h := s.prev_digest;
        FOR e IN
            SELECT COALESCE(u.id, l.id) AS id, u.ord, u.at, l.line
            FROM unnest(s.ids, s.times) WITH ORDINALITY AS u(id, at, ord)
            FULL JOIN (SELECT x.id, @extschema@.eventlog_seal_line(x) AS line
                       FROM @extschema@.eventlog x
                       WHERE x.id > s.sealed_from AND x.id <= s.sealed_to
                         AND x.id >= COALESCE(from_id, 0) AND (to_id IS NULL OR x.id <= to_id)) l ON l.id = u.id
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
            IF e.line IS NULL THEN
                IF purged_before IS NULL OR e.at >= purged_before THEN
                    ok := false; first_bad_id := e.id; reason := 'removed';
                    RETURN NEXT; RETURN;
                END IF;
                h := expected;  -- purged: the chain goes on from its recorded value
                CONTINUE;
            END IF;
            h := sha256(h || convert_to(e.line, 'UTF8'));
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
'Recomputes the hash chain of the sealed events (ids from_id..to_id, default all) and reports the first event changed, removed or slipped in, or a seal record altered; events older than a purge''s cutoff may be missing. For the log''s owner (and roles it grants EXECUTE and that see every event)';

