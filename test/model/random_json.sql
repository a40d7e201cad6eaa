-- test/model/random_json.sql
--
-- Deterministic random JSON generators for testing jsonb_diff_schema against
-- the reference model (test/model/jsonb_diff_model.sql).  Everything is driven
-- by random(), so a caller that runs setseed(x) first gets the same documents
-- every time (in the same backend, calls made in the same order).
--
--   eventlog_model.random_json(max_depth int) RETURNS jsonb
--       any JSON value: strings (unicode, escapes, control characters),
--       ints, 30-digit numbers, decimals with trailing zeros, booleans, null,
--       arrays, objects, and arrays of objects carrying "id" keys (int or
--       string ids, sometimes exotic ones, duplicates included).
--   eventlog_model.random_pair(max_depth int, OUT old_doc jsonb, OUT new_doc jsonb)
--       two related JSON objects: shared keys equal, some changed, some added
--       or removed, nested objects partly changed, keyed arrays with elements
--       changed/added/removed/reordered, 30-digit numbers changed in their
--       last digit, and numerically equal rewrites (1 -> 1.0, 1.50 -> 1.500)
--       which are not changes.
--   eventlog_model.random_keys() RETURNS text[]
--       an exclude list drawn from the keys (and id texts) the generator uses,
--       sometimes empty, sometimes with a NULL element.
--   eventlog_model.random_nonobject(max_depth int) RETURNS jsonb
--       a random JSON value that is not an object (for the 22023 cases).
--   eventlog_model.random_wide_pair(n_keys int, OUT old_doc jsonb, OUT new_doc jsonb)
--       two wide, toasted objects that differ in a few percent of their keys
--       and of the elements of a long keyed array.
--
-- Loadable repeatedly (CREATE OR REPLACE).  Needs no search_path.

CREATE SCHEMA IF NOT EXISTS eventlog_model;

-- an integer in [lo, hi]
CREATE OR REPLACE FUNCTION eventlog_model.random_int(lo int, hi int)
RETURNS int
LANGUAGE sql VOLATILE
AS $$ SELECT lo + pg_catalog.floor(pg_catalog.random() * (hi - lo + 1))::int $$;

-- one element of a non-empty array
CREATE OR REPLACE FUNCTION eventlog_model.random_pick(choices text[])
RETURNS text
LANGUAGE sql VOLATILE
AS $$ SELECT choices[eventlog_model.random_int(1, pg_catalog.cardinality(choices))] $$;

-- The object keys the generator uses.  Few, so that keys repeat across
-- depths (exclude lists then hit nested keys too) and across the two sides.
CREATE OR REPLACE FUNCTION eventlog_model.key_pool()
RETURNS text[]
LANGUAGE sql IMMUTABLE
AS $$
    SELECT ARRAY['id', 'name', 'status', 'updated_at', 'a', 'b', 'x', 'y',
                 'q', 'tags', 'items', 'meta', 'big', 'ratio', 'ключ',
                 'with space', 'quo"te', 'back\slash', '', '7', '1']
$$;

-- The texts of the ids the generator uses (see random_id), as they appear as
-- keys in a deep diff; exclude lists may name them.
CREATE OR REPLACE FUNCTION eventlog_model.id_text_pool()
RETURNS text[]
LANGUAGE sql IMMUTABLE
AS $$
    SELECT ARRAY['1', '2', '3', '7', 'a', 'x y', '1.50', 'null', 'true']
$$;

CREATE OR REPLACE FUNCTION eventlog_model.random_key()
RETURNS text
LANGUAGE sql VOLATILE
AS $$ SELECT eventlog_model.random_pick(eventlog_model.key_pool()) $$;

-- a JSON string, number, boolean or null
CREATE OR REPLACE FUNCTION eventlog_model.random_scalar()
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    r float8 := pg_catalog.random();
BEGIN
    IF r < 0.30 THEN                                   -- strings
        RETURN pg_catalog.to_jsonb(eventlog_model.random_pick(ARRAY[
            'active', 'inactive', 'John', '', 'héllo wörld', '日本語テキスト',
            'emoji 😀 🎉', 'quote " inside', 'back\slash', E'new\nline',
            E'tab\there', E'ctrl \u0001 char', '7', 'null', 'true', '1.50',
            'ключ', 'x y']));
    ELSIF r < 0.40 THEN                                -- generated strings
        RETURN pg_catalog.to_jsonb('s' || eventlog_model.random_int(0, 30));
    ELSIF r < 0.60 THEN                                -- small ints
        RETURN pg_catalog.to_jsonb(eventlog_model.random_int(-3, 9));
    ELSIF r < 0.65 THEN                                -- larger ints
        RETURN pg_catalog.to_jsonb(eventlog_model.random_int(-1000000, 1000000));
    ELSIF r < 0.72 THEN                                -- 30-digit numbers
        RETURN eventlog_model.random_pick(ARRAY[
            '123456789012345678901234567890', '-987654321098765432109876543210',
            '100000000000000000000000000000', '123456789012345678901234567890.123'])::jsonb;
    ELSIF r < 0.82 THEN                                -- decimals, trailing zeros
        RETURN eventlog_model.random_pick(ARRAY[
            '1.50', '1.5', '2.500', '0.10', '-3.000', '1.0', '0', '-0.0',
            '1e3', '1E-7', '3.14159265358979323846'])::jsonb;
    ELSIF r < 0.92 THEN
        RETURN pg_catalog.to_jsonb(pg_catalog.random() < 0.5);
    ELSE
        RETURN 'null'::jsonb;
    END IF;
