"""The contract's {"count": N, "results": [...]} answer, from eventlog_page()."""
import json

from django.db import connections, router
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

from .models import EventLog

FILTERS = ("tool", "object_type", "object_id", "action", "actor")
MAX_PAGE_SIZE = 10000


def _positive_int(request, name, default):
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1 or (name == "page_size" and value > MAX_PAGE_SIZE):
        raise ValidationError({name: f"must be an integer between 1 and {MAX_PAGE_SIZE if name == 'page_size' else 'more'}"})
    return value


def page_params(request):
    default_size = api_settings.PAGE_SIZE or 100
    return {
        "page_size": _positive_int(request, "page_size", default_size),
        "page": _positive_int(request, "page", 1),
    }


def event_page(tool=None, object_type=None, object_id=None, action=None, actor=None, page_size=100, page=1, using=None):
    """eventlog_page(...) as a Python dict: {"count": N, "results": [...]}, newest first."""
    using = using or router.db_for_read(EventLog)
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT eventlog_page(tool => %s, object_type => %s, object_id => %s, action => %s,"
            " actor => %s, page_size => %s, page => %s)",
            [tool, object_type, None if object_id is None else str(object_id), action, actor, page_size, page],
        )
        result = cursor.fetchone()[0]
    return json.loads(result) if isinstance(result, str) else result
