from django.db import router
from rest_framework.decorators import action
from rest_framework.response import Response

from .models import EventLog
from .objects import identity
from .serializers import EventLogSerializer


class EventLogMixin:
    """Adds GET /<resource>/<pk>/log/ to a ViewSet: the object's events, newest
    first (the events the app logged with EventLogService.log(object=...) and
    those tracked tables recorded), paginated by the ViewSet's own paginator
    as the original did. Override get_eventlog_queryset() to narrow them."""

    @action(methods=["GET"], detail=True, url_path="log", serializer_class=EventLogSerializer)
    def log_detail(self, request, *args, **kwargs):
        instance = self.get_object()
        events = self.get_eventlog_queryset(instance)

        page = self.paginate_queryset(events)
        if page is not None:
            serializer = self.get_serializer(page, many=True)
            return self.get_paginated_response(serializer.data)

        serializer = self.get_serializer(events, many=True)
        return Response(serializer.data)

    def get_eventlog_queryset(self, instance):
        using = router.db_for_read(EventLog)
        object_type, object_id = identity(instance, using)
        return EventLog.objects.using(using).filter(object_type=object_type, object_id=object_id).order_by("-timestamp", "-id")
