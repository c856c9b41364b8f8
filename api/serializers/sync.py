"""Shapes of the delta sync: whole service records with their organisation, and the page envelope."""

from rest_framework import serializers

from api.serializers.directory import OrganizationSerializer, RecordListSerializer, ServiceDetailSerializer

__all__ = ["SyncOrganizationSerializer", "SyncPageSerializer", "SyncServiceSerializer"]


class SyncOrganizationSerializer(OrganizationSerializer):
    """The organisation as an offline copy needs it: its details and general numbers."""

    class Meta(OrganizationSerializer.Meta):
        fields = [name for name in OrganizationSerializer.Meta.fields if name != "service_count"]


class SyncServiceSerializer(ServiceDetailSerializer):
    """A service's whole record, as the detail endpoint gives it, with its organisation in full."""

    organization = SyncOrganizationSerializer(read_only=True, help_text="The organisation that offers the service.")

    class Meta(ServiceDetailSerializer.Meta):
        list_serializer_class = RecordListSerializer  # the same output, by plain code


class SyncPageSerializer(serializers.Serializer):
    """One page of a sync (documentation only: the view builds the dictionary)."""

    results = SyncServiceSerializer(
        many=True, help_text="Services new or changed since the cursor: store each, replacing any earlier copy whole."
    )
    deleted = serializers.ListField(
        child=serializers.UUIDField(),
        help_text="Ids of services, and of locations, whose copy must go: deleted, retired, no longer public, moved "
        "out of the region, or (locations) made confidential. Apply before `results`; ignore ids you do not hold.",
    )
    next_cursor = serializers.CharField(help_text="Pass as `cursor` for the next page, or next time, to get changes.")
    has_more = serializers.BooleanField(help_text="True: call again at once with `next_cursor`.")
    reset = serializers.BooleanField(
        help_text="True: the cursor could not be honoured (your access changed, or it is too old); drop your copy "
        "of the region, then store this page and the following ones."
    )
