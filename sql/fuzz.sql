-- Thousands of random templates and random JSON documents: every call either
-- succeeds or raises the documented error (SQLSTATE 22023); the server never
-- crashes, and eventlog_log records exactly one event per successful call.
-- The extension, when this file runs on its own (make installcheck REGRESS=...).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS eventlog;
RESET client_min_messages;
SELECT setseed(0.17);

CREATE FUNCTION pg_temp.random_text(alphabet text[], max_len int) RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT coalesce(string_agg(alphabet[1 + floor(random() * array_length(alphabet, 1))::int], ''), '')
    FROM generate_series(1, floor(random() * (max_len + 1))::int)
$$;

-- Any JSON value: scalars (huge and decimal numbers, unicode, brace-laden
-- strings), objects with keys the templates use, arrays (some of objects with ids).
CREATE FUNCTION pg_temp.random_json(depth int) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    r float8 := random();
    result jsonb;
BEGIN
    IF depth <= 0 OR r < 0.35 THEN
        RETURN (ARRAY['1', '-2.50', '123456789012345678901234567890', '1e-30', 'true', 'false', 'null',
                      '"x"', '"{a}"', '""', '"ü\n\u00e9"', '"é"'])[1 + floor(random() * 12)::int]::jsonb;
    ELSIF r < 0.75 THEN
        SELECT coalesce(jsonb_object_agg(k, pg_temp.random_json(depth - 1)), '{}') INTO result
        FROM (SELECT DISTINCT (ARRAY['a', 'b', 'id', 'a__b', 'b__a', 'x', ''])[1 + floor(random() * 7)::int] AS k
              FROM generate_series(1, floor(random() * 5)::int)) keys;
    ELSE
        SELECT coalesce(jsonb_agg(pg_temp.random_json(depth - 1)), '[]') INTO result
        FROM generate_series(1, floor(random() * 4)::int);
    END IF;
    RETURN result;
END
$$;

CREATE TEMP TABLE outcomes (fn text, outcome text);

DO $$
DECLARE
    tmpl text;
    doc_a jsonb;
    doc_b jsonb;
BEGIN
    FOR i IN 1..3000 LOOP
        tmpl := pg_temp.random_text(ARRAY['{', '}', 'a', 'b', '_', '__', 'id', 'x', ' ', '{{', '}}', 'é'], 8);
        doc_a := pg_temp.random_json(3);
        BEGIN
            PERFORM eventlog_render(tmpl, doc_a);
            INSERT INTO outcomes VALUES ('eventlog_render', 'ok');
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO outcomes VALUES ('eventlog_render', SQLSTATE);
        END;

        -- Random documents (often not objects), then objects wrapping them.
        doc_a := pg_temp.random_json(4);
        doc_b := pg_temp.random_json(4);
        BEGIN
            PERFORM jsonb_diff_schema(doc_a, doc_b, ARRAY['a', 'id'], random() < 0.5);
            INSERT INTO outcomes VALUES ('jsonb_diff_schema', 'ok');
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO outcomes VALUES ('jsonb_diff_schema', SQLSTATE);
        END;
        BEGIN
            PERFORM jsonb_diff_schema(jsonb_build_object('a', doc_a, 'b', doc_b, 'x', 1),
                                      jsonb_build_object('a', doc_b, 'b', doc_b, 'id', doc_a),
                                      CASE WHEN random() < 0.3 THEN ARRAY['x'] END, random() < 0.5);
            INSERT INTO outcomes VALUES ('jsonb_diff_schema(objects)', 'ok');
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO outcomes VALUES ('jsonb_diff_schema(objects)', SQLSTATE);
        END;
    END LOOP;
END
$$;

-- Random templates through eventlog_log: errors record nothing.
SELECT count(*) AS events_before FROM eventlog \gset
DO $$
BEGIN
    FOR i IN 1..500 LOOP
        BEGIN
            PERFORM eventlog_log(pg_temp.random_text(ARRAY['{', '}', 'a', 'b', '__', 'x'], 6),
                                 pg_temp.random_json(2), tool => 'fuzz');
            INSERT INTO outcomes VALUES ('eventlog_log', 'ok');
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO outcomes VALUES ('eventlog_log', SQLSTATE);
        END;
    END LOOP;
END
$$;

-- Each function saw both successes and the documented error, nothing else.
SELECT fn, outcome, count(*) >= 50 AS at_least_50
FROM outcomes GROUP BY fn, outcome ORDER BY fn, outcome;
SELECT (SELECT count(*) FROM eventlog WHERE tool = 'fuzz') =
       (SELECT count(*) FROM outcomes WHERE fn = 'eventlog_log' AND outcome = 'ok') AS one_event_per_success,
       (SELECT count(*) FROM eventlog) - :events_before =
       (SELECT count(*) FROM outcomes WHERE fn = 'eventlog_log' AND outcome = 'ok') AS nothing_else;
