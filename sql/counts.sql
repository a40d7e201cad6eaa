-- Exact counts without counting: eventlog_page's count with no filter or
-- with one of tool, actor, actor_id, action, object_type is a sum over
-- eventlog_counts and eventlog_count_deltas, which every write, purge and
-- fold keeps exact, and which obey the log's visibility rule.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS eventlog;
RESET client_min_messages;
\set SHOW_CONTEXT never

-- Events that other files inserted by hand (as the owner may) are not
-- counted until the counts are rebuilt.
SELECT eventlog_counts_rebuild() = (SELECT count(*) FROM eventlog) AS rebuilt;

-- For every value of every filter the log holds (and one it does not), and
-- with no filter: the page's count against counting the log itself, as the
-- current role. Returns the disagreements.
CREATE FUNCTION pg_temp.count_disagreements()
RETURNS TABLE (filter text, value text, page_count bigint, counted bigint)
LANGUAGE plpgsql AS $$
DECLARE
    f text;
    v text;
BEGIN
    FOREACH f IN ARRAY ARRAY['tool', 'actor', 'action', 'object_type', 'actor_id'] LOOP
        FOR v IN EXECUTE format('SELECT DISTINCT %I FROM eventlog WHERE %I IS NOT NULL UNION SELECT ''no such value''', f, f) LOOP
            EXECUTE format('SELECT (eventlog_page(%I => $1, page_size => 1)->>''count'')::bigint, '
                           '(SELECT count(*) FROM eventlog WHERE %I = $1)', f, f)
                INTO page_count, counted USING v;
            filter := f;
            value := v;
            IF page_count IS DISTINCT FROM counted THEN RETURN NEXT; END IF;
        END LOOP;
    END LOOP;
    filter := 'none';
    value := NULL;
    page_count := (eventlog_page(page_size => 1)->>'count')::bigint;
    counted := (SELECT count(*) FROM eventlog);
    IF page_count IS DISTINCT FROM counted THEN RETURN NEXT; END IF;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.count_disagreements() TO PUBLIC;

CREATE ROLE cnt_owner;
CREATE ROLE cnt_reader;             -- may read cnt_open only
CREATE ROLE cnt_nobody;             -- may read neither table
GRANT CREATE ON SCHEMA public TO cnt_owner;
SET ROLE cnt_owner;
CREATE TABLE cnt_open (id int PRIMARY KEY, v int);
CREATE TABLE cnt_secret (id int PRIMARY KEY, v int);
SELECT eventlog_track('cnt_open', 'cnt_shop');
SELECT eventlog_track('cnt_secret', 'cnt_shop');
GRANT SELECT ON cnt_open TO cnt_reader;
INSERT INTO cnt_open SELECT g, g FROM generate_series(1, 30) g;
INSERT INTO cnt_secret SELECT g, g FROM generate_series(1, 20) g;
UPDATE cnt_open SET v = v + 1 WHERE id <= 10;
UPDATE cnt_secret SET v = v + 1 WHERE id <= 5;
DELETE FROM cnt_open WHERE id > 25;
-- Rolled back: no event, no count.
BEGIN;
UPDATE cnt_open SET v = 0;
SELECT eventlog_log('never', tool => 'cnt_shop', action => 'rolled_back') > 0 AS logged;
ROLLBACK;
BEGIN;
SAVEPOINT s;
UPDATE cnt_secret SET v = 0;
ROLLBACK TO SAVEPOINT s;
SELECT eventlog_log('kept', object_type => 'cnt.note', tool => 'cnt_notes', action => 'note', actor => 'Ann') > 0 AS logged;
COMMIT;
RESET ROLE;

-- What each role counts: cnt_shop has 30 + 20 + 10 + 5 + 5 events, 25 of
-- them about cnt_secret; the note is about no table.
SELECT (eventlog_page(tool => 'cnt_shop', page_size => 1)->>'count') AS owner_shop,
       (eventlog_page(object_type => 'public.cnt_secret', page_size => 1)->>'count') AS owner_secret,
       (eventlog_page(action => 'rolled_back', page_size => 1)->>'count') AS rolled_back,
       (eventlog_page(actor => 'Ann', page_size => 1)->>'count') AS ann;
SELECT * FROM pg_temp.count_disagreements();
SET ROLE cnt_reader;
SELECT (eventlog_page(tool => 'cnt_shop', page_size => 1)->>'count') AS reader_shop,
       (eventlog_page(object_type => 'public.cnt_secret', page_size => 1)->>'count') AS reader_secret,
       (eventlog_page(tool => 'cnt_notes', page_size => 1)->>'count') AS reader_notes;
SELECT * FROM pg_temp.count_disagreements();
-- The counts tables show it no more than the log does.
SELECT count(*) AS secret_count_rows FROM eventlog_counts WHERE object_table = 'cnt_secret'::regclass;
SELECT count(*) AS secret_delta_rows FROM eventlog_count_deltas WHERE object_table = 'cnt_secret'::regclass;
SET ROLE cnt_nobody;
SELECT (eventlog_page(tool => 'cnt_shop', page_size => 1)->>'count') AS nobody_shop;
SELECT * FROM pg_temp.count_disagreements();
RESET ROLE;

-- The counts tables are what the page reads: a delta slipped in by the
-- owner shows in the count (and a rebuild puts it right).
INSERT INTO eventlog_count_deltas (tool, events) VALUES ('cnt_shop', 1000);
SELECT (eventlog_page(tool => 'cnt_shop', page_size => 1)->>'count') AS with_bogus_delta;
SELECT filter, value, page_count - counted AS off_by FROM pg_temp.count_disagreements();
SELECT eventlog_counts_rebuild() = (SELECT count(*) FROM eventlog) AS rebuilt;
SELECT (eventlog_page(tool => 'cnt_shop', page_size => 1)->>'count') AS after_rebuild;
SELECT count(*) AS deltas_after_rebuild FROM eventlog_count_deltas;

