from django.contrib import admin
from django.urls import include, path
from rest_framework.routers import DefaultRouter

# The original README's wiring, unchanged.
from django_simple_eventlog.views import EventLogViewSet

from example.views import DocumentViewSet, ExampleViewSet, MyEventLogViewSet, PublicEventLogViewSet, SpecimenViewSet

router = DefaultRouter()
router.register(r'eventlogs', EventLogViewSet, basename='eventlog')
router.register(r'certificates', ExampleViewSet, basename='certificate')
router.register(r'documents', DocumentViewSet, basename='document')
router.register(r'specimens', SpecimenViewSet, basename='specimen')
router.register(r'my-eventlogs', MyEventLogViewSet, basename='my-eventlog')
router.register(r'public-eventlogs', PublicEventLogViewSet, basename='public-eventlog')

urlpatterns = [
    path('api/', include(router.urls)),
    path('admin/', admin.site.urls),
]
