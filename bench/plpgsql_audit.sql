-- bench/plpgsql_audit.sql — the audit trigger a careful user would write in
-- PL/pgSQL without the extension's C++ capture trigger, used by
-- bench/track_bench.sh as the baseline eventlog_track() is compared with.
--
-- It implements the same contract as eventlog_track() for INSERT, UPDATE and
-- DELETE (TRUNCATE is not benchmarked and left out), writing the same
-- columns into the extension's eventlog table (assumed in schema public):
--
--   action      create / update / delete
--   changes     create: {"old_value": {}, "new_value": {every column}}
--               update: only the columns whose to_jsonb values differ
--                       (jsonb equality, so 10.50 -> 10.500 is no change);
--                       no event at all when nothing changed
--               delete: {"old_value": {every column}, "new_value": {}}
--               excluded columns never appear
--   object_type the schema-qualified table name as PostgreSQL quotes it
--   object_id   the primary key as text (composite keys: JSON array text)
--   tool        the trigger's tool argument
--   actor       eventlog.actor when set and non-empty, else the current role
--   message     the extension's default message, e.g.
--               'public.t 1 was updated by alice.'; template_message the
--               template it stands for (the C++ trigger stores it too)
--   db_user     the role that performed the change
--
-- Usage (one row-level AFTER trigger for the three operations):
--
--   CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON t
--       FOR EACH ROW EXECUTE FUNCTION bench_plpgsql_audit(
--           '{updated_at}',   -- excluded columns, a text[] literal
--           't',              -- tool
--           'id');            -- primary key column(s), one argument each
--
-- What the key columns and the tool are is given once, as trigger arguments,
-- the way a hand-written trigger would be set up; the C++ trigger derives
-- the same from the catalogs once and caches it. Everything else is worked
-- out per row, as both implementations must.
--
-- Privileges as in the extension: ordinary roles have no INSERT on eventlog,
-- so the trigger (SECURITY INVOKER, so that current_user is the role that
-- made the change) hands the finished event to a SECURITY DEFINER writer
-- owned by the superuser. That writer has to be executable by every role
-- that changes a tracked table; it refuses to run outside a trigger, but a
-- role could still call it from a trigger of its own and pass another
-- db_user: plain PL/pgSQL cannot learn the invoker's role inside a SECURITY
-- DEFINER function. (The C++ trigger switches user internally and has no
-- such hole.) Neither function depends on the caller's search_path for
-- tables or functions: all are schema-qualified; operators resolve in
-- pg_catalog, which is searched first unless a caller lists it explicitly
-- after a schema of their own. Pinning search_path with a SET clause would
-- close that too, at the price of a GUC save/restore on every call.

CREATE FUNCTION public.bench_plpgsql_audit_write(
    p_actor text, p_message text, p_object_type text, p_object_id text, p_tool text,
    p_action text, p_changes jsonb, p_db_user text, p_template_message text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
AS $$
BEGIN
    IF pg_catalog.pg_trigger_depth() = 0 THEN
        RAISE EXCEPTION 'bench_plpgsql_audit_write: only the audit trigger may write events'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO public.eventlog (actor, message, object_type, object_id, tool, action,
                                 changes, db_user, template_message)
    VALUES (p_actor, p_message, p_object_type, p_object_id, p_tool, p_action,
            p_changes, p_db_user, p_template_message);
END
$$;

-- EXECUTE on the writer stays granted to PUBLIC (the default): every role
-- that may change an audited table runs it through the trigger.

CREATE FUNCTION public.bench_plpgsql_audit() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    excluded   text[] := TG_ARGV[0]::text[];
    old_doc    jsonb;
    new_doc    jsonb;
    old_diff   jsonb := '{}';
    new_diff   jsonb := '{}';
    key_doc    jsonb;
    event_action text;
    object_id  text;
    actor      text;
    template   text;
    item       record;
BEGIN
    IF TG_LEVEL <> 'ROW' OR TG_WHEN <> 'AFTER' OR TG_NARGS < 3 THEN
        RAISE EXCEPTION 'bench_plpgsql_audit: must be an AFTER ... FOR EACH ROW trigger with arguments (exclude_columns, tool, key column, ...)';
    END IF;

    IF TG_OP = 'INSERT' THEN
        event_action := 'create';
        key_doc := pg_catalog.to_jsonb(NEW);
        new_diff := key_doc - excluded;
    ELSIF TG_OP = 'DELETE' THEN
        event_action := 'delete';
        key_doc := pg_catalog.to_jsonb(OLD);
        old_diff := key_doc - excluded;
    ELSE
        event_action := 'update';
        old_doc := pg_catalog.to_jsonb(OLD);
        key_doc := pg_catalog.to_jsonb(NEW);
        new_doc := key_doc - excluded;
        -- Both documents come from the same row type: same keys.
        FOR item IN SELECT n.key, n.value FROM pg_catalog.jsonb_each(new_doc) AS n LOOP
            IF (old_doc -> item.key) IS DISTINCT FROM item.value THEN
                old_diff := old_diff || pg_catalog.jsonb_build_object(item.key, old_doc -> item.key);
                new_diff := new_diff || pg_catalog.jsonb_build_object(item.key, item.value);
            END IF;
        END LOOP;
        IF new_diff = '{}'::jsonb THEN
            RETURN NULL;  -- nothing but excluded columns changed: no event
        END IF;
    END IF;

    -- The key of the row the event is about (the new row for an update).
    IF TG_NARGS = 3 THEN
        object_id := key_doc ->> TG_ARGV[2];
    ELSE
        -- compact JSON array text, as the extension writes it: [1,"a"]
        object_id := '[' || (SELECT pg_catalog.string_agg((key_doc -> TG_ARGV[k])::text, ',' ORDER BY k)
                             FROM pg_catalog.generate_series(2, TG_NARGS - 1) AS k) || ']';
    END IF;

    actor := COALESCE(NULLIF(pg_catalog.current_setting('eventlog.actor', true), ''), current_user::text);
    template := '{object_type} {object_id} was ' || event_action || 'd by {actor}.';

    PERFORM public.bench_plpgsql_audit_write(
        actor,
        pg_catalog.quote_ident(TG_TABLE_SCHEMA) || '.' || pg_catalog.quote_ident(TG_TABLE_NAME)
            || ' ' || object_id || ' was ' || event_action || 'd by ' || actor || '.',
        pg_catalog.quote_ident(TG_TABLE_SCHEMA) || '.' || pg_catalog.quote_ident(TG_TABLE_NAME),
        object_id,
        TG_ARGV[1],
        event_action,
        pg_catalog.jsonb_build_object('old_value', old_diff, 'new_value', new_diff),
        current_user::text,
        template);
    RETURN NULL;
END
$$;
