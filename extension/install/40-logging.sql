-------------------------------------------------------------------------------
-- Functions
-------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.jsonb_diff_schema(
    old_data jsonb,
    new_data jsonb,
    exclude_keys text[] DEFAULT '{}',
    deep boolean DEFAULT false)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'eventlog_jsonb_diff_schema'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.jsonb_diff_schema(jsonb, jsonb, text[], boolean) IS
'What changed between two JSON objects: {"old_value": {...}, "new_value": {...}}. NULL old_data is a creation, NULL new_data a deletion; deep => true recurses into nested objects and id-keyed arrays';

CREATE FUNCTION @extschema@.eventlog_render(
    template_message text,
    values_json jsonb DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'eventlog_render'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.eventlog_render(text, jsonb) IS
'Renders a message template: {key} looks up key in values_json, {item__a__b} follows the path a.b into values_json->''item__a__b''; {{ and }} are literal braces';

CREATE FUNCTION @extschema@.eventlog_log(
    template_message text,
    values_json jsonb DEFAULT NULL,
    object_type text DEFAULT NULL,
    object_id text DEFAULT NULL,
    actor text DEFAULT NULL,
    tool text DEFAULT NULL,
    action text DEFAULT NULL,
    changes jsonb DEFAULT NULL,
    context jsonb DEFAULT NULL,
    actor_id text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'eventlog_log'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.eventlog_log(text, jsonb, text, text, text, text, text, jsonb, jsonb, text) IS
'Records one event and returns its id; message = eventlog_render(template_message, values_json), actor defaults to eventlog.actor, then the calling role; actor_id (a stable key of the actor) to eventlog.actor_id, then NULL; context (a JSON object) is merged over eventlog.context';

CREATE FUNCTION @extschema@.eventlog_object(
    row_value anyelement,
    OUT object_type text,
    OUT object_id text)
AS 'MODULE_PATHNAME', 'eventlog_object'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.eventlog_object(anyelement) IS
'The object a table row is: object_type (schema-qualified table name) and object_id (primary key as text; composite keys as a JSON array text)';

CREATE FUNCTION @extschema@.eventlog_log_row(
    object anyelement,
    template_message text DEFAULT NULL,
    values_json jsonb DEFAULT NULL,
    actor text DEFAULT NULL,
    tool text DEFAULT NULL,
    action text DEFAULT NULL,
    changes jsonb DEFAULT NULL,
    context jsonb DEFAULT NULL,
    actor_id text DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE PARALLEL UNSAFE
AS $$
    SELECT @extschema@.eventlog_log(template_message, values_json, o.object_type, o.object_id,
                                    actor, tool, action, changes, context, actor_id)
    FROM @extschema@.eventlog_object(object) AS o
    WHERE o.object_type IS NOT NULL  -- a NULL row: nothing recorded, NULL returned
$$;

COMMENT ON FUNCTION @extschema@.eventlog_log_row(anyelement, text, jsonb, text, text, text, jsonb, jsonb, text) IS
'eventlog_log with a table row as the object: object_type and object_id come from the row''s table and primary key (a NULL row records nothing and returns NULL)';

