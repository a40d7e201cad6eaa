--
-- diff_model: the extension's jsonb_diff_schema (C++) against the reference
-- model in test/model/jsonb_diff_model.sql (PL/pgSQL), first on the
-- contract's examples and hand-picked edge cases, then on thousands of
-- random document pairs (test/model/random_json.sql, seeded).
--
-- Needs CREATE EXTENSION eventlog done (sql/install.sql) in schema public.
--
-- The extension, when this file runs on its own (make installcheck REGRESS=...).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS eventlog;
RESET client_min_messages;
\set ECHO none
SET client_min_messages = warning;
\i test/model/jsonb_diff_model.sql
\i test/model/random_json.sql
RESET client_min_messages;
\set ECHO all
\set SHOW_CONTEXT never

--
-- (a) the model on the contract's examples
--
SELECT eventlog_model.jsonb_diff_schema('{"name":"John","status":"active"}',
                                        '{"name":"John","status":"inactive"}',
                                        ARRAY['updated_at']);
SELECT eventlog_model.jsonb_diff_schema('{"a":{"x":1,"y":2},"l":[{"id":7,"q":1}]}',
                                        '{"a":{"x":1,"y":3},"l":[{"id":7,"q":2}]}',
                                        deep => true)
     = '{"old_value":{"a":{"y":2},"l":{"7":{"q":1}}},"new_value":{"a":{"y":3},"l":{"7":{"q":2}}}}'
       AS spec_deep_example;
-- the same nested change in flat mode: whole values
SELECT eventlog_model.jsonb_diff_schema('{"a":{"x":1,"y":2},"l":[{"id":7,"q":1}]}',
                                        '{"a":{"x":1,"y":3},"l":[{"id":7,"q":2}]}');
