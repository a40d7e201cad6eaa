-- test/model/jsonb_diff_model.sql
--
-- Reference model of jsonb_diff_schema as README.md's Reference states it, written
-- in plain SQL / PL/pgSQL for clarity, not speed.  The C++ implementation in
-- the extension is tested against it (sql/diff_model.sql) and benchmarked
-- against it (bench/diff_bench.sh).
--
-- Loadable repeatedly with `psql -f` or `\i`: everything is CREATE OR REPLACE
-- and lives in schema eventlog_model; nothing depends on search_path beyond
-- pg_catalog (which is always searched first).
--
-- Semantics (the decisions the C++ implements):
--   * both arguments NULL -> SQL NULL; exclude_keys NULL -> '{}' (NULL
--     elements ignored); deep NULL -> false.
--   * a non-NULL argument that is not a JSON object -> ERROR 22023 naming the
--     function and the argument (old_data is checked first).
--   * old_data NULL (creation): {"old_value": {}, "new_value": new_data minus
--     the top-level keys in exclude_keys}; new_data NULL (deletion): mirror.
--   * both objects: for every key of either side that is not excluded, skip it
--     when present on both sides with jsonb-equal (=) values; otherwise
--     old_value[key] / new_value[key] are the values, JSON null for the side
--     lacking the key.
--   * deep mode: a key present on both sides with different values
--       (a) both objects -> recurse (exclude_keys applies at this depth too);
--           an empty nested diff skips the key, otherwise the nested old/new
--           maps are shown under the key;
--       (b) both arrays in which every element is an object with an "id" key
--           (an empty array qualifies) -> each array becomes an object keyed
--           by the text of the id (raw string for a JSON string, otherwise the
--           value's jsonb text; the last element wins for a repeated id), then
--           recurse as in (a);
--       (c) otherwise -> whole values, as in flat mode.

CREATE SCHEMA IF NOT EXISTS eventlog_model;

-- The text by which an element of a keyed array is known: the raw string for
-- a JSON string, otherwise the jsonb text of the value (7 -> 7, 1.50 -> 1.50,
-- null -> null, true -> true, {"k": 1} -> {"k": 1}).
CREATE OR REPLACE FUNCTION eventlog_model.id_text(id jsonb)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT CASE WHEN pg_catalog.jsonb_typeof(id) = 'string'
                THEN id #>> '{}'          -- the unescaped string
                ELSE id::text             -- jsonb's own text of the value
           END
$$;

-- True when arr is a JSON array whose every element is an object carrying an
-- "id" key.  An empty array qualifies (like Python's all([])).
CREATE OR REPLACE FUNCTION eventlog_model.is_keyed_array(arr jsonb)
RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT pg_catalog.jsonb_typeof(arr) = 'array'
       AND NOT EXISTS (
               SELECT 1
               FROM pg_catalog.jsonb_array_elements(arr) AS e(elem)
               WHERE NOT (pg_catalog.jsonb_typeof(e.elem) = 'object'
                          AND e.elem ? 'id'))
$$;

-- A keyed array as an object: {id_text(elem->'id'): elem, ...}.  When an id
-- text repeats, the element that comes last in the array wins.
CREATE OR REPLACE FUNCTION eventlog_model.keyed_array_to_object(arr jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT coalesce(pg_catalog.jsonb_object_agg(last_one.k, last_one.elem),
                    '{}'::jsonb)
    FROM (SELECT DISTINCT ON (k) k, elem
          FROM (SELECT eventlog_model.id_text(e.elem -> 'id') AS k,
                       e.elem,
                       e.pos
                FROM pg_catalog.jsonb_array_elements(arr)
                     WITH ORDINALITY AS e(elem, pos)) AS numbered
          ORDER BY k, pos DESC) AS last_one
$$;

-- The diff of two JSON objects; excl holds no NULLs.  Always returns
-- {"old_value": {...}, "new_value": {...}} (both maps have the same keys).
CREATE OR REPLACE FUNCTION eventlog_model.diff_objects(old_obj jsonb,
                                                       new_obj jsonb,
                                                       excl text[],
                                                       deep boolean)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    k          text;
    in_old     boolean;
    in_new     boolean;
    old_val    jsonb;
    new_val    jsonb;
    nested     jsonb;
    old_out    jsonb := '{}';
    new_out    jsonb := '{}';
BEGIN
    FOR k IN SELECT key FROM pg_catalog.jsonb_object_keys(old_obj) AS key
             UNION
             SELECT key FROM pg_catalog.jsonb_object_keys(new_obj) AS key
    LOOP
        CONTINUE WHEN k = ANY (excl);

        in_old  := old_obj ? k;
        in_new  := new_obj ? k;
        old_val := old_obj -> k;   -- SQL NULL when absent, jsonb null when null
        new_val := new_obj -> k;

        -- present on both sides and equal: not a change
        CONTINUE WHEN in_old AND in_new AND old_val = new_val;

        nested := NULL;
        IF deep AND in_old AND in_new THEN
            IF pg_catalog.jsonb_typeof(old_val) = 'object'
               AND pg_catalog.jsonb_typeof(new_val) = 'object' THEN
                -- (a) two objects
                nested := eventlog_model.diff_objects(old_val, new_val,
                                                      excl, true);
            ELSIF eventlog_model.is_keyed_array(old_val)
                  AND eventlog_model.is_keyed_array(new_val) THEN
                -- (b) two arrays of objects with "id": compare by id text
                nested := eventlog_model.diff_objects(
                              eventlog_model.keyed_array_to_object(old_val),
                              eventlog_model.keyed_array_to_object(new_val),
                              excl, true);
            END IF;
        END IF;

        IF nested IS NOT NULL THEN
            -- (a)/(b): show only what changed inside; nothing changed -> skip
            CONTINUE WHEN nested -> 'old_value' = '{}'::jsonb;
            old_out := old_out || pg_catalog.jsonb_build_object(k, nested -> 'old_value');
            new_out := new_out || pg_catalog.jsonb_build_object(k, nested -> 'new_value');
        ELSE
            -- flat mode, or (c): whole values, JSON null for a missing side
            old_out := old_out || pg_catalog.jsonb_build_object(
                                      k, CASE WHEN in_old THEN old_val ELSE 'null'::jsonb END);
            new_out := new_out || pg_catalog.jsonb_build_object(
                                      k, CASE WHEN in_new THEN new_val ELSE 'null'::jsonb END);
        END IF;
    END LOOP;

    RETURN pg_catalog.jsonb_build_object('old_value', old_out,
                                         'new_value', new_out);
END
$$;

CREATE OR REPLACE FUNCTION eventlog_model.jsonb_diff_schema(old_data jsonb,
                                                            new_data jsonb,
                                                            exclude_keys text[] DEFAULT '{}',
                                                            deep boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    excl text[];
BEGIN
    IF old_data IS NOT NULL AND pg_catalog.jsonb_typeof(old_data) <> 'object' THEN
        RAISE EXCEPTION USING
            ERRCODE = '22023',
            MESSAGE = pg_catalog.format(
                'jsonb_diff_schema: old_data must be a JSON object, got %s',
                pg_catalog.jsonb_typeof(old_data));
    END IF;
    IF new_data IS NOT NULL AND pg_catalog.jsonb_typeof(new_data) <> 'object' THEN
        RAISE EXCEPTION USING
            ERRCODE = '22023',
            MESSAGE = pg_catalog.format(
                'jsonb_diff_schema: new_data must be a JSON object, got %s',
                pg_catalog.jsonb_typeof(new_data));
    END IF;

    IF old_data IS NULL AND new_data IS NULL THEN
        RETURN NULL;
    END IF;

    -- exclude_keys: NULL means none; NULL elements are ignored
    SELECT coalesce(pg_catalog.array_agg(x), '{}')
      INTO excl
      FROM pg_catalog.unnest(exclude_keys) AS u(x)
     WHERE x IS NOT NULL;

    IF old_data IS NULL THEN      -- a creation
        RETURN pg_catalog.jsonb_build_object('old_value', '{}'::jsonb,
                                             'new_value', new_data - excl);
    END IF;
    IF new_data IS NULL THEN      -- a deletion
        RETURN pg_catalog.jsonb_build_object('old_value', old_data - excl,
                                             'new_value', '{}'::jsonb);
    END IF;

    RETURN eventlog_model.diff_objects(old_data, new_data, excl,
                                       coalesce(deep, false));
END
$$;
