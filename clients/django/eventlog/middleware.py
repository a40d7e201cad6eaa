"""EventLogActorMiddleware: the request's user as `eventlog.actor` (its name)
and `eventlog.actor_id` (its primary key, the key events are found by), and the
request itself as `eventlog.context` ({"request_id", "path", "method"}; the
request id is the X-Request-ID header when the client or a proxy sent one,
else a new UUID), for this request's transaction only: every event the
request records, tracked or logged, carries them.

Each request runs in one transaction on the log's database (as with
ATOMIC_REQUESTS), rolled back when the view raises. Before each statement of
that transaction, once the request's user is known (Django's session
authentication, or DRF's authentication, which also sets the Django request's
user), `eventlog.actor` and `eventlog.actor_id` (and `eventlog.context`, from
the first statement)
is set with set_config(..., true) unless this transaction already has it. The setting ends with the transaction, so a
pooled connection (pgbouncer in transaction mode, CONN_MAX_AGE) never carries
it into another request.
"""
import json
import re
import uuid

from django.db import connections, router, transaction
from django.utils.functional import empty

from .actor import actor_key, actor_name
from .dbapi import transaction_failed
from .models import EventLog


# Django's savepoint statements: they need no actor, and may run in a failed transaction.
_TRANSACTION_CONTROL = re.compile(r"\s*(SAVEPOINT|RELEASE|ROLLBACK)\b", re.IGNORECASE)


class _ActorWrapper:
    def __init__(self, request, connection):
        self.request = request
        self.connection = connection
        self.busy = False
        self.current = None  # (settings, savepoint ids when they were set)
        self.context = json.dumps({
            "request_id": request.META.get("HTTP_X_REQUEST_ID") or uuid.uuid4().hex,
            "path": request.path,
            "method": request.method,
        })

    def _actor(self):
        """(name, key) of the request's user; None while it is not known."""
        user = getattr(self.request, "user", None)
        if user is None or getattr(user, "_wrapped", None) is empty:
            return None  # not known yet (never evaluated here: that would query from inside a query)
        try:
            name = actor_name(user)
            return (name, actor_key(user)) if name else None
        except Exception:  # noqa: BLE001 - never break a request over the actor
            return None

    def __call__(self, execute, sql, params, many, context):
        if self.busy or not self.connection.in_atomic_block:
            return execute(sql, params, many, context)
        self.busy = True
        try:
            actor = self._actor()
            settings = (("eventlog.context", self.context),)
            if actor:
                settings += (("eventlog.actor", actor[0]), ("eventlog.actor_id", actor[1] or ""))
            savepoints = tuple(self.connection.savepoint_ids)
            stale = (
                self.current is None
                or self.current[0] != settings
                # a savepoint they were set in may have been rolled back
                or savepoints[: len(self.current[1])] != self.current[1]
            )
            raw = self.connection.connection  # the DB-API connection: no wrappers
            if (stale and not self.connection.needs_rollback
                    and not _TRANSACTION_CONTROL.match(sql or "")
                    and not transaction_failed(raw)):
                with raw.cursor() as cursor:
                    cursor.execute("SELECT " + ", ".join("set_config(%s, %s, true)" for _ in settings),
                                   [value for pair in settings for value in pair])
                self.current = (settings, savepoints)
        finally:
            self.busy = False
        return execute(sql, params, many, context)


class EventLogActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        using = router.db_for_write(EventLog)
        connection = connections[using]
        with transaction.atomic(using=using):
            user = getattr(request, "user", None)
            if user is not None:
                user.is_authenticated  # resolve Django's lazy user (session) before the wrapper is on
            with connection.execute_wrapper(_ActorWrapper(request, connection)):
                return self.get_response(request)

    def process_exception(self, request, exception):
        # Django turns the view's exception into a 500 response before it
        # reaches __call__: roll the request's transaction back here, as
        # ATOMIC_REQUESTS would.
        using = router.db_for_write(EventLog)
        if connections[using].in_atomic_block:
            transaction.set_rollback(True, using=using)
        return None