-- Nobody else may write the counts or run their upkeep.
SET ROLE cnt_owner;
\set VERBOSITY terse
INSERT INTO eventlog_count_deltas (tool, events) VALUES ('cnt_shop', 1);
UPDATE eventlog_counts SET events = 0;
SELECT eventlog_counts_fold();
SELECT eventlog_counts_rebuild();
\set VERBOSITY default
RESET ROLE;

-- Writers fold the deltas now and then (every 512 writes of a backend),
-- and an explicit fold folds them all.
DO $$
BEGIN
    FOR i IN 1..600 LOOP
        PERFORM eventlog_log('tick', tool => 'cnt_ticks', action => 'tick');
    END LOOP;
END
$$;
SELECT count(*) < 600 AS writers_folded FROM eventlog_count_deltas;
SELECT eventlog_counts_fold() > 0 AS folded;
SELECT count(*) AS deltas_after_fold FROM eventlog_count_deltas;
SELECT (eventlog_page(tool => 'cnt_ticks', page_size => 1)->>'count') AS ticks;
-- A transaction with one snapshot for all its statements never folds (its
-- DELETE could meet another fold's and fail to serialize).
BEGIN ISOLATION LEVEL REPEATABLE READ;
DO $$
BEGIN
    FOR i IN 1..600 LOOP
        PERFORM eventlog_log('tock', tool => 'cnt_ticks', action => 'tock');
    END LOOP;
END
$$;
COMMIT;
SELECT count(*) AS deltas_after_repeatable_read FROM eventlog_count_deltas;
SELECT (eventlog_page(tool => 'cnt_ticks', page_size => 1)->>'count') AS ticks_and_tocks;
SELECT * FROM pg_temp.count_disagreements();

-- A counts table the owner changed (an index on the deltas) is written
-- through SQL instead of straight into the heap; the counts stay right.
CREATE INDEX cnt_deltas_tool ON eventlog_count_deltas (tool);
SELECT eventlog_log('with an index', tool => 'cnt_ticks') > 0 AS logged;
SELECT (eventlog_page(tool => 'cnt_ticks', page_size => 1)->>'count') AS ticks_indexed;
DROP INDEX cnt_deltas_tool;

-- An owner's own policy on the log (an auditor reads everything) is not on
-- the counts tables: the page counts the log then, and stays exact.
CREATE ROLE cnt_auditor;
CREATE POLICY cnt_auditor_reads_all ON eventlog FOR SELECT TO cnt_auditor USING (true);
SET ROLE cnt_auditor;
SELECT eventlog_counts_stand_for_log() AS counts_stand_for_log,
       (eventlog_page(tool => 'cnt_shop', page_size => 1)->>'count') AS auditor_shop;
SELECT * FROM pg_temp.count_disagreements();
RESET ROLE;
-- The same policy on the counts tables: they stand for the log again.
CREATE POLICY cnt_auditor_reads_all ON eventlog_counts FOR SELECT TO cnt_auditor USING (true);
CREATE POLICY cnt_auditor_reads_all ON eventlog_count_deltas FOR SELECT TO cnt_auditor USING (true);
SET ROLE cnt_auditor;
SELECT eventlog_counts_stand_for_log() AS counts_stand_for_log,
       (eventlog_page(tool => 'cnt_shop', page_size => 1)->>'count') AS auditor_shop;
SELECT * FROM pg_temp.count_disagreements();
RESET ROLE;
DROP POLICY cnt_auditor_reads_all ON eventlog;
DROP POLICY cnt_auditor_reads_all ON eventlog_counts;
DROP POLICY cnt_auditor_reads_all ON eventlog_count_deltas;
SELECT eventlog_counts_stand_for_log() AS counts_stand_for_log;
-- A policy of the same name with another expression does not stand for it
-- either (the answer is cached: the change must clear it).
SET ROLE cnt_reader;
SELECT eventlog_counts_stand_for_log() AS reader_before_alter;
RESET ROLE;
ALTER POLICY eventlog_readable ON eventlog USING (eventlog_readable(object_table) AND tool IS DISTINCT FROM 'cnt_notes');
SET ROLE cnt_reader;
SELECT eventlog_counts_stand_for_log() AS reader_after_alter,
       (eventlog_page(tool => 'cnt_notes', page_size => 1)->>'count') AS reader_notes;
SELECT * FROM pg_temp.count_disagreements();
RESET ROLE;
ALTER POLICY eventlog_readable ON eventlog USING (eventlog_readable(object_table));
SET ROLE cnt_reader;
SELECT eventlog_counts_stand_for_log() AS reader_after_restore;
RESET ROLE;

-- Purge takes what it removes off the counts.
SELECT eventlog_purge('0 seconds', 5) AS purged;
SELECT * FROM pg_temp.count_disagreements();
SET ROLE cnt_reader;
SELECT * FROM pg_temp.count_disagreements();
RESET ROLE;

-- Dropping a tracked table: its events stay, counted, visible to the
-- roles that bypass the rule only.
DROP TABLE cnt_secret;
SELECT (eventlog_page(object_type => 'public.cnt_secret', page_size => 1)->>'count') AS owner_dropped;
SET ROLE cnt_reader;
SELECT (eventlog_page(object_type => 'public.cnt_secret', page_size => 1)->>'count') AS reader_dropped;
SELECT * FROM pg_temp.count_disagreements();
RESET ROLE;

DROP TABLE cnt_open;
DROP OWNED BY cnt_owner, cnt_reader, cnt_nobody, cnt_auditor;
DROP ROLE cnt_owner, cnt_reader, cnt_nobody, cnt_auditor;
