-------------------------------------------------------------------------------
-- History: the state of a tracked row at a time, its versions, revert
-------------------------------------------------------------------------------

-- The object_id of a row of `target` whose primary key columns have these
-- to_jsonb values (in `row_json`), as tracking writes it: the key's text
-- for a one-column key, a JSON array text for a composite one. A key column
-- missing from row_json takes its value from `otherwise` (an object_id of
-- the same table); NULL when none of the key is in row_json.
CREATE FUNCTION @extschema@.eventlog_key_text(target regclass, row_json jsonb, otherwise text)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    columns text[];
BEGIN
    SELECT array_agg(a.attname::text ORDER BY k.ord) INTO columns
    FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
    WHERE i.indrelid = target AND i.indisprimary;
    IF columns IS NULL OR row_json IS NULL OR NOT (row_json ?| columns) THEN
        RETURN NULL;
    END IF;
    IF cardinality(columns) = 1 THEN
        RETURN row_json -> columns[1] #>> '{}';
    END IF;
    RETURN '[' || (SELECT string_agg(COALESCE(row_json -> c, otherwise::jsonb -> (o::integer - 1))::text, ',' ORDER BY o)
                   FROM unnest(columns) WITH ORDINALITY AS u(c, o)) || ']';
END
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_key_text(regclass, jsonb, text) IS
'The object_id tracking writes for a row of the table whose primary key columns have these to_jsonb values (the others taken from the object_id given; NULL when none is there)';

-- One tracked object's history, oldest first: each event that tracking
-- recorded for it (create, update, delete, snapshot; a truncate of its
-- table), following a primary-key change back to the old key, with the
-- object's columns after the event (NULL after a delete or truncate, and
-- while the history has had no whole row to start from).
CREATE FUNCTION @extschema@.eventlog_history(object_type text, object_id text)
RETURNS TABLE (event_id bigint, "timestamp" timestamptz, actor text, action text, state jsonb)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    keys text[] := ARRAY[object_id];
    bounds bigint[] := ARRAY[9223372036854775807];
    k text := object_id;
    bound bigint := 9223372036854775807;
    first record;
    older text;
    e record;
    current jsonb;
BEGIN
    IF object_type IS NULL OR object_id IS NULL THEN
        RETURN;
    END IF;
    -- Walk back over primary-key changes: the first event under a key may
    -- be the update that gave the row that key; its old key continues the
    -- history before it.
    LOOP
        SELECT l.id, l.action, l.changes, l.object_table INTO first
        FROM @extschema@.eventlog l
        WHERE l.object_type = eventlog_history.object_type AND l.object_id = k AND l.id < bound
          AND l.action IN ('create', 'update', 'delete', 'snapshot')
        ORDER BY l."timestamp", l.id LIMIT 1;
        EXIT WHEN NOT FOUND OR first.action <> 'update' OR first.object_table IS NULL;
        older := @extschema@.eventlog_key_text(first.object_table, first.changes -> 'old_value', k);
        EXIT WHEN older IS NULL OR older = k OR older = ANY (keys);
        k := older;
        bound := first.id;
        keys := keys || k;
        bounds := bounds || bound;
    END LOOP;
    -- Replay, oldest key first: each key's events below the bound where
    -- the next key took over, and the table's truncates in between.
    FOR e IN
        SELECT l.id, l."timestamp", l.actor, l.action, l.changes
        FROM unnest(keys, bounds) AS s(key, below)
        JOIN @extschema@.eventlog l
          ON l.object_type = eventlog_history.object_type AND l.object_id = s.key AND l.id < s.below
         AND l.action IN ('create', 'update', 'delete', 'snapshot')
        UNION ALL
        SELECT l.id, l."timestamp", l.actor, l.action, l.changes
        FROM @extschema@.eventlog l
        WHERE l.object_type = eventlog_history.object_type AND l.object_id IS NULL AND l.action = 'truncate'
        ORDER BY 2, 1
    LOOP
        IF e.action IN ('create', 'snapshot') THEN
            current := e.changes -> 'new_value';
        ELSIF e.action = 'update' THEN
            current := current || (e.changes -> 'new_value');  -- NULL stays NULL: no whole row yet
        ELSE  -- delete, truncate
            IF e.action = 'truncate' AND current IS NULL THEN
                CONTINUE;  -- nothing to end
            END IF;
            current := NULL;
        END IF;
        event_id := e.id;
        "timestamp" := e."timestamp";
        actor := e.actor;
        action := e.action;
        state := current;
        RETURN NEXT;
    END LOOP;
END
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_history(text, text) IS
'One tracked object''s events oldest first (earlier keys included), each with the object''s columns after it; used by eventlog_versions and eventlog_state_at';

CREATE FUNCTION @extschema@.eventlog_versions(object_type text, object_id text)
RETURNS TABLE (event_id bigint, "timestamp" timestamptz, actor text, action text, state jsonb)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT h.event_id, h."timestamp", h.actor, h.action, h.state
    FROM @extschema@.eventlog_history($1, $2) AS h
    ORDER BY h."timestamp" DESC, h.event_id DESC
$$;

COMMENT ON FUNCTION @extschema@.eventlog_versions(text, text) IS
'One row per tracked event of the object (events under its earlier keys included), newest first, state = its columns after the event (NULL after a delete, or before the history has a whole row)';

CREATE FUNCTION @extschema@.eventlog_state_at(object_type text, object_id text, at timestamptz DEFAULT pg_catalog.now())
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT h.state
    FROM @extschema@.eventlog_history($1, $2) AS h
    WHERE h."timestamp" OPERATOR(pg_catalog.<=) $3
    ORDER BY h."timestamp" DESC, h.event_id DESC
    LIMIT 1
$$;

