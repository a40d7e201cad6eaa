from django.db import IntegrityError, connection, transaction
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

# The original README's imports, unchanged.
from django_simple_eventlog.services import EventLogService
from django_simple_eventlog.choices import EventLogAction
from django_simple_eventlog.mixins import EventLogMixin
from django_simple_eventlog.views import EventLogViewSet

from .models import Certificate, Document, Specimen
from .serializers import DocumentSerializer, ExampleSerializer, SpecimenSerializer


class ExampleViewSet(EventLogMixin, viewsets.ModelViewSet):
    queryset = Certificate.objects.all()
    serializer_class = ExampleSerializer

    # The original README's ViewSet example, unchanged from here on.
    @transaction.atomic
    def update(self, request, *args, **kwargs):
        partial = kwargs.pop('partial', False)
        instance = self.get_object()

        # 1. Store the old data
        old_data = self.get_serializer(instance).data

        # 2. Perform the update
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)

        # 3. Store the new data
        new_data = serializer.data

        if getattr(instance, '_prefetched_objects_cache', None):
            # If 'prefetch_related' has been applied to a queryset, we need to
            # forcibly invalidate the prefetch cache on the instance.
            instance._prefetched_objects_cache = {}

        # 4. Generate the diff schema between old and new data
        changes = EventLogService.create_diff_schema(old_data, new_data)

        # 5. Log the update event
        EventLogService.log(
            template_message="Item {item__name} was updated by {user__full_name}.",
            values_json={
                "item__name": instance,
                "user__full_name": self.request.user
            },
            object=instance,
            actor=self.request.user,
            tool="example_feature",
            action=EventLogAction.UPDATE,
            changes=changes,
        )
        return Response(serializer.data)

    @transaction.atomic
    def perform_destroy(self, instance):
        # Delete the object
        super().perform_destroy(instance)

        # Log the delete event
        EventLogService.log(
            template_message="Item {item__name} was deleted by {user__full_name}.",
            values_json={
                "item__name": instance,
                "user__full_name": self.request.user,
            },
            object=instance,
            actor=self.request.user,
            tool="example_feature",
            action=EventLogAction.DELETE,
        )


class DocumentViewSet(EventLogMixin, viewsets.ModelViewSet):
    """A tracked model: writes that bypass the ORM's save() are logged too."""

    queryset = Document.objects.all()
    serializer_class = DocumentSerializer

    @action(methods=["POST"], detail=False, url_path="archive-all")
    def archive_all(self, request):
        count = Document.objects.exclude(status="archived").update(status="archived")  # bulk, no save()
        return Response({"archived": count})

    @action(methods=["POST"], detail=True, url_path="raw-rename")
    def raw_rename(self, request, pk=None):
        with connection.cursor() as cursor:  # raw SQL, no ORM at all
            cursor.execute("UPDATE example_document SET title = %s WHERE id = %s", [request.data["title"], pk])
            renamed = cursor.rowcount
        if request.data.get("fail"):
            raise RuntimeError("failure requested after the write")  # the request's transaction rolls back
        return Response({"renamed": renamed})

    @action(methods=["POST"], detail=True, url_path="retitle-after-conflict")
    def retitle_after_conflict(self, request, pk=None):
        try:
            with transaction.atomic():  # a savepoint that fails, as get_or_create() races do
                Document.objects.create(id=pk, title="duplicate key")
        except IntegrityError:
            pass
        return Response({"updated": Document.objects.filter(pk=pk).update(title=request.data["title"])})


class SpecimenViewSet(EventLogMixin, viewsets.ReadOnlyModelViewSet):
    """A model with a field of every type: its /log/ must work."""

    queryset = Specimen.objects.all()
    serializer_class = SpecimenSerializer


class MyEventLogViewSet(EventLogViewSet):
    """A project's narrowed log, as written for the original: the current user's events only."""

    def get_queryset(self):
        return super().get_queryset().filter(actor=self.request.user)


class PublicEventLogViewSet(EventLogViewSet):
    """Narrowed in filter_queryset() instead: never the events of tool "secret"."""

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).exclude(tool="secret")
