"""Records beneath a listing (phones, hours, service areas, service-at-location links): owners only."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from api import serializers
from api.permissions import IsSignedIn
from api.views.base import ID_PARAMETER, StrictParamsMixin, VersionedWritesMixin
from referrals.models import Phone, Schedule, ServiceArea, ServiceAtLocation, ServiceTranslation


def _owned_viewset(model, serializer_class, noun, doc):
    """A CRUD viewset over the viewer's own records of one kind (everyone else's answer 404)."""

    @extend_schema_view(
        list=extend_schema(summary=f"Your {noun}s"),
        retrieve=extend_schema(summary=f"One of your {noun}s", parameters=[ID_PARAMETER]),
        create=extend_schema(summary=f"Add a {noun}"),
        update=extend_schema(summary=f"Replace a {noun}", parameters=[ID_PARAMETER]),
        partial_update=extend_schema(summary=f"Change a {noun}", parameters=[ID_PARAMETER]),
        destroy=extend_schema(summary=f"Delete a {noun}", parameters=[ID_PARAMETER]),
    )
    class OwnedViewSet(VersionedWritesMixin, StrictParamsMixin, viewsets.ModelViewSet):
        permission_classes = [IsSignedIn]

        def get_queryset(self):
            return model.objects.editable_by(self.viewer).order_by("pk")

    OwnedViewSet.serializer_class = serializer_class
    OwnedViewSet.__name__ = OwnedViewSet.__qualname__ = f"{model.__name__}ViewSet"
    OwnedViewSet.__doc__ = doc
    OwnedViewSet.get_queryset.__doc__ = f"The viewer's own {noun}s."
    return OwnedViewSet


PhoneViewSet = _owned_viewset(
    Phone, serializers.PhoneWriteSerializer, "phone", "Phones of your organisation, services and locations."
)
ScheduleViewSet = _owned_viewset(
    Schedule, serializers.ScheduleWriteSerializer, "schedule", "Opening hours of your services."
)
ServiceAreaViewSet = _owned_viewset(
    ServiceArea, serializers.ServiceAreaWriteSerializer, "service area", "Areas your services reach."
)
ServiceAtLocationViewSet = _owned_viewset(
    ServiceAtLocation,
    serializers.ServiceAtLocationSerializer,
    "service-at-location link",
    "Which of your services is given at which of your locations.",
)
ServiceTranslationViewSet = _owned_viewset(
    ServiceTranslation,
    serializers.ServiceTranslationWriteSerializer,
    "service translation",
    "Your services' texts in other languages (name, description, eligibility, fees, application process).",
)
