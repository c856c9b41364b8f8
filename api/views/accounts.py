"""Sign-up, login and logout, caseworker vetting, the disclosure log and reports."""

from django.contrib.auth import authenticate, get_user_model
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from knox.views import LoginView as KnoxLoginView
from knox.views import LogoutAllView as KnoxLogoutAllView
from knox.views import LogoutView as KnoxLogoutView
from rest_framework import generics, mixins, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers
from api.authentication import DirectoryTokenAuthentication
from api.permissions import IsModerator, IsSignedIn
from api.throttling import LoginThrottle
from api.views.base import StrictParamsMixin, VersionedWritesMixin
from referrals.models import Caseworker, Disclosure, Report
from referrals.services import moderation
from referrals.services.accounts import revoke_access, sweep_expired_tokens
from referrals.services.reports import close_report

LOGIN_FAILED = (
    "Unable to log in with these credentials. After repeated failures, logins for this username pause for a while."
)


class LoginView(StrictParamsMixin, KnoxLoginView):
    """POST username and password; get a token that expires (django-rest-knox), behind two brakes:
    a per-IP rate limit and django-axes' per-username lockout. Failures never say whether the user exists.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginThrottle]

    @extend_schema(summary="Log in", request=serializers.LoginSerializer, responses=serializers.TokenSerializer)
    def post(self, request, format=None):
        """Check the credentials (through django-axes), then issue a token."""
        credentials = serializers.LoginSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=credentials.validated_data["username"],
            password=credentials.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise ValidationError({"non_field_errors": [LOGIN_FAILED]})
        request.user = user
        sweep_expired_tokens(user)
        return super().post(request, format=format)


class LogoutView(StrictParamsMixin, KnoxLogoutView):
    """Revoke the token this request carries."""

    # knox's views name knox's own class, not the settings' one: keep the hardened check here too.
    authentication_classes = [DirectoryTokenAuthentication]

    @extend_schema(summary="Log out (revoke this token)", request=None, responses={204: None})
    def post(self, request, format=None):
        """Delete the token."""
        serializers.refuse_any_body(request)
        return super().post(request, format=format)


class LogoutAllView(StrictParamsMixin, KnoxLogoutAllView):
    """Revoke every token of the signed-in user."""

    authentication_classes = [DirectoryTokenAuthentication]

    @extend_schema(summary="Log out everywhere (revoke all your tokens)", request=None, responses={204: None})
    def post(self, request, format=None):
        """Delete all the user's tokens."""
        serializers.refuse_any_body(request)
        return super().post(request, format=format)


class RevokeTokensView(StrictParamsMixin, APIView):
    """Moderators revoke all tokens of a user (a lost phone, a person who left)."""

    permission_classes = [IsModerator]

    @extend_schema(
        summary="Revoke a user's tokens and sessions (moderators)",
        request=serializers.RevokeTokensSerializer,
        responses={
            200: inline_serializer(
                "TokensRevoked",
                {
                    "revoked": drf_serializers.IntegerField(help_text="Tokens revoked."),
                    "sessions_ended": drf_serializers.IntegerField(help_text="Browser sessions ended."),
                },
            )
        },
    )
    def post(self, request, format=None):
        """Delete every token and every browser session of the named user."""
        data = serializers.RevokeTokensSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = get_user_model().objects.filter(username=data.validated_data["username"]).first()
        if user is None:
            raise ValidationError({"username": ["No user with this username."]})
        tokens, sessions = revoke_access(user)
        return Response({"revoked": tokens, "sessions_ended": sessions})


class WhoAmIView(StrictParamsMixin, APIView):
    """The signed-in user's roles."""

    permission_classes = [IsSignedIn]

    @extend_schema(summary="Who am I", responses=serializers.WhoAmISerializer)
    def get(self, request, format=None):
        """Roles of the signed-in user."""
        viewer = self.viewer
        memberships = [
            {"organization": str(org), "role": "admin" if org in viewer.admin_org_ids else "editor"}
            for org in sorted(viewer.member_org_ids, key=str)
        ]
        return Response(
            {
                "username": request.user.get_username(),
                "is_moderator": viewer.is_moderator,
                "is_vetted_caseworker": viewer.is_vetted_caseworker,
                "memberships": memberships,
            }
        )


SIGNUP_ACCEPTED = "Thank you. What happens next has been sent to the email address you gave."
SIGNUP_RESPONSES = {
    202: OpenApiResponse(
        response=inline_serializer("SignupAccepted", {"detail": drf_serializers.CharField(help_text="What next.")}),
        description="Accepted. The same answer whether or not the username was free; the email says which: "
        "registered (log in now; vetting follows) or taken (sign up again with another username).",
    ),
    400: OpenApiResponse(description="Invalid fields, such as a weak password."),
}


