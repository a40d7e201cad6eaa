"""Who the actor is, and `eventlog.actor` for the current transaction only."""
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


def set_actor(actor, using=DEFAULT_DB_ALIAS):
    """SET LOCAL eventlog.actor for the transaction in progress (needs one: in
    autocommit mode PostgreSQL would drop it at once). Returns the previous value."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("set_actor() needs a transaction: use `with eventlog_actor(...)` or transaction.atomic()")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('eventlog.actor', true), set_config('eventlog.actor', %s, true)",
            [actor_name(actor) or ""],
        )
        return cursor.fetchone()[0]


@contextlib.contextmanager
def eventlog_actor(actor, using=DEFAULT_DB_ALIAS):
    """Everything in the block, app-logged or trigger-captured, carries `actor`.

        with eventlog_actor(request.user):
            Certificate.objects.filter(...).update(status="archived")

    Opens a transaction (a savepoint when one is in progress). The setting is
    transaction-scoped (set_config(..., true)): it never stays on a pooled
    session, and the previous value is restored when the block ends inside a
    larger transaction."""
    with transaction.atomic(using=using):
        previous = set_actor(actor, using)
        try:
            yield
        finally:
            connection = connections[using]
            if connection.in_atomic_block and not connection.needs_rollback:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('eventlog.actor', %s, true)", [previous or ""])
