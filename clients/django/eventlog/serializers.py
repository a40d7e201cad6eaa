from rest_framework import serializers

from .models import EventLog

# The fields of one result, in the contract's order.
RESULT_FIELDS = ["id", "actor", "message", "timestamp", "object_id", "tool", "action", "changes", "object_type"]


class EventLogSerializer(serializers.ModelSerializer):
    """One event shaped as in eventlog_page()'s results (the original's REST answer)."""

    timestamp = serializers.SerializerMethodField()

    class Meta:
        model = EventLog
        fields = RESULT_FIELDS
        read_only_fields = RESULT_FIELDS

    def get_timestamp(self, instance):
        # ISO 8601 with microseconds and offset, as PostgreSQL's to_jsonb(timestamptz) writes it
        return instance.timestamp.isoformat() if instance.timestamp else None
