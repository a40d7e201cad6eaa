from rest_framework import serializers

from .models import EventLog
from .object_types import present

# The fields of one result, in the original's order.
RESULT_FIELDS = ["id", "actor", "message", "timestamp", "object_id", "tool", "action", "changes", "object_type"]


class EventLogSerializer(serializers.ModelSerializer):
    """One event as the original app's REST answer showed it: `timestamp` as
    DRF renders datetimes (its settings, `Z` for UTC), `object_type` as the
    ContentType id and `object_id` as an integer for the models Django knows
    (eventlog.object_types), `actor` as the recorded text (the user's full
    name by default)."""

    object_id = serializers.SerializerMethodField()
    object_type = serializers.SerializerMethodField()

    class Meta:
        model = EventLog
        fields = RESULT_FIELDS
        read_only_fields = RESULT_FIELDS

    def _presented(self, instance):
        # object_id and object_type of one instance, computed once
        last = getattr(self, "_last_presented", None)
        if last is None or last[0] is not instance:
            last = (instance, present(instance.object_type, instance.object_id, instance._state.db or "default"))
            self._last_presented = last
        return last[1]

    def get_object_id(self, instance):
        return self._presented(instance)[1]

    def get_object_type(self, instance):
        return self._presented(instance)[0]
