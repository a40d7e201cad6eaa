-- The smoke check of test/packages/run, run by psql (-X -q -At, stopping at
-- the first error) in a fresh cluster of a chroot where the package
-- postgresql-NN-eventlog was just installed; its output must equal
-- smoke.out. :version is eventlog.control's default_version.
CREATE EXTENSION eventlog;
SELECT 'installed version is default_version', extversion = :'version' FROM pg_extension WHERE extname = 'eventlog';

CREATE TABLE public.widget (id integer PRIMARY KEY, name text NOT NULL, qty integer NOT NULL);
SELECT 'tracked', eventlog_track('widget', tool => 'stock');
SET eventlog.actor = 'packager';
INSERT INTO widget VALUES (1, 'bolt', 10), (2, 'nut', 20);
UPDATE widget SET qty = 11 WHERE id = 1;
UPDATE widget SET qty = qty;
DELETE FROM widget WHERE id = 2;
TRUNCATE widget;
SELECT 'logged', eventlog_log('Counted {n} widgets', '{"n": 0}', tool => 'stock', action => 'count') > 0;

SELECT action, object_type, object_id, actor, tool, message, changes FROM eventlog ORDER BY id;
SELECT 'events', count(*) FROM eventlog;
SELECT 'page count', eventlog_page(tool => 'stock') -> 'count';
SELECT 'diff', jsonb_diff_schema('{"a": 1, "b": [1, 2]}', '{"a": 2, "b": [1, 2]}');

SELECT 'untracked', eventlog_untrack('widget');
DROP EXTENSION eventlog;
SELECT 'extension left', count(*) FROM pg_extension WHERE extname = 'eventlog';
INSERT INTO widget VALUES (3, 'washer', 30);
SELECT 'widgets', count(*) FROM widget;
