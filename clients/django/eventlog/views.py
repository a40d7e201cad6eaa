from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django_filters import rest_framework as filters
from rest_framework.viewsets import ReadOnlyModelViewSet

from .models import EventLog
from .object_types import object_type_for
from .serializers import EventLogSerializer


def _users(request):
    return get_user_model()._default_manager.all()


class EventLogFilter(filters.FilterSet):
    """The original's filters: ?tool=, ?action=, ?object_id= (text), ?actor=<user
    pk> (the events recorded with that user's key, actor_id, whatever names
    they carry) and ?object_type=<ContentType id> (400 for a value that names no user or
    content type, as the original). Also ?actor_name= and ?object_type_name=,
    the stored texts, for actors and objects that are not users or models."""

    actor = filters.ModelChoiceFilter(queryset=_users, method="filter_actor")
    object_type = filters.ModelChoiceFilter(queryset=ContentType.objects.all(), method="filter_object_type")
    actor_name = filters.CharFilter(field_name="actor")
    object_type_name = filters.CharFilter(field_name="object_type")

    class Meta:
        model = EventLog
        fields = ["tool", "action", "actor", "object_id", "object_type"]

    def filter_actor(self, queryset, name, user):
        return queryset.filter(actor=user)  # by the user's key, actor_id (ActorField)

    def filter_object_type(self, queryset, name, content_type):
        object_type = object_type_for(content_type, queryset.db)  # its table's object_type
        if object_type is None:
            return queryset.none()
        return queryset.filter(object_type=object_type)


class EventLogViewSet(ReadOnlyModelViewSet):
    """A simple ViewSet for viewing event logs, as the original's: newest first,
    filtered by EventLogFilter, paginated by the project's
    DEFAULT_PAGINATION_CLASS (or `pagination_class`). Counting and paging are
    SQL on the log's indexes; get_queryset() and filter_queryset() overrides
    apply to the list and to the detail."""

    queryset = EventLog.objects.all().order_by("-timestamp", "-id")
    serializer_class = EventLogSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = EventLogFilter
