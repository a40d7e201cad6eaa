"""Run by test_install.py in a process of its own, on an empty database: the
original README's installation with INSTALLED_APPS listing EVENTLOG_DJANGO_APP
(testproject.settings), `check`, `migrate`, the README's imports and URL
wiring, then its examples through HTTP. Prints a JSON summary."""
import io
import json

import django

django.setup()

from django.core.management import call_command  # noqa: E402

call_command("check", fail_level="ERROR", stdout=io.StringIO())
call_command("migrate", verbosity=0, interactive=False)

# The original README's imports and wiring.
from django.urls import include, path  # noqa: E402
from rest_framework import viewsets  # noqa: E402
from rest_framework.routers import DefaultRouter  # noqa: E402

from django_simple_eventlog.choices import EventLogAction  # noqa: E402
from django_simple_eventlog.mixins import EventLogMixin  # noqa: E402
from django_simple_eventlog.services import EventLogService  # noqa: E402
from django_simple_eventlog.views import EventLogViewSet  # noqa: E402

router = DefaultRouter()
router.register(r'eventlogs', EventLogViewSet, basename='eventlog')
urlpatterns = [path('api/', include(router.urls))]
assert issubclass(EventLogMixin, object) and EventLogAction.UPDATE == "update"

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from django_simple_eventlog.models import EventLog  # noqa: E402
from example.models import Certificate  # noqa: E402

john = get_user_model().objects.create_user("john", password="secret", first_name="John", last_name="Doe")
client = APIClient()
client.force_login(john)
pk = client.post("/api/certificates/", {"name": "Certificate A", "status": "active"}, format="json").json()["id"]
client.put(f"/api/certificates/{pk}/", {"name": "Certificate A", "status": "inactive"}, format="json")
EventLogService.log("direct", None, john, "direct", EventLogAction.ACCESS)
print(json.dumps({
    "label": EventLog._meta.app_label,
    "certificate": ContentType.objects.get_for_model(Certificate).pk,
    "pk": pk,
    "log": client.get(f"/api/certificates/{pk}/log/").json(),
    "list": client.get("/api/eventlogs/", {"tool": "example_feature"}).json(),
    "direct": client.get("/api/eventlogs/", {"tool": "direct", "actor": john.pk}).json(),
}))