END
$$;

-- an id for an element of a keyed array: mostly small ints (so ids repeat),
-- some strings (one of which, "7", has the same text as the int 7), rarely
-- exotic values whose text is their jsonb text
CREATE OR REPLACE FUNCTION eventlog_model.random_id()
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    r float8 := pg_catalog.random();
BEGIN
    IF r < 0.70 THEN
        RETURN pg_catalog.to_jsonb(eventlog_model.random_int(1, 4));
    ELSIF r < 0.90 THEN
        RETURN pg_catalog.to_jsonb(eventlog_model.random_pick(ARRAY['a', '7', 'x y', '1']));
    ELSE
        RETURN eventlog_model.random_pick(ARRAY[
            '7', '1.50', '1.0', 'null', 'true', '{"k": 1}', '[1, 2]'])::jsonb;
    END IF;
END
$$;

-- an object with 0..max_keys keys from the key pool
CREATE OR REPLACE FUNCTION eventlog_model.random_object(max_depth int, max_keys int DEFAULT 5)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    result jsonb := '{}';
BEGIN
    FOR i IN 1 .. eventlog_model.random_int(0, max_keys) LOOP
        result := result || pg_catalog.jsonb_build_object(
                                eventlog_model.random_key(),
                                eventlog_model.random_json(max_depth - 1));
    END LOOP;
    RETURN result;
END
$$;

-- an array of 0..4 objects that all carry an "id" key
CREATE OR REPLACE FUNCTION eventlog_model.random_keyed_array(max_depth int)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    result jsonb := '[]';
BEGIN
    FOR i IN 1 .. eventlog_model.random_int(0, 4) LOOP
        result := result || pg_catalog.jsonb_build_array(
                                eventlog_model.random_object(max_depth - 1, 3)
                                || pg_catalog.jsonb_build_object('id', eventlog_model.random_id()));
    END LOOP;
    RETURN result;
END
$$;

-- an array of 0..4 arbitrary values; sometimes objects with and without "id"
-- mixed, which is not a keyed array
CREATE OR REPLACE FUNCTION eventlog_model.random_plain_array(max_depth int)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    result jsonb := '[]';
BEGIN
    FOR i IN 1 .. eventlog_model.random_int(0, 4) LOOP
        result := result || pg_catalog.jsonb_build_array(
                                eventlog_model.random_json(max_depth - 1));
    END LOOP;
    IF pg_catalog.random() < 0.3 THEN
        result := result || pg_catalog.jsonb_build_array(
                                pg_catalog.jsonb_build_object('id', eventlog_model.random_id(),
                                                              'q', eventlog_model.random_int(0, 3)));
    END IF;
    RETURN result;
END
$$;

CREATE OR REPLACE FUNCTION eventlog_model.random_json(max_depth int)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    r float8 := pg_catalog.random();
BEGIN
    IF max_depth <= 0 OR r < 0.45 THEN
        RETURN eventlog_model.random_scalar();
    ELSIF r < 0.65 THEN
        RETURN eventlog_model.random_object(max_depth);
    ELSIF r < 0.85 THEN
        RETURN eventlog_model.random_keyed_array(max_depth);
    ELSE
        RETURN eventlog_model.random_plain_array(max_depth);
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION eventlog_model.random_nonobject(max_depth int)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    v jsonb;
BEGIN
    LOOP
        v := eventlog_model.random_json(max_depth);
        EXIT WHEN pg_catalog.jsonb_typeof(v) <> 'object';
    END LOOP;
    RETURN v;
END
$$;

