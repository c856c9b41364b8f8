"""The POST search's body: the GET search's parameters as typed JSON."""

from django.conf import settings
from django.http import QueryDict
from rest_framework import serializers

from api.pagination import MAX_PAGE
from api.serializers.writes import KnownFieldsMixin, StrictBooleanField, StrictFloatField, StrictIntegerField

__all__ = ["ServiceSearchRequestSerializer"]


def _codes(help_text):
    return serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=50, help_text=help_text
    )


class ServiceSearchRequestSerializer(KnownFieldsMixin, serializers.Serializer):
    """Every GET search parameter as a JSON field; lists are arrays. Validation is the GET search's."""

    # A misspelt filter must not be silently ignored: named as the GET search names an unknown parameter.
    unknown_field_message = "Unknown search parameter."

    lat = StrictFloatField(required=False, help_text="Latitude of the search point (-90 to 90).")
    lng = StrictFloatField(required=False, help_text="Longitude of the search point (-180 to 180).")
    radius_km = StrictFloatField(required=False, help_text="Radius in km (0.1-500, default 25).")
    near = serializers.CharField(required=False, max_length=100, help_text="A place name instead of lat/lng.")
    bbox = serializers.ListField(
        child=StrictFloatField(),
        min_length=4,
        max_length=4,
        required=False,
        help_text="[min_lng, min_lat, max_lng, max_lat]; min_lng > max_lng crosses 180°.",
    )
    reach = _codes("With a point: place, outreach, remote: ANY of them (default all).")
    category = _codes("Category codes: ANY of them.")
    serves = _codes("Population codes: ALL of them.")
    context = _codes("Operating-context codes: ANY of them.")
    language = _codes("ISO 639 codes: ANY of them.")
    country = _codes("ISO 3166-1 alpha-2 codes: ANY of them.")
    status = _codes("Statuses: ANY of them (default active).")
    age = StrictIntegerField(required=False, help_text="Age of the person in years.")
    free = StrictBooleanField(required=False, help_text="Free of charge (true) or charging (false).")
    open_now = StrictBooleanField(required=False, help_text="Only services open now.")
    has_capacity = StrictBooleanField(required=False, help_text="Only services with fresh free places.")
    stale = StrictBooleanField(required=False, help_text="Stale (true) or recently verified (false) listings.")
    q = serializers.CharField(required=False, allow_blank=True, max_length=1000, help_text="Keywords.")
    organization = serializers.UUIDField(required=False, help_text="Only this organisation's services.")
    ordering = serializers.CharField(required=False, max_length=40, help_text="As the GET search's `ordering`.")
    fields = _codes("Result fields to return (sparse fieldset).")
    lang = serializers.ChoiceField(
        choices=list(settings.LISTING_LANGUAGES),
        required=False,
        help_text="Language of the listings' texts (ISO 639-1), overriding Accept-Language.",
    )
    page = StrictIntegerField(required=False, min_value=1, max_value=MAX_PAGE, help_text="Page number, from 1.")
    page_size = StrictIntegerField(required=False, min_value=1, max_value=100, help_text="Results per page (1-100).")

    def as_query_params(self) -> QueryDict:
        """The GET search's query parameters for these values (the filter set validates them)."""
        params = QueryDict(mutable=True)
        for name, value in self.validated_data.items():
            if isinstance(value, list):
                params[name] = ",".join(str(item) for item in value)
            elif isinstance(value, bool):
                params[name] = "true" if value else "false"
            else:
                params[name] = str(value)
        return params