COMMENT ON FUNCTION @extschema@.eventlog_state_at(text, text, timestamptz) IS
'The object''s columns (to_jsonb values; excluded columns absent) as of `at`, rebuilt from tracked events; NULL when it did not exist then or its history has no whole row to start from';

CREATE FUNCTION @extschema@.eventlog_revert(event_id bigint)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    e record;
    columns text[];
    key_condition text;
    current jsonb;
    expected jsonb;
    changed text[];
    saved_context text := current_setting('eventlog.context', true);
    revert_id bigint;
    started timestamptz;
BEGIN
    SELECT l.* INTO e FROM @extschema@.eventlog l WHERE l.id = event_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'eventlog_revert: no event % (or not one you may read)', event_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF e.action NOT IN ('create', 'update', 'delete') OR e.object_table IS NULL OR e.object_id IS NULL
       OR e.changes IS NULL OR NOT (e.changes ? 'old_value' AND e.changes ? 'new_value') THEN
        RAISE EXCEPTION 'eventlog_revert: event % is not a tracked create, update or delete', event_id
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Only row changes recorded by tracking can be reverted; truncates and application events cannot.';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = e.object_table) THEN
        RAISE EXCEPTION 'eventlog_revert: the table of event % no longer exists', event_id USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    SELECT array_agg(a.attname::text ORDER BY k.ord) INTO columns
    FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
    WHERE i.indrelid = e.object_table AND i.indisprimary;
    IF columns IS NULL THEN
        RAISE EXCEPTION 'eventlog_revert: table % has no primary key', e.object_table USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    -- The row as the event left it is found by the key the event names:
    -- each key column compared with its value in the event's object_id.
    SELECT string_agg(CASE WHEN cardinality(columns) = 1
                           THEN format('t.%I = %L::%s', u.c, e.object_id, format_type(a.atttypid, a.atttypmod))
                           ELSE format('t.%I = (%L::jsonb ->> %s)::%s', u.c, e.object_id, u.o - 1,
                                       format_type(a.atttypid, a.atttypmod)) END, ' AND ')
    INTO key_condition
    FROM unnest(columns) WITH ORDINALITY AS u(c, o)
    JOIN pg_attribute a ON a.attrelid = e.object_table AND a.attname = u.c;

    -- The revert is recorded by tracking, with revert_of in its context.
    started := clock_timestamp();
    PERFORM set_config('eventlog.context',
                       (COALESCE(NULLIF(saved_context, '')::jsonb, '{}'::jsonb)
                        || jsonb_build_object('revert_of', event_id))::text, true);
    IF e.action = 'delete' THEN
        EXECUTE format('SELECT to_jsonb(t) FROM %s t WHERE %s', e.object_table, key_condition) INTO current;
        IF current IS NOT NULL THEN
            RAISE EXCEPTION 'eventlog_revert: the key of event % is taken again in %', event_id, e.object_table
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        -- The recorded columns only: excluded ones get their defaults.
        EXECUTE format('INSERT INTO %s (%s) SELECT %s FROM jsonb_populate_record(NULL::%s, $1) AS r',
                       e.object_table,
                       (SELECT string_agg(quote_ident(c), ', ') FROM jsonb_object_keys(e.changes -> 'old_value') AS c),
                       (SELECT string_agg('r.' || quote_ident(c), ', ') FROM jsonb_object_keys(e.changes -> 'old_value') AS c),
                       e.object_table)
        USING e.changes -> 'old_value';
    ELSE
        EXECUTE format('SELECT to_jsonb(t) FROM %s t WHERE %s FOR UPDATE', e.object_table, key_condition) INTO current;
        IF current IS NULL THEN
            RAISE EXCEPTION 'eventlog_revert: the row of event % no longer exists in %', event_id, e.object_table
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        expected := e.changes -> 'new_value';
        SELECT array_agg(c) INTO changed FROM jsonb_object_keys(expected) AS c
        WHERE current -> c IS DISTINCT FROM expected -> c;
        IF changed IS NOT NULL THEN
            RAISE EXCEPTION 'eventlog_revert: the row of event % changed since (%)', event_id, array_to_string(changed, ', ')
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        IF e.action = 'create' THEN
            EXECUTE format('DELETE FROM %s t WHERE %s', e.object_table, key_condition);
        ELSE
            EXECUTE format('UPDATE %s t SET %s FROM jsonb_populate_record(NULL::%s, $1) AS r WHERE %s',
                           e.object_table,
                           (SELECT string_agg(format('%I = r.%I', c, c), ', ') FROM jsonb_object_keys(e.changes -> 'old_value') AS c),
                           e.object_table, key_condition)
            USING e.changes -> 'old_value';
        END IF;
    END IF;
    PERFORM set_config('eventlog.context', COALESCE(saved_context, ''), true);
    -- Its event: this transaction's, recorded since `started` (a range of
    -- the time index); should the clock have gone back meanwhile, any of
    -- this transaction's (through the transaction index).
    SELECT max(l.id) INTO revert_id FROM @extschema@.eventlog l
    WHERE l."timestamp" >= started AND l.transaction_id = pg_current_xact_id()
      AND l.context @> jsonb_build_object('revert_of', event_id);
    IF revert_id IS NULL THEN
        SELECT max(l.id) INTO revert_id FROM @extschema@.eventlog_for_transaction(pg_current_xact_id()) l
        WHERE l.context @> jsonb_build_object('revert_of', event_id);
    END IF;
    RETURN revert_id;
END
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_revert(bigint) IS
'Undoes one tracked create (deletes the row), update (sets its changed columns back) or delete (inserts the recorded row again; excluded columns get their defaults) on the live table, with the caller''s privileges; 55000 when the row changed since, is gone or its key is taken, 22023 for other events; returns the id of the event tracking records for the revert (its context has revert_of)';

