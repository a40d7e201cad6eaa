from django.db import transaction
from rest_framework import serializers

# The original README's imports, unchanged.
from django_simple_eventlog.services import EventLogService
from django_simple_eventlog.choices import EventLogAction

from .models import Certificate, Document, Specimen


class ExampleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Certificate
        fields = ["id", "name", "status", "updated_at"]

    # The original README's serializer example, unchanged.
    @transaction.atomic
    def create(self, validated_data):
        # 1. Create the object
        obj = super().create(validated_data)

        # 2. Get the user from the serializer context
        user = self.context['request'].user

        # 3. Log the create event
        EventLogService.log(
            template_message="Created a new request",
            object=obj,
            actor=user,
            tool="example_request",
            action=EventLogAction.CREATE,
        )
        return obj


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["id", "title", "status", "updated_at"]


class SpecimenSerializer(serializers.ModelSerializer):
    class Meta:
        model = Specimen
        fields = ["id", "name"]
