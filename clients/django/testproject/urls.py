from django.urls import include, path
from rest_framework.routers import DefaultRouter

# The original README's wiring, unchanged.
from eventlog.views import EventLogViewSet

from example.views import DocumentViewSet, ExampleViewSet

router = DefaultRouter()
router.register(r'eventlogs', EventLogViewSet, basename='eventlog')
router.register(r'certificates', ExampleViewSet, basename='certificate')
router.register(r'documents', DocumentViewSet, basename='document')

urlpatterns = [
    path('api/', include(router.urls)),
]