-- A number rewritten as a numerically equal one with another text
-- (1 -> 1.0, 1.50 -> 1.500): jsonb = sees no change.
CREATE OR REPLACE FUNCTION eventlog_model.same_number_other_text(n jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE WHEN pg_catalog.strpos(n::text, '.') > 0
                THEN (n::text || '0')::jsonb
                ELSE (n::text || '.0')::jsonb
           END
$$;

-- A number changed in its last digit (30-digit numbers stay 30 digits).
CREATE OR REPLACE FUNCTION eventlog_model.last_digit_changed(n jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
AS $$
    SELECT (pg_catalog.left(n::text, -1)
            || ((pg_catalog.right(n::text, 1)::int + 1) % 10)::text)::jsonb
$$;

-- The new version of a value: often unchanged, otherwise changed in a way
-- that fits its type, or replaced by another random value.
CREATE OR REPLACE FUNCTION eventlog_model.random_change(v jsonb, max_depth int)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    r float8 := pg_catalog.random();
    t text := pg_catalog.jsonb_typeof(v);
BEGIN
    IF r < 0.50 THEN
        RETURN v;                                                   -- unchanged
    ELSIF t = 'object' AND r < 0.85 THEN
        RETURN eventlog_model.random_object_change(v, max_depth);   -- partly changed
    ELSIF t = 'array' AND eventlog_model.is_keyed_array(v) AND r < 0.85 THEN
        RETURN eventlog_model.random_keyed_array_change(v, max_depth);
    ELSIF t = 'array' AND r < 0.70 THEN
        RETURN v || pg_catalog.jsonb_build_array(eventlog_model.random_scalar());
    ELSIF t = 'number' AND r < 0.75 THEN
        RETURN eventlog_model.same_number_other_text(v);            -- 1 -> 1.0: no change
    ELSIF t = 'number' AND r < 0.90 THEN
        RETURN eventlog_model.last_digit_changed(v);
    ELSE
        RETURN eventlog_model.random_json(max_depth);               -- replaced
    END IF;
END
$$;

-- An object partly changed: some keys removed, some values changed, some
-- keys added.
CREATE OR REPLACE FUNCTION eventlog_model.random_object_change(obj jsonb, max_depth int)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    result jsonb := '{}';
    k text;
    v jsonb;
BEGIN
    FOR k, v IN SELECT e.key, e.value FROM pg_catalog.jsonb_each(obj) AS e ORDER BY e.key LOOP
        IF pg_catalog.random() < 0.12 THEN
            CONTINUE;                                               -- removed
        END IF;
        result := result || pg_catalog.jsonb_build_object(
                                k, eventlog_model.random_change(v, max_depth - 1));
    END LOOP;
    WHILE pg_catalog.random() < 0.25 LOOP                           -- added (or replaced)
        result := result || pg_catalog.jsonb_build_object(
                                eventlog_model.random_key(),
                                eventlog_model.random_json(max_depth - 1));
    END LOOP;
    RETURN result;
END
$$;

-- A keyed array changed: elements removed, changed (id kept, mostly),
-- added (new or repeated ids), sometimes reordered.
CREATE OR REPLACE FUNCTION eventlog_model.random_keyed_array_change(arr jsonb, max_depth int)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    result jsonb := '[]';
    elem jsonb;
    r float8;
BEGIN
    FOR elem IN SELECT e.value FROM pg_catalog.jsonb_array_elements(arr) WITH ORDINALITY AS e(value, pos)
                ORDER BY e.pos LOOP
        r := pg_catalog.random();
        IF r < 0.12 THEN
            CONTINUE;                                               -- removed
        ELSIF r < 0.45 THEN                                         -- changed, same id
            elem := eventlog_model.random_object_change(elem - 'id', max_depth)
                    || pg_catalog.jsonb_build_object('id', elem -> 'id');
        ELSIF r < 0.50 THEN                                         -- changed, id may go
            elem := eventlog_model.random_object_change(elem, max_depth);
        ELSIF r < 0.55 THEN                                         -- id 7 -> "7", 1 -> 1.0 ...
            elem := elem || pg_catalog.jsonb_build_object('id', eventlog_model.random_id());
        END IF;
        result := result || pg_catalog.jsonb_build_array(elem);
    END LOOP;
    WHILE pg_catalog.random() < 0.25 LOOP                           -- added
        result := result || pg_catalog.jsonb_build_array(
                                eventlog_model.random_object(max_depth - 1, 3)
                                || pg_catalog.jsonb_build_object('id', eventlog_model.random_id()));
    END LOOP;
    IF pg_catalog.random() < 0.15 THEN                              -- reordered
        SELECT coalesce(pg_catalog.jsonb_agg(e.value ORDER BY e.pos DESC), '[]')
          INTO result
          FROM pg_catalog.jsonb_array_elements(result) WITH ORDINALITY AS e(value, pos);
    END IF;
    RETURN result;
END
$$;

CREATE OR REPLACE FUNCTION eventlog_model.random_pair(max_depth int,
                                                      OUT old_doc jsonb,
                                                      OUT new_doc jsonb)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    big jsonb;
    one jsonb;
BEGIN
    old_doc := eventlog_model.random_object(max_depth, 8);
    IF pg_catalog.random() < 0.08 THEN
        new_doc := old_doc;                                         -- no difference at all
    ELSE
        new_doc := eventlog_model.random_object_change(old_doc, max_depth);
    END IF;

    -- a 30-digit number, changed in its last digit or not
    IF pg_catalog.random() < 0.3 THEN
        big := eventlog_model.random_pick(ARRAY[
                   '123456789012345678901234567890',
                   '999999999999999999999999999998',
                   '-100000000000000000000000000001'])::jsonb;
        old_doc := old_doc || pg_catalog.jsonb_build_object('big', big);
        new_doc := new_doc || pg_catalog.jsonb_build_object(
                       'big', CASE WHEN pg_catalog.random() < 0.6
                                   THEN eventlog_model.last_digit_changed(big)
                                   ELSE big END);
    END IF;

    -- numerically equal values with different text: not a change
    IF pg_catalog.random() < 0.3 THEN
        one := eventlog_model.random_pick(ARRAY['1', '1.50', '0', '-2', '123456789012345678901234567890'])::jsonb;
        old_doc := old_doc || pg_catalog.jsonb_build_object('ratio', one);
        new_doc := new_doc || pg_catalog.jsonb_build_object(
                       'ratio', eventlog_model.same_number_other_text(one));
    END IF;
END
$$;

-- A pair of wide objects (n_keys keys named k1..kN, a keyed array of about
-- n_keys/2 elements, a string of several kilobytes, so that the documents are
-- stored toasted), a few percent of it changed, removed or added.
CREATE OR REPLACE FUNCTION eventlog_model.random_wide_pair(n_keys int,
                                                           OUT old_doc jsonb,
                                                           OUT new_doc jsonb)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    items_old jsonb := '[]';
    items_new jsonb := '[]';
    elem jsonb;
    r float8;
BEGIN
    old_doc := pg_catalog.jsonb_build_object(
                   'text', pg_catalog.repeat('lorem ipsum ' || eventlog_model.random_int(0, 9), 400));
    new_doc := old_doc;
    FOR i IN 1 .. n_keys LOOP
        elem := eventlog_model.random_scalar();
        old_doc := old_doc || pg_catalog.jsonb_build_object('k' || i, elem);
        r := pg_catalog.random();
        IF r < 0.03 THEN
            CONTINUE;                                               -- removed
        ELSIF r < 0.06 THEN
            elem := eventlog_model.random_scalar();                 -- changed (maybe)
        END IF;
        new_doc := new_doc || pg_catalog.jsonb_build_object('k' || i, elem);
    END LOOP;
    FOR i IN 1 .. n_keys / 20 LOOP                                  -- added
        new_doc := new_doc || pg_catalog.jsonb_build_object(
                                  'k' || (n_keys + i), eventlog_model.random_scalar());
    END LOOP;
    FOR i IN 1 .. n_keys / 2 LOOP
        elem := pg_catalog.jsonb_build_object('id', i, 'v', eventlog_model.random_scalar(),
                                              'w', eventlog_model.random_int(0, 5));
        items_old := items_old || pg_catalog.jsonb_build_array(elem);
        r := pg_catalog.random();
        IF r < 0.03 THEN
            CONTINUE;                                               -- removed
        ELSIF r < 0.08 THEN
            elem := elem || pg_catalog.jsonb_build_object('w', eventlog_model.random_int(0, 5));
        END IF;
        items_new := items_new || pg_catalog.jsonb_build_array(elem);
    END LOOP;
    old_doc := old_doc || pg_catalog.jsonb_build_object('items', items_old);
    new_doc := new_doc || pg_catalog.jsonb_build_object('items', items_new);
END
$$;

CREATE OR REPLACE FUNCTION eventlog_model.random_keys()
RETURNS text[]
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    result text[] := '{}';
BEGIN
    FOR i IN 1 .. eventlog_model.random_int(0, 3) LOOP
        IF pg_catalog.random() < 0.75 THEN
            result := result || eventlog_model.random_key();
        ELSE
            result := result || eventlog_model.random_pick(eventlog_model.id_text_pool());
        END IF;
    END LOOP;
    IF pg_catalog.random() < 0.08 THEN
        result := result || NULL::text;                             -- a NULL element: ignored
    END IF;
    RETURN result;
END
$$;
