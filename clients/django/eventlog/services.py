import json

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connections, models, router, transaction
from rest_framework.exceptions import ValidationError

from . import diff
from .dbapi import message, sqlstate
from .actor import actor_key, actor_name
from .models import EventLog
from .objects import dumps, identity, values_for


def _jsonb(value):
    return None if value is None else dumps(value)




class EventLogService:
    """The original app's service, backed by the extension's SQL functions."""

    # Keys the original create_diff_schema always left out.
    default_exclude_keys = diff.DEFAULT_EXCLUDE_KEYS

    @classmethod
    def _using(cls, write=True):
        return router.db_for_write(EventLog) if write else router.db_for_read(EventLog)

    @classmethod
    def log(cls, template_message, object, actor, tool, action, values_json=None, changes=None):
        """Records one event with eventlog_log(), in the caller's transaction;
        returns its id. `object` is a model instance (or None, or an
        (object_type, object_id) pair); `actor` is a user (recorded as its
        name, `actor`, and its primary key, `actor_id`) or a string (a name;
        `actor_id` is then the setting eventlog.actor_id, the request's user
        under EventLogActorMiddleware, else NULL), or None (both from the
        settings, else the database role and NULL).

        The message is rendered now, as the original rendered it: each
        placeholder's value with str(), a model instance's attribute path
        read with getattr() ('' when it ends on a model). A missing value or
        attribute raises ValidationError({"log": ...}) with the original's
        text; a template the extension refuses (SQLSTATE 22023) raises
        ValidationError too. Either way the caller's transaction stays usable."""
        using = cls._using()
        described = {}
        if object is None:
            object_type, object_id = None, None
        elif isinstance(object, models.Model):
            object_type, object_id = identity(object, using, described)
        elif isinstance(object, (tuple, list)) and len(object) == 2:
            object_type, object_id = object
            object_id = None if object_id is None else str(object_id)
        else:
            raise TypeError("EventLogService.log: object must be a model instance, None or (object_type, object_id)")
        values = values_for(template_message, values_json, using, described)
        try:
            with transaction.atomic(using=using), connections[using].cursor() as cursor:
                cursor.execute(
                    "SELECT eventlog_log(template_message => %s, values_json => %s::jsonb,"
                    " object_type => %s, object_id => %s, actor => %s, tool => %s,"
                    " action => %s, changes => %s::jsonb, actor_id => %s)",
                    [template_message, _jsonb(values), object_type, object_id,
                     actor_name(actor), None if tool is None else str(tool),
                     None if action is None else str(action), _jsonb(changes), actor_key(actor)],
                )
                return cursor.fetchone()[0]
        except DatabaseError as error:
            if sqlstate(error) == "22023":
                raise ValidationError({"log": message(error)}) from error
            raise

    @classmethod
    def create_diff_schema(cls, old_data, new_data, exclude_keys=None):
        """{"old_value": {...}, "new_value": {...}}: what changed between two
        serializer outputs, as the original computed it (in Python, no
        database needed), leaving out exclude_keys and id, created_at,
        created_by, updated_by, updated_at, uuid, url at every depth. See
        eventlog.diff for the rules."""
        return diff.create_diff_schema(old_data, new_data, exclude_keys)

    @classmethod
    def _object(cls, object, using):
        if isinstance(object, models.Model):
            return identity(object, using)
        if isinstance(object, (tuple, list)) and len(object) == 2:
            return object[0], None if object[1] is None else str(object[1])
        raise TypeError("EventLogService: object must be a model instance or (object_type, object_id)")

    @classmethod
    def state_at(cls, object, at=None):
        """The object's columns (a dict, by column name; excluded columns
        absent) as of `at` (a datetime; default: this moment, clock_timestamp(),
        so that the caller's own changes in its transaction count), rebuilt by
        the extension's eventlog_state_at from tracked events; None when it did
        not exist then or its history has no whole row."""
        using = cls._using(write=False)
        object_type, object_id = cls._object(object, using)
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT eventlog_state_at(%s, %s, coalesce(%s::timestamptz, clock_timestamp()))::text",
                           [object_type, object_id, at])
            row = cursor.fetchone()
        return None if row is None or row[0] is None else json.loads(row[0])

    @classmethod
    def versions(cls, object):
        """One dict per tracked event of the object, newest first:
        event_id, timestamp, actor, action, state (eventlog_versions)."""
        using = cls._using(write=False)
        object_type, object_id = cls._object(object, using)
        with connections[using].cursor() as cursor:
            cursor.execute('SELECT event_id, "timestamp", actor, action, state::text FROM eventlog_versions(%s, %s)',
                           [object_type, object_id])
            return [{"event_id": r[0], "timestamp": r[1], "actor": r[2], "action": r[3],
                     "state": None if r[4] is None else json.loads(r[4])} for r in cursor.fetchall()]

    @classmethod
    def revert(cls, event_id):
        """Undoes one tracked change with eventlog_revert, as the database role
        of the connection, in the caller's transaction; returns the id of the
        event the revert records. A refusal (the row changed since, is gone,
        its key is taken: SQLSTATE 55000; not a tracked change: 22023) raises
        ValidationError({"revert": ...}) and leaves the transaction usable."""
        using = cls._using()
        try:
            with transaction.atomic(using=using), connections[using].cursor() as cursor:
                cursor.execute("SELECT eventlog_revert(%s)", [event_id])
                return cursor.fetchone()[0]
        except DatabaseError as error:
            if sqlstate(error) in ("55000", "22023"):
                raise ValidationError({"revert": message(error)}) from error
            raise

    @classmethod
    def _erasure(cls, query, params):
        """Runs one of the extension's erasures in the caller's transaction (a
        savepoint): a role that is not the log's owner (SQLSTATE 42501) raises
        PermissionDenied, a refusal (55000: events sealed before 1.4; 22023:
        bad keys) ValidationError({"erase": ...}); the transaction stays usable."""
        using = cls._using()
        try:
            with transaction.atomic(using=using), connections[using].cursor() as cursor:
                cursor.execute(query, params)
                return cursor.fetchone()[0]
        except DatabaseError as error:
            state = sqlstate(error)
            if state == "42501":
                raise PermissionDenied(message(error)) from error
            if state in ("55000", "22023", "22004"):
                raise ValidationError({"erase": message(error)}) from error
            raise

    @classmethod
    def erase(cls, obj, keys=None, reason=None):
        """Erases personal data from the events about `obj` (a model instance,
        or an (object_type, object_id) pair) with the extension's
        eventlog_erase: the values of `keys` (field names or column names;
        None: every column of the object's table but its primary key),
        wherever they stand in the events' changes, values_json and context,
        and in their messages. The keys stay, marked "[erased]"; the erasure
        is itself an event (tool "eventlog", action "erase") holding `reason`.
        Returns how many events changed. For the log's owner only."""
        using = cls._using()
        object_type, object_id = cls._object(obj, using)
        columns = None
        if keys is not None:
            fields = {}
            if isinstance(obj, models.Model):
                fields = {f.name: f.column for f in obj._meta.concrete_fields}
            columns = [fields.get(key, key) for key in keys]
        return cls._erasure("SELECT eventlog_erase(%s, %s, %s::text[], %s)",
                            [object_type, object_id, columns, reason])

    @classmethod
    def erase_actor(cls, user, reason=None, actor_id=None):
        """Replaces an actor by a pseudonym in every event it caused, with the
        extension's eventlog_erase_actor: `user` is a user (recorded under
        actor_name(user) and its key actor_key(user), so its events under an
        earlier name are found too) or the actor's text; `actor_id` gives
        the key explicitly (for a string, or to override). Its name and key
        go from the events' actor, actor_id, messages and JSON, and from the
        counts. Returns how many events changed. For the log's owner only."""
        key = actor_key(user) if actor_id is None else str(actor_id)
        return cls._erasure("SELECT eventlog_erase_actor(%s, %s, %s)", [actor_name(user), reason, key])
