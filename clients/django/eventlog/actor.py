"""Who the actor is, and `eventlog.actor` / `eventlog.actor_id` for the current
transaction only.

An actor is recorded twice: `actor`, the name shown (which may change), and
`actor_id`, a stable key (a user's primary key) that events are found by:
`?actor=<pk>` and `.filter(actor=user)` match the key, as the original's
foreign key did, so a renamed user keeps their events and two users with
one name never share theirs."""
import contextlib

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils.module_loading import import_string


def actor_name(actor):
    """The text recorded as `actor`: None stays None (the extension then uses
    the setting eventlog.actor, else the database role); a string is kept; a
    user becomes settings.EVENTLOG_ACTOR_NAME(user) when set (a dotted path),
    else its full name, else its username; an anonymous user is None."""
    if actor is None or isinstance(actor, str):
        return actor
    if getattr(actor, "is_anonymous", False):
        return None
    custom = getattr(settings, "EVENTLOG_ACTOR_NAME", None)
    if custom:
        function = import_string(custom) if isinstance(custom, str) else custom
        return function(actor)
    full_name = ""
    if hasattr(actor, "get_full_name"):
        full_name = (actor.get_full_name() or "").strip()
    if full_name:
        return full_name
    if hasattr(actor, "get_username"):
        return actor.get_username()
    if isinstance(actor, models.Model):
        return str(actor.pk)
    return str(actor)


def is_user(actor):
    """A user (or any model instance) rather than a name or nothing."""
    return actor is not None and not isinstance(actor, str) and (
        isinstance(actor, models.Model) or hasattr(actor, "is_anonymous"))


def actor_key(actor):
    """The text recorded as `actor_id`: a user's primary key as text
    (settings.EVENTLOG_ACTOR_ID(user) when set, a callable or dotted path);
    None for a string actor (a name has no key), no actor, or an anonymous
    user."""
    if not is_user(actor) or getattr(actor, "is_anonymous", False):
        return None
    custom = getattr(settings, "EVENTLOG_ACTOR_ID", None)
    if custom:
        function = import_string(custom) if isinstance(custom, str) else custom
        key = function(actor)
        return None if key is None else str(key)
    pk = getattr(actor, "pk", None)
    return None if pk is None else str(pk)


def set_actor(actor, using=DEFAULT_DB_ALIAS):
    """SET LOCAL eventlog.actor and eventlog.actor_id (the user's key; none for
    a string) for the transaction in progress (needs one: in autocommit mode
    PostgreSQL would drop them at once). Returns the previous values."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("set_actor() needs a transaction: use `with eventlog_actor(...)` or transaction.atomic()")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('eventlog.actor', true), current_setting('eventlog.actor_id', true),"
            " set_config('eventlog.actor', %s, true), set_config('eventlog.actor_id', %s, true)",
            [actor_name(actor) or "", actor_key(actor) or ""],
        )
        return cursor.fetchone()[:2]


@contextlib.contextmanager
def eventlog_actor(actor, using=DEFAULT_DB_ALIAS):
    """Everything in the block, app-logged or trigger-captured, carries `actor`
    (its name, and a user's key as actor_id; a string clears the key).

        with eventlog_actor(request.user):
            Certificate.objects.filter(...).update(status="archived")

    Opens a transaction (a savepoint when one is in progress). The setting is
    transaction-scoped (set_config(..., true)): it never stays on a pooled
    session, and the previous value is restored when the block ends inside a
    larger transaction."""
    with transaction.atomic(using=using):
        previous_name, previous_key = set_actor(actor, using)
        try:
            yield
        finally:
            connection = connections[using]
            if connection.in_atomic_block and not connection.needs_rollback:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('eventlog.actor', %s, true), set_config('eventlog.actor_id', %s, true)",
                                   [previous_name or "", previous_key or ""])
