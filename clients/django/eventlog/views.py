from django_filters import rest_framework as filters
from rest_framework.response import Response
from rest_framework.viewsets import ReadOnlyModelViewSet

from .models import EventLog
from .pages import FILTERS, event_page, page_params
from .serializers import EventLogSerializer


class EventLogFilter(filters.FilterSet):
    class Meta:
        model = EventLog
        fields = ["tool", "action", "actor", "object_id", "object_type"]


class EventLogViewSet(ReadOnlyModelViewSet):
    """Read-only list of all events, newest first, filterable by tool, action,
    actor, object_id and object_type; ?page= and ?page_size= page it. The
    list answers {"count": N, "results": [...]} straight from eventlog_page()."""

    queryset = EventLog.objects.all().order_by("-timestamp", "-id")
    serializer_class = EventLogSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = EventLogFilter

    def list(self, request, *args, **kwargs):
        criteria = {}
        for name in FILTERS:
            value = request.query_params.get(name)
            if value not in (None, ""):
                criteria[name] = value
        return Response(event_page(**criteria, **page_params(request)))
