-- The demo run by ./demo: the original app's two examples, in SQL.
\pset footer off
\echo
\echo '== CREATE EXTENSION eventlog'
CREATE EXTENSION IF NOT EXISTS eventlog;

CREATE TABLE certificate (id int PRIMARY KEY, name text NOT NULL, status text NOT NULL,
                          updated_at timestamptz NOT NULL DEFAULT now());
INSERT INTO certificate (id, name, status) VALUES (1, 'Certificate A', 'active');

\echo
\echo '== What changed? jsonb_diff_schema(old, new, exclude_keys)'
SELECT jsonb_diff_schema('{"name": "John", "status": "active"}',
                         '{"name": "John", "status": "inactive"}',
                         ARRAY['updated_at']) AS diff;

\echo
\echo '== Log an update with its diff (the original app: EventLogService.log in a ViewSet update)'
SET eventlog.actor = 'John Doe';
WITH old AS (SELECT to_jsonb(c) AS row FROM certificate c WHERE id = 1),
     upd AS (UPDATE certificate SET status = 'inactive', updated_at = now() WHERE id = 1 RETURNING to_jsonb(certificate) AS row)
SELECT eventlog_log(
    template_message => 'Item {item__name} was updated by {actor}.',
    values_json      => jsonb_build_object('item__name', upd.row, 'actor', current_setting('eventlog.actor')),
    object_type      => 'public.certificate',
    object_id        => upd.row->>'id',
    tool             => 'example_feature',
    action           => 'update',
    changes          => jsonb_diff_schema(old.row, upd.row, ARRAY['updated_at'])) AS event_id
FROM old, upd;

\echo
\echo '== Log a creation, with the row itself as the object (eventlog_log_row)'
INSERT INTO certificate (id, name, status) VALUES (2, 'Certificate B', 'active');
SELECT eventlog_log_row(c, 'Item {item__name} was created.',
                        jsonb_build_object('item__name', to_jsonb(c)),
                        tool => 'example_feature', action => 'create',
                        changes => jsonb_diff_schema(NULL, to_jsonb(c), ARRAY['updated_at'])) AS event_id
FROM certificate c WHERE id = 2;

\echo
\echo '== Track the table: every INSERT, UPDATE, DELETE and TRUNCATE is recorded, whoever makes it'
SELECT eventlog_track('certificate', tool => 'certificates', exclude_columns => '{updated_at}',
                      messages => '{"update": "{new__name}: {old__status} -> {new__status} by {actor}"}');
CREATE ROLE clerk;
GRANT SELECT, INSERT, UPDATE, DELETE ON certificate TO clerk;
SET ROLE clerk;
SET eventlog.actor = 'Jane Roe';
INSERT INTO certificate (id, name, status) VALUES (3, 'Certificate C', 'draft');
UPDATE certificate SET status = 'active', updated_at = now() WHERE id = 3;
UPDATE certificate SET status = 'archived' WHERE status = 'inactive';
UPDATE certificate SET updated_at = now();  -- only an excluded column: nothing recorded
DELETE FROM certificate WHERE id = 2;
RESET eventlog.actor;
RESET ROLE;

\echo
\echo '== The log'
SELECT id, actor, message, object_type, object_id, tool, action, changes, db_user FROM eventlog ORDER BY id;

\echo
\echo '== One object''s history, newest first'
SELECT id, action, message, changes FROM eventlog
WHERE object_type = 'public.certificate' AND object_id = '3' ORDER BY "timestamp" DESC, id DESC;

\echo
\echo '== It is append-only, even for its owner'
\set ON_ERROR_STOP 0
UPDATE eventlog SET message = 'rewritten';
\set ON_ERROR_STOP 1
DROP TABLE certificate;
DROP ROLE clerk;