class _SignupView(StrictParamsMixin, generics.CreateAPIView):
    """Open registration, rate-limited like logins; the answer never says whether a username exists."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginThrottle]

    def create(self, request, *args, **kwargs):
        """Register (or mail that the username is taken) and answer 202 alike."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.register()
        return Response({"detail": SIGNUP_ACCEPTED}, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    post=extend_schema(
        summary="Register as a provider with your organisation (vetted later)",
        responses=SIGNUP_RESPONSES,
    )
)
class ProviderSignupView(_SignupView):
    """A provider and their organisation; its listings stay private until a moderator vets it."""

    serializer_class = serializers.ProviderSignupSerializer


@extend_schema_view(
    post=extend_schema(
        summary="Register as a caseworker (vetted later)",
        responses=SIGNUP_RESPONSES,
    )
)
class CaseworkerSignupView(_SignupView):
    """A caseworker; a moderator vets them before they see confidential details."""

    serializer_class = serializers.CaseworkerSignupSerializer


@extend_schema_view(
    list=extend_schema(summary="Caseworkers (moderators)"), retrieve=extend_schema(summary="A caseworker (moderators)")
)
class CaseworkerViewSet(VersionedWritesMixin, StrictParamsMixin, viewsets.ReadOnlyModelViewSet):
    """Moderators see registered caseworkers and vet them."""

    permission_classes = [IsModerator]
    serializer_class = serializers.CaseworkerSerializer
    queryset = Caseworker.objects.select_related("user").order_by("vetted", "-created")

    @extend_schema(
        summary="Vet or un-vet a caseworker (moderators)",
        request=serializers.CaseworkerVettingSerializer,
        responses=serializers.CaseworkerSerializer,
    )
    @action(detail=True, methods=["post"])
    def vet(self, request, pk=None):
        """Set the caseworker's vetted flag."""
        caseworker = self.get_object()
        body = serializers.CaseworkerVettingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if body.validated_data["vetted"]:
            moderation.vet_caseworker(caseworker, request.user)
        else:
            moderation.refuse_caseworker(caseworker, request.user, reason="Vetting withdrawn through the API.")
        return Response(serializers.CaseworkerSerializer(caseworker).data)


@extend_schema_view(
    list=extend_schema(summary="Disclosure log of confidential locations (moderators)"),
    retrieve=extend_schema(summary="One disclosure (moderators)"),
)
class DisclosureViewSet(StrictParamsMixin, viewsets.ReadOnlyModelViewSet):
    """Who saw which confidential location's full face, when, through which endpoint."""

    permission_classes = [IsModerator]
    serializer_class = serializers.DisclosureSerializer
    queryset = Disclosure.objects.select_related("user", "partner_key").order_by("-at", "-id")


@extend_schema_view(
    list=extend_schema(summary="Reports on your listings (or yours, or all for moderators)"),
    retrieve=extend_schema(summary="A report"),
    partial_update=extend_schema(
        summary="Resolve or dismiss a report (the organisation, moderators)",
        request=serializers.ReportResolveSerializer,
        responses=serializers.ReportSerializer,
    ),
)
class ReportViewSet(
    VersionedWritesMixin,
    StrictParamsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Reports that listings are wrong: the reporter, the listing's organisation and moderators see them."""

    permission_classes = [IsSignedIn]
    serializer_class = serializers.ReportSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        """Reports one may see (to read) or resolve (to change)."""
        reports = Report.objects.select_related("service").order_by("-created")
        if getattr(self, "swagger_fake_view", False):
            return reports.none()  # schema generation has no user
        viewer = self.viewer
        if viewer.is_moderator:
            return reports
        mine = reports.filter(service__organization_id__in=viewer.member_org_ids)
        if self.action == "partial_update":
            return mine
        return mine | reports.filter(reporter=self.request.user)

    def partial_update(self, request, *args, **kwargs):
        """Close the report with a status and a note."""
        report = self.get_object()
        serializer = serializers.ReportResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        close_report(report, request.user, data["status"], data.get("resolution_note", ""))
        return Response(serializers.ReportSerializer(report).data)


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out username: a 429 with Retry-After, saying nothing about the account."""
    from django.conf import settings
    from django.http import HttpResponse, JsonResponse

    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    message = f"Too many failed logins for this username. Try again in {seconds // 60} minutes."
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(seconds)
    return response