-- creation, deletion, both NULL, no difference
SELECT eventlog_model.jsonb_diff_schema(NULL, '{"id":1,"name":"A","updated_at":"t"}', '{updated_at}');
SELECT eventlog_model.jsonb_diff_schema('{"id":1,"name":"A","updated_at":"t"}', NULL, '{updated_at}');
SELECT eventlog_model.jsonb_diff_schema(NULL, NULL) IS NULL AS both_null_is_null;
SELECT eventlog_model.jsonb_diff_schema('{"a":1,"b":[1,2]}', '{"b":[1,2],"a":1.0}');
-- non-object arguments: 22023
SELECT eventlog_model.jsonb_diff_schema('[1,2]', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_model.jsonb_diff_schema(NULL, '"text"');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_model.jsonb_diff_schema('{}', 'null');
\echo :LAST_ERROR_SQLSTATE

--
-- Each implementation called with errors caught: the result, or
-- {"error": SQLSTATE, "message": ...}.  A result never has an "error" key.
--
CREATE FUNCTION pg_temp.diff_outcome(impl text, old_data jsonb, new_data jsonb,
                                     exclude_keys text[], deep boolean)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
BEGIN
    IF impl = 'native' THEN
        RETURN public.jsonb_diff_schema(old_data, new_data, exclude_keys, deep);
    ELSE
        RETURN eventlog_model.jsonb_diff_schema(old_data, new_data, exclude_keys, deep);
    END IF;
EXCEPTION WHEN OTHERS THEN
    RETURN pg_catalog.jsonb_build_object('error', SQLSTATE, 'message', SQLERRM);
END
$$;

--
-- The extension on the contract's examples, with default arguments
--
SELECT public.jsonb_diff_schema('{"name":"John","status":"active"}',
                                '{"name":"John","status":"inactive"}',
                                ARRAY['updated_at']);
SELECT public.jsonb_diff_schema('{"a":{"x":1,"y":2},"l":[{"id":7,"q":1}]}',
                                '{"a":{"x":1,"y":3},"l":[{"id":7,"q":2}]}',
                                deep => true)
     = '{"old_value":{"a":{"y":2},"l":{"7":{"q":1}}},"new_value":{"a":{"y":3},"l":{"7":{"q":2}}}}'
       AS spec_deep_example;
SELECT public.jsonb_diff_schema('{"a":{"x":1}}', '{"a":{"x":2}}') AS flat_by_default;
SELECT public.jsonb_diff_schema(NULL, NULL) IS NULL AS both_null_is_null;

--
-- Hand-picked edge cases: the model's answer, and whether the extension agrees
--
CREATE TEMP TABLE edge_cases (label text, old_doc jsonb, new_doc jsonb,
                              excl text[], deep boolean);
INSERT INTO edge_cases VALUES
 ('spec flat example', '{"name":"John","status":"active"}', '{"name":"John","status":"inactive"}', '{updated_at}', false),
 ('spec deep example', '{"a":{"x":1,"y":2},"l":[{"id":7,"q":1}]}', '{"a":{"x":1,"y":3},"l":[{"id":7,"q":2}]}', '{}', true),
 ('no difference', '{"a":1,"b":{"c":[1,{"d":null}]}}', '{"b":{"c":[1,{"d":null}]},"a":1}', '{}', false),
 ('empty objects', '{}', '{}', '{}', true),
 ('added and removed keys', '{"a":1,"b":2}', '{"b":2,"c":3}', '{}', false),
 ('null value vs missing key', '{"a":null}', '{}', '{}', false),
 ('null value vs missing key, deep', '{"a":{"b":null}}', '{"a":{}}', '{}', true),
 ('1 vs 1.0 is no change', '{"n":1,"m":1.50,"o":[1,2.0]}', '{"n":1.0,"m":1.5,"o":[1.00,2]}', '{}', false),
 ('30-digit numbers', '{"n":123456789012345678901234567890}', '{"n":123456789012345678901234567891}', '{}', false),
 ('string vs number', '{"n":"1"}', '{"n":1}', '{}', false),
 ('true vs 1', '{"n":true}', '{"n":1}', '{}', true),
 ('flat: nested object whole', '{"a":{"x":1,"y":2},"z":0}', '{"a":{"x":1,"y":3},"z":0}', '{}', false),
 ('deep: nested object', '{"a":{"x":1,"y":{"p":1,"q":2}}}', '{"a":{"x":1,"y":{"p":1,"q":3}}}', '{}', true),
 ('deep: exclude at depth', '{"a":{"x":1,"updated_at":1},"updated_at":1}', '{"a":{"x":2,"updated_at":2},"updated_at":2}', '{updated_at}', true),
 ('deep: nested diff empty after exclude', '{"a":{"x":1,"t":1}}', '{"a":{"x":1,"t":2}}', '{t}', true),
 ('flat: exclude only top level', '{"a":{"t":1}}', '{"a":{"t":2}}', '{t}', false),
 ('deep: empty nested object', '{"a":{}}', '{"a":{"b":1}}', '{}', true),
 ('deep: object vs array', '{"a":{"id":1}}', '{"a":[{"id":1}]}', '{}', true),
 ('deep: keyed array add/remove', '{"l":[{"id":1,"v":"a"},{"id":2,"v":"b"}]}', '{"l":[{"id":2,"v":"b"},{"id":3,"v":"c"}]}', '{}', true),
 ('deep: keyed array reordered', '{"l":[{"id":1},{"id":2}]}', '{"l":[{"id":2},{"id":1}]}', '{}', true),
 ('flat: keyed array reordered', '{"l":[{"id":1},{"id":2}]}', '{"l":[{"id":2},{"id":1}]}', '{}', false),
 ('deep: duplicate ids, last wins', '{"l":[{"id":1,"v":1},{"id":1,"v":2}]}', '{"l":[{"id":1,"v":2},{"id":1,"v":3}]}', '{}', true),
 ('deep: duplicate ids, last equal', '{"l":[{"id":1,"v":1},{"id":1,"v":2}]}', '{"l":[{"id":1,"v":2}]}', '{}', true),
 ('deep: id "7" and 7 share a key', '{"l":[{"id":"7","v":1}]}', '{"l":[{"id":7,"v":1}]}', '{}', true),
 ('deep: id 1 and 1.0 equal, arrays equal', '{"l":[{"id":1,"v":1}]}', '{"l":[{"id":1.0,"v":1}]}', '{}', true),
 ('deep: id 1 and 1.0 are other keys', '{"l":[{"id":1,"v":1}]}', '{"l":[{"id":1.0,"v":2}]}', '{}', true),
 ('deep: exotic ids', '{"l":[{"id":null},{"id":true},{"id":1.50},{"id":{"k":[1,"a"]}},{"id":"é \" \\"}]}', '{"l":[]}', '{}', true),
 ('deep: empty vs keyed array', '{"l":[]}', '{"l":[{"id":1,"v":1}]}', '{}', true),
 ('deep: array not all keyed', '{"l":[{"id":1,"v":1},{"v":2}]}', '{"l":[{"id":1,"v":2},{"v":2}]}', '{}', true),
 ('deep: array of scalars', '{"l":[1,2]}', '{"l":[1,3]}', '{}', true),
 ('deep: one side keyed only', '{"l":[{"id":1}]}', '{"l":[1]}', '{}', true),
 ('deep: exclude an id key', '{"l":[{"id":7,"v":1},{"id":8,"v":1}]}', '{"l":[{"id":7,"v":2},{"id":8,"v":2}]}', '{7}', true),
 ('deep: exclude the id field', '{"l":[{"id":"7","v":1}]}', '{"l":[{"id":7,"v":1}]}', '{id}', true),
 ('deep: nested keyed arrays', '{"l":[{"id":1,"s":[{"id":"a","v":1}]}]}', '{"l":[{"id":1,"s":[{"id":"a","v":2}]}]}', '{}', true),
 ('deep: whole values keep excluded keys', '{"a":1}', '{"a":{"t":1,"u":2}}', '{t}', true),
 ('exclude NULL', '{"a":1}', '{"a":2}', NULL, false),
 ('exclude with NULL element', '{"a":1,"b":1}', '{"a":2,"b":2}', '{NULL,b}', false),
 ('deep NULL means flat', '{"a":{"x":1}}', '{"a":{"x":2}}', '{}', NULL),
 ('creation', NULL, '{"a":1,"t":2,"n":{"t":3}}', '{t}', true),
 ('deletion', '{"a":1,"t":2,"n":{"t":3}}', NULL, '{t}', false),
 ('creation of empty object', NULL, '{}', '{}', false),
 ('both NULL', NULL, NULL, '{x}', true),
 ('unicode and escapes', '{"ключ":"значение","q\"k":"a\nb","":"\u0001"}', '{"ключ":"другое","q\"k":"a\nb","":"\u0002"}', '{}', false),
 ('empty key excluded', '{"":1,"a":1}', '{"":2,"a":2}', '{""}', false),
 ('old_data an array', '[{"a":1}]', '{"a":1}', '{}', false),
 ('new_data a string', '{"a":1}', '"a"', '{}', true),
 ('new_data JSON null, old NULL', NULL, 'null', '{}', false),
 ('old_data a number', '1', NULL, '{}', false);

-- (unaligned: the column widths of aligned output would depend on the
-- database encoding, the results holding non-ASCII text)
\pset format unaligned
SELECT label,
       (model - 'message') IS NOT DISTINCT FROM (native - 'message') AS native_agrees,
       model
FROM (SELECT label,
             pg_temp.diff_outcome('model', old_doc, new_doc, excl, deep) AS model,
             pg_temp.diff_outcome('native', old_doc, new_doc, excl, deep) AS native
      FROM edge_cases) AS r
ORDER BY label COLLATE "C";
\pset format aligned

-- the extension's error messages name the function and the argument
SELECT label,
       native ->> 'error' AS sqlstate,
       native ->> 'message' LIKE '%jsonb_diff_schema%' AS names_function,
       native ->> 'message' LIKE '%' || arg || '%' AS names_argument
FROM (SELECT label, arg,
             pg_temp.diff_outcome('native', old_doc, new_doc, excl, deep) AS native
      FROM edge_cases
      JOIN (VALUES ('old_data an array', 'old_data'),
                   ('new_data a string', 'new_data'),
                   ('new_data JSON null, old NULL', 'new_data'),
                   ('old_data a number', 'old_data')) AS a(label, arg) USING (label)) AS r
ORDER BY label COLLATE "C";

--
-- (b) The differential test: random pairs (seeded), flat and deep, random
-- exclude lists, creations, deletions and non-object arguments.
--
CREATE TEMP TABLE diff_cases (i int, kind text, old_doc jsonb, new_doc jsonb,
                              excl text[], deep boolean);
DO $$
DECLARE
    p record;
    e text[];
BEGIN
    PERFORM pg_catalog.setseed(0.42);
    FOR i IN 1 .. 4000 LOOP
        IF i % 100 = 0 THEN
            SELECT * INTO p FROM eventlog_model.random_wide_pair(100 + i / 40);
        ELSE
            SELECT * INTO p FROM eventlog_model.random_pair(3);
        END IF;
        e := CASE WHEN i % 40 = 0 THEN NULL ELSE eventlog_model.random_keys() END;
        INSERT INTO diff_cases VALUES
            (i, 'pair', p.old_doc, p.new_doc, e, false),
            (i, 'pair', p.old_doc, p.new_doc, e, true);
        IF i % 50 = 0 THEN
            INSERT INTO diff_cases VALUES (i, 'pair', p.old_doc, p.new_doc, e, NULL);
        END IF;
        IF i % 5 = 0 THEN
            INSERT INTO diff_cases VALUES
                (i, 'create', NULL, p.new_doc, e, i % 10 = 0),
                (i, 'delete', p.old_doc, NULL, e, i % 10 <> 0);
        END IF;
        IF i % 20 = 0 THEN
            INSERT INTO diff_cases VALUES
                (i, 'bad_old', eventlog_model.random_nonobject(2),
                    CASE WHEN i % 40 = 0 THEN NULL ELSE p.new_doc END, e, i % 3 = 0),
                (i, 'bad_new', CASE WHEN i % 60 = 0 THEN NULL ELSE p.old_doc END,
                    eventlog_model.random_nonobject(2), e, i % 3 = 1);
        END IF;
        IF i % 100 = 0 THEN
            INSERT INTO diff_cases VALUES
                (i, 'both_null', NULL, NULL, e, i % 200 = 0),
                (i, 'bad_both', eventlog_model.random_nonobject(1),
                    eventlog_model.random_nonobject(1), e, i % 200 = 0);
        END IF;
    END LOOP;
END
$$;

CREATE TEMP TABLE diff_results AS
SELECT c.*, r.model, r.native,
       (r.model - 'message') IS DISTINCT FROM (r.native - 'message') AS mismatch,
       -- the extension's error must name the function and the bad argument
       c.kind IN ('bad_old', 'bad_new')
         AND r.native ? 'error'
         AND NOT (r.native ->> 'message' LIKE '%jsonb_diff_schema%'
                  AND r.native ->> 'message'
                      LIKE '%' || CASE c.kind WHEN 'bad_old' THEN 'old_data' ELSE 'new_data' END || '%')
         AS bad_message
FROM diff_cases AS c,
     LATERAL (SELECT pg_temp.diff_outcome('model', c.old_doc, c.new_doc, c.excl, c.deep) AS model,
                     pg_temp.diff_outcome('native', c.old_doc, c.new_doc, c.excl, c.deep) AS native) AS r;

SELECT count(*) AS cases,
       count(*) FILTER (WHERE mismatch) AS mismatches,
       count(*) FILTER (WHERE bad_message) AS badly_worded_errors,
       count(*) FILTER (WHERE kind = 'pair' AND deep IS FALSE
                          AND model -> 'old_value' <> '{}') > 2500 AS enough_nonempty_diffs,
       count(*) FILTER (WHERE kind = 'pair' AND deep
                          AND model -> 'old_value' <> '{}') > 2500 AS enough_nonempty_deep_diffs,
       count(*) FILTER (WHERE kind = 'pair'
                          AND model -> 'old_value' = '{}') > 500 AS enough_empty_diffs,
       count(*) FILTER (WHERE kind LIKE 'bad%' AND model ->> 'error' = '22023')
         = count(*) FILTER (WHERE kind LIKE 'bad%') AS all_bad_args_give_22023,
       count(*) FILTER (WHERE kind NOT LIKE 'bad%' AND model ? 'error') = 0 AS no_other_errors
FROM diff_results;

-- deep mode must have made a difference often enough (recursion exercised)
SELECT count(*) > 600 AS deep_differs_from_flat_often
FROM diff_results AS f
JOIN diff_results AS d USING (i)
WHERE f.kind = 'pair' AND d.kind = 'pair' AND f.deep IS FALSE AND d.deep
  AND f.model <> d.model;

-- numerically equal numbers with other text (1 vs 1.0) were generated
SELECT count(*) > 600 AS enough_numeric_text_variants
FROM diff_results
WHERE kind = 'pair' AND deep IS FALSE
  AND old_doc -> 'ratio' = new_doc -> 'ratio'
  AND (old_doc -> 'ratio')::text <> (new_doc -> 'ratio')::text;

-- keyed arrays were compared by id (a top-level array shown as a map)
SELECT count(*) > 300 AS enough_keyed_array_diffs
FROM diff_results AS d,
     LATERAL pg_catalog.jsonb_object_keys(d.model -> 'old_value') AS k
WHERE d.kind = 'pair' AND d.deep
  AND pg_catalog.jsonb_typeof(d.old_doc -> k) = 'array'
  AND pg_catalog.jsonb_typeof(d.model -> 'old_value' -> k) = 'object';

-- the first offending cases, if any (none when all is well)
SELECT i, kind, deep, excl, old_doc, new_doc, model, native
FROM diff_results
WHERE mismatch OR bad_message
ORDER BY i, kind, deep NULLS FIRST
LIMIT 3;

-- leave no model objects behind for later tests
SET client_min_messages = warning;
DROP SCHEMA eventlog_model CASCADE;
RESET client_min_messages;
