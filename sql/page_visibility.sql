-- One object's page as a role under row security: eventlog_page picks the
-- page's events on the object index (the rule checked on the index
-- entries, which carry object_table) and reads only their rows, so the rows
-- of events the role may not see are never read; the pages are the ones
-- reading the log directly gives.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS eventlog;
RESET client_min_messages;

CREATE ROLE pv_reader;
CREATE TABLE pv_open (id int PRIMARY KEY);
CREATE TABLE pv_closed (id int PRIMARY KEY);
GRANT SELECT ON pv_open TO pv_reader;

-- Written by hand (the owner may insert into the log): object pv.doc 1 has
-- 40 events, about pv_open and pv_closed in runs (3 of every 7 closed) and
-- three to a timestamp (so that ids break the ties); object pv.doc 2 has
-- 300 events, all about pv_closed; object pv.doc 3 has 5 about no table.
-- In 2001, so that they are the oldest events of the log.
INSERT INTO eventlog (object_type, object_id, object_table, "timestamp", message, tool)
SELECT 'pv.doc', '1', CASE WHEN i % 7 < 3 THEN 'pv_closed' ELSE 'pv_open' END::regclass,
       timestamptz '2001-01-01 00:00:00+00' + (i / 3) * interval '1 second', 'doc 1 #' || i, 'pv'
FROM generate_series(1, 40) AS i;
INSERT INTO eventlog (object_type, object_id, object_table, "timestamp", message, tool)
SELECT 'pv.doc', '2', 'pv_closed'::regclass, timestamptz '2001-01-01 00:00:00+00' + i * interval '1 second',
       'doc 2 #' || i, 'pv'
FROM generate_series(1, 300) AS i;
INSERT INTO eventlog (object_type, object_id, object_table, "timestamp", message, tool)
SELECT 'pv.doc', '3', NULL, timestamptz '2001-01-01 00:00:00+00' + i * interval '1 second', 'doc 3 #' || i, 'pv'
FROM generate_series(1, 5) AS i;
-- The counts follow only the extension's writers: recount.
SELECT eventlog_counts_rebuild() >= 0 AS recounted;
-- All-visible pages, so that an index-only scan reads no row, and fresh
-- statistics.
VACUUM ANALYZE eventlog;

-- What each role sees of each object, and every page of every size equals
-- the same page read from the log directly (under the same rule).
CREATE FUNCTION pg_temp.pages_match(object_id text)
RETURNS TABLE (visible bigint, page_count bigint, pages bigint, different bigint)
LANGUAGE sql AS $$
    WITH sizes AS (SELECT s AS page_size FROM unnest(ARRAY[1, 3, 7, 20]) AS s),
    pages AS (
        SELECT z.page_size, p.page,
               (SELECT array_agg((r ->> 'id')::bigint ORDER BY o)
                FROM jsonb_array_elements(eventlog_page(object_type => 'pv.doc', object_id => $1,
                                                        page_size => z.page_size, page => p.page) -> 'results')
                     WITH ORDINALITY AS x(r, o)) AS from_page,
               (SELECT array_agg(d.id ORDER BY d."timestamp" DESC, d.id DESC)
                FROM (SELECT e.id, e."timestamp" FROM eventlog e WHERE e.object_type = 'pv.doc' AND e.object_id = $1
                      ORDER BY e."timestamp" DESC, e.id DESC LIMIT z.page_size OFFSET (p.page - 1) * z.page_size) AS d)
                   AS from_log
        FROM sizes z CROSS JOIN LATERAL generate_series(1, 45 / z.page_size + 2) AS p(page))
    SELECT (SELECT count(*) FROM eventlog e WHERE e.object_type = 'pv.doc' AND e.object_id = $1),
           (eventlog_page(object_type => 'pv.doc', object_id => $1) ->> 'count')::bigint,
           count(*),
           count(*) FILTER (WHERE from_page IS DISTINCT FROM from_log)
    FROM pages
$$;
GRANT EXECUTE ON FUNCTION pg_temp.pages_match(text) TO PUBLIC;

SELECT o AS object_id, m.* FROM unnest(ARRAY['1', '2', '3']) AS o, pg_temp.pages_match(o) AS m;
SET ROLE pv_reader;
SELECT o AS object_id, m.* FROM unnest(ARRAY['1', '2', '3']) AS o, pg_temp.pages_match(o) AS m;
-- The same with the planner kept on the indexes (as at scale: a log this
-- small may be read sequentially).
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT o AS object_id, m.* FROM unnest(ARRAY['1', '2', '3']) AS o, pg_temp.pages_match(o) AS m;
RESET ROLE;

-- Rows read from the log's heap by one page of each object, as the
-- reader: none for the object it may not see at all (the 300 rows stay
-- unread), the page's own for the others.
CREATE FUNCTION pg_temp.heap_rows_read(object_id text, page_size int)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    before bigint;
    page jsonb;
BEGIN
    SELECT COALESCE(s.seq_tup_read, 0) + COALESCE(s.idx_tup_fetch, 0) INTO before
    FROM pg_stat_xact_user_tables s WHERE s.relid = 'eventlog'::regclass;
    page := eventlog_page(object_type => 'pv.doc', object_id => object_id, page_size => page_size);
    RETURN (SELECT COALESCE(s.seq_tup_read, 0) + COALESCE(s.idx_tup_fetch, 0)
            FROM pg_stat_xact_user_tables s WHERE s.relid = 'eventlog'::regclass) - before;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.heap_rows_read(text, int) TO PUBLIC;
SET ROLE pv_reader;
SELECT pg_temp.heap_rows_read('2', 20) AS hidden_object, pg_temp.heap_rows_read('1', 5) AS mixed_object,
       pg_temp.heap_rows_read('3', 20) AS object_of_no_table;
RESET ROLE;
RESET enable_seqscan;
RESET enable_bitmapscan;

SET client_min_messages = warning;
DROP TABLE pv_open, pv_closed;
DROP ROLE pv_reader;
RESET client_min_messages;
