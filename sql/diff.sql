-- jsonb_diff_schema: every rule of the contract.
-- The extension, when this file runs on its own (make installcheck REGRESS=...).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS eventlog;
RESET client_min_messages;

-- The contract's example.
SELECT jsonb_diff_schema('{"name":"John","status":"active"}',
                         '{"name":"John","status":"inactive"}',
                         ARRAY['updated_at']);

-- Changed, added and removed keys; the missing side shows JSON null.
SELECT jsonb_diff_schema('{"a":1,"b":2,"c":3}', '{"a":1,"b":20,"d":4}');
-- A key whose value is JSON null on one side and absent on the other differs.
SELECT jsonb_diff_schema('{"a":null}', '{}');
-- No difference.
SELECT jsonb_diff_schema('{"a":1,"b":[1,2]}', '{"b":[1,2],"a":1}');
SELECT jsonb_diff_schema('{}', '{}');
-- Excluded keys never appear, whether changed, added or removed.
SELECT jsonb_diff_schema('{"a":1,"updated_at":"x","gone":1}', '{"a":2,"updated_at":"y","new":2}',
                         ARRAY['updated_at','gone','new']);
-- NULL exclude_keys or NULL elements are ignored.
SELECT jsonb_diff_schema('{"a":1}', '{"a":2}', NULL);
SELECT jsonb_diff_schema('{"a":1,"b":1}', '{"a":2,"b":2}', ARRAY[NULL,'b']);

-- jsonb equality: exact numerics (a change in the 30th digit is a change),
-- numerically equal values are equal, types matter.
SELECT jsonb_diff_schema('{"n":123456789012345678901234567890}', '{"n":123456789012345678901234567891}');
SELECT jsonb_diff_schema('{"n":0.100000000000000000000000000001}', '{"n":0.100000000000000000000000000002}');
SELECT jsonb_diff_schema('{"n":1.0,"m":1e2}', '{"n":1,"m":100}');
SELECT jsonb_diff_schema('{"n":1,"s":"1","b":true}', '{"n":"1","s":1,"b":"true"}');
-- Keys of every length and order, unicode keys and values.
SELECT jsonb_diff_schema('{"bb":1,"a":1,"ccc":1,"é":"x"}', '{"a":2,"bb":1,"ccc":3,"é":"y","d":0}');

-- Creation (old_data NULL) and deletion (new_data NULL), minus excluded keys.
SELECT jsonb_diff_schema(NULL, '{"id":1,"name":"a","updated_at":"t"}', ARRAY['updated_at']);
SELECT jsonb_diff_schema('{"id":1,"name":"a","updated_at":"t"}', NULL, ARRAY['updated_at']);
SELECT jsonb_diff_schema(NULL, '{}');
SELECT jsonb_diff_schema(NULL, NULL) IS NULL AS both_null_is_null;

-- By default nested values are compared whole.
SELECT jsonb_diff_schema('{"a":{"x":1,"y":2},"l":[{"id":7,"q":1}]}',
                         '{"a":{"x":1,"y":3},"l":[{"id":7,"q":2}]}');

-- deep => true: the contract's example.
SELECT jsonb_diff_schema('{"a":{"x":1,"y":2},"l":[{"id":7,"q":1}]}',
                         '{"a":{"x":1,"y":3},"l":[{"id":7,"q":2}]}', deep => true);
-- Deep at any depth, with the null rule inside.
SELECT jsonb_diff_schema('{"a":{"b":{"c":{"d":1,"e":1}}}}', '{"a":{"b":{"c":{"d":2,"f":1}}}}', deep => true);
-- exclude_keys applies at every depth in deep mode, not in flat mode.
SELECT jsonb_diff_schema('{"a":{"x":1,"updated_at":1},"updated_at":1}', '{"a":{"x":1,"updated_at":2},"updated_at":2}',
                         ARRAY['updated_at'], true);
SELECT jsonb_diff_schema('{"a":{"x":1,"updated_at":1}}', '{"a":{"x":1,"updated_at":2}}', ARRAY['updated_at']);
-- Arrays of objects with "id": keyed by the id's text (strings raw);
-- elements added and removed follow the null rule.
SELECT jsonb_diff_schema('{"l":[{"id":"a","v":1},{"id":"b","v":1},{"id":"c","v":1}]}',
                         '{"l":[{"id":"c","v":1},{"id":"a","v":2},{"id":"d","v":1}]}', deep => true);
