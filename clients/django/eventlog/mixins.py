from django.db import router
from rest_framework.decorators import action
from rest_framework.response import Response

from .models import EventLog
from .objects import identity
from .pages import event_page, page_params
from .serializers import EventLogSerializer


class EventLogMixin:
    """Adds GET /<resource>/<pk>/log/ to a ViewSet: the object's events, newest
    first, as {"count": N, "results": [...]}; both the events the app logged
    with EventLogService.log(object=...) and those tracked triggers recorded."""

    @action(methods=["GET"], detail=True, url_path="log", serializer_class=EventLogSerializer)
    def log_detail(self, request, *args, **kwargs):
        instance = self.get_object()
        using = router.db_for_read(EventLog)
        object_type, object_id = identity(instance, using)
        return Response(event_page(object_type=object_type, object_id=object_id, using=using, **page_params(request)))
