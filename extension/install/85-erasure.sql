-------------------------------------------------------------------------------
-- Erasure: personal data removed from recorded events, the chain kept
-------------------------------------------------------------------------------

-- The only sanctioned way to change a recorded event. The values of keys
-- (in changes, values_json and context, at any depth; and the rendered
-- message) or an actor (its name and actor_id, everywhere in its events,
-- and its counts) are erased; the keys stay, marked "[erased]". Events sealed from
-- 1.4 on stay provable (80-seal.sql: encoding 2, eventlog_erasures); events
-- sealed before cannot be erased (55000). Each call records one event of
-- its own (tool eventlog, action erase). For the log's owner and the
-- members of its role (42501 for anyone else, whatever EXECUTE says).
CREATE FUNCTION @extschema@.eventlog_erase(object_type text, object_id text, keys text[] DEFAULT NULL,
                                           reason text DEFAULT NULL)
RETURNS bigint
LANGUAGE c VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'eventlog_erase';

COMMENT ON FUNCTION @extschema@.eventlog_erase(text, text, text[], text) IS
'Erases the values of keys (NULL: every column of the object''s table but its primary key) in every event about the object, wherever such a key appears in changes, values_json and context, and in the rendered message; the keys stay, marked "[erased]". Returns how many events changed; records an erase event. For the log''s owner (and members of its role)';

CREATE FUNCTION @extschema@.eventlog_erase_actor(actor text, reason text DEFAULT NULL, actor_id text DEFAULT NULL)
RETURNS bigint
LANGUAGE c VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'eventlog_erase_actor';

COMMENT ON FUNCTION @extschema@.eventlog_erase_actor(text, text, text) IS
'Replaces an actor (its name, its actor_id: the one given and those its events carry) by one new pseudonym (erased-actor-<random>) in every event it caused (by that name or one of those ids): actor, actor_id, the strings equal to them in changes, values_json and context, rendered messages, and counts. Returns how many events changed; records an erase event. For the log''s owner (and members of its role)';

CREATE FUNCTION @extschema@.eventlog_erase_older(older_than interval, keys text[], tool text DEFAULT NULL,
                                                 object_table regclass DEFAULT NULL, reason text DEFAULT NULL)
RETURNS bigint
LANGUAGE c VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'eventlog_erase_older';

COMMENT ON FUNCTION @extschema@.eventlog_erase_older(interval, text[], text, regclass, text) IS
'Retention by erasure: erases the values of keys in the events recorded before now() - older_than (of one tool, of one table, or all), as eventlog_erase does. Returns how many events changed; records an erase event. For the log''s owner (and members of its role)';