-- Order alone does not change a keyed array.
SELECT jsonb_diff_schema('{"l":[{"id":1},{"id":2}]}', '{"l":[{"id":2},{"id":1}]}', deep => true);
-- Ids of other types key by their JSON text.
SELECT jsonb_diff_schema('{"l":[{"id":1.50,"v":1},{"id":true,"v":1},{"id":null,"v":1}]}',
                         '{"l":[{"id":1.50,"v":2},{"id":true,"v":2},{"id":null,"v":2}]}', deep => true);
-- A repeated id keeps its last element.
SELECT jsonb_diff_schema('{"l":[{"id":1,"v":1},{"id":1,"v":2}]}', '{"l":[{"id":1,"v":3}]}', deep => true);
-- Arrays that are not all objects with "id" (on both sides) compare whole.
SELECT jsonb_diff_schema('{"l":[{"id":1,"v":1},{"v":2}]}', '{"l":[{"id":1,"v":3},{"v":2}]}', deep => true);
SELECT jsonb_diff_schema('{"l":[{"id":1,"v":1}]}', '{"l":[{"id":1,"v":1},5]}', deep => true);
SELECT jsonb_diff_schema('{"l":[1,2]}', '{"l":[2,1]}', deep => true);
-- An empty array counts as keyed (all of its elements carry "id").
SELECT jsonb_diff_schema('{"l":[]}', '{"l":[{"id":1,"v":1}]}', deep => true);
-- Object against non-object: whole values.
SELECT jsonb_diff_schema('{"a":{"x":1}}', '{"a":[1]}', deep => true);
-- Equal after exclusions at depth: nothing to report.
SELECT jsonb_diff_schema('{"a":{"updated_at":1}}', '{"a":{"updated_at":2}}', ARRAY['updated_at'], true);
-- deep NULL means false.
SELECT jsonb_diff_schema('{"a":{"x":1,"y":2}}', '{"a":{"x":1,"y":3}}', '{}', NULL);
-- Creation in deep mode is the same as in flat mode.
SELECT jsonb_diff_schema(NULL, '{"a":{"x":1}}', '{}', true);

-- Non-object arguments: SQLSTATE 22023 naming the function and the argument.
SELECT jsonb_diff_schema('[1,2]', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT jsonb_diff_schema('{}', '"text"');
\echo :LAST_ERROR_SQLSTATE
SELECT jsonb_diff_schema('1', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT jsonb_diff_schema(NULL, 'null');
\echo :LAST_ERROR_SQLSTATE
SELECT jsonb_diff_schema('{}', 'true', deep => true);
\echo :LAST_ERROR_SQLSTATE

-- Deeply nested input: a result or an error, never a crash.
SELECT length(jsonb_diff_schema(
           (repeat('{"a":', 2000) || '1' || repeat('}', 2000))::jsonb,
           (repeat('{"a":', 2000) || '2' || repeat('}', 2000))::jsonb, deep => true)::text) AS deep_2000;
CREATE TEMP TABLE nested AS
SELECT (repeat('{"a":', 5000) || '1' || repeat('}', 5000))::jsonb AS a,
       (repeat('{"a":', 5000) || '2' || repeat('}', 5000))::jsonb AS b;
SET max_stack_depth = '100kB';
SELECT jsonb_diff_schema(a, b, deep => true) IS NOT NULL FROM nested;
\echo :LAST_ERROR_SQLSTATE
RESET max_stack_depth;
SELECT 'server still up' AS status;

-- A statement_timeout during long diffs ends the statement with 57014
-- (the diff loops check for interrupts; this shows the error, not how soon).
CREATE TEMP TABLE big AS
SELECT jsonb_object_agg('k' || i, i) AS a, jsonb_object_agg('k' || i, i + 1) AS b
FROM generate_series(1, 300000) i;
SET statement_timeout = '5ms';
SELECT jsonb_diff_schema(a, b) IS NOT NULL FROM big, generate_series(1, 1000);
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;

-- Deep mode over a chain of 3,000 nested objects that differ at the bottom:
-- the nested result is written once, not copied at every level.
SELECT jsonb_diff_schema((repeat('{"a":', 3000) || '1' || repeat('}', 3000))::jsonb,
                         (repeat('{"a":', 3000) || '2' || repeat('}', 3000))::jsonb, deep => true)
       = ('{"new_value": ' || repeat('{"a":', 3000) || '2' || repeat('}', 3000)
          || ', "old_value": ' || repeat('{"a":', 3000) || '1' || repeat('}', 3000) || '}')::jsonb AS deep_chain;
SELECT jsonb_diff_schema((repeat('{"a":', 3000) || '1' || repeat('}', 3000))::jsonb,
                         (repeat('{"a":', 3000) || '1' || repeat('}', 3000))::jsonb, deep => true) AS equal_chain;
