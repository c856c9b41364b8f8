"""Shapes for accounts: sign-up, login, members, caseworkers, disclosures, reports and history."""

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import get_language
from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from api.serializers.writes import KnownFieldsMixin, StrictBooleanField
from referrals.models import (
    Caseworker,
    Disclosure,
    MemberRole,
    Membership,
    Report,
    ReportReason,
    ReportStatus,
)
from referrals.services.registration import register_caseworker, register_provider

__all__ = [
    "CaseworkerSerializer",
    "CaseworkerSignupSerializer",
    "CaseworkerVettingSerializer",
    "DisclosureSerializer",
    "HistoryEntrySerializer",
    "LoginSerializer",
    "MembershipSerializer",
    "MembershipWriteSerializer",
    "ProviderSignupSerializer",
    "ReportResolveSerializer",
    "ReportSerializer",
    "RevokeTokensSerializer",
    "TokenSerializer",
    "WhoAmISerializer",
]

User = get_user_model()


class LoginSerializer(KnownFieldsMixin, serializers.Serializer):
    """Username and password."""

    username = serializers.CharField(max_length=150, help_text="Your username.")
    password = serializers.CharField(
        max_length=200, write_only=True, style={"input_type": "password"}, help_text="Your password."
    )


class RevokeTokensSerializer(KnownFieldsMixin, serializers.Serializer):
    """Whose tokens and sessions to revoke."""

    username = serializers.CharField(max_length=150, help_text="The user's username.")


class TokenSerializer(serializers.Serializer):
    """A token to send as `Authorization: Token <token>` until it expires."""

    token = serializers.CharField(help_text="The token; keep it secret. It is shown only once.")
    expiry = serializers.DateTimeField(help_text="When the token stops working.")


class WhoAmISerializer(serializers.Serializer):
    """The signed-in user's roles."""

    username = serializers.CharField(help_text="Username.")
    is_moderator = serializers.BooleanField(help_text="Vets organisations and caseworkers; edits anything.")
    is_vetted_caseworker = serializers.BooleanField(help_text="Sees confidential locations in full (logged).")
    memberships = serializers.ListField(
        child=serializers.DictField(), help_text="Organisations you keep listings for: organization id and role."
    )


class _NewUserSerializer(KnownFieldsMixin, serializers.Serializer):
    """Fields of a new account."""

    account_kind = "user"  # named in the confirmation email

    username = serializers.RegexField(r"^[\w.@+-]{3,150}$", help_text="3-150 letters, digits and @.+-_ characters.")
    password = serializers.CharField(max_length=200, write_only=True, help_text="At least 12 characters, not common.")
    email = serializers.EmailField(help_text="For password resets and reminders.")

    def validate(self, attrs):
        """Django's password validators."""
        try:
            password_validation.validate_password(
                attrs["password"], User(username=attrs["username"], email=attrs["email"])
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs

    def register(self) -> bool:
        """Register the account, or mail the address that the username is taken; True when an account was made.

        Whether a username exists is never part of the answer (it would tell who uses the directory): the
        caller answers both alike, and the email says which happened.
        """
        raise NotImplementedError


class ProviderSignupSerializer(_NewUserSerializer):
    """A provider registers with their organisation; its listings stay private until a moderator vets it."""

    organization_name = serializers.CharField(max_length=200, help_text="Your organisation's name.")
    organization_description = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, help_text="What it does."
    )
    organization_email = serializers.EmailField(required=False, allow_blank=True, help_text="General contact email.")
    organization_website = serializers.URLField(required=False, allow_blank=True, help_text="Website.")

    def register(self) -> bool:
        """The provider and their (unvetted) organisation (referrals.services.registration)."""
        data = self.validated_data
        return register_provider(
            username=data["username"],
            password=data["password"],
            email=data["email"],
            organization_name=data["organization_name"],
            description=data.get("organization_description", ""),
            org_email=data.get("organization_email", ""),
            website=data.get("organization_website", ""),
            language=get_language(),  # the listing language asked for (lang=, Accept-Language)
        )


class CaseworkerSignupSerializer(_NewUserSerializer):
    """A caseworker registers; a moderator vets them before they see confidential details."""

    agency = serializers.CharField(max_length=200, help_text="Unit, NGO, embassy or hotline you work for.")
    country = CountryField(required=False, allow_blank=True, help_text="Country you work in (ISO 3166-1 alpha-2).")

    def register(self) -> bool:
        """The (unvetted) caseworker (referrals.services.registration)."""
        data = self.validated_data
        return register_caseworker(
            username=data["username"],
            password=data["password"],
            email=data["email"],
            agency=data["agency"],
            country=data.get("country", ""),
            language=get_language(),
        )


class CaseworkerSerializer(serializers.ModelSerializer):
    """A caseworker, as moderators see them."""

    username = serializers.CharField(source="user.username", read_only=True, help_text="Username.")
    email = serializers.EmailField(source="user.email", read_only=True, help_text="Email.")
    country = serializers.CharField(read_only=True, help_text="Country they work in (ISO 3166-1 alpha-2).")

    class Meta:
        model = Caseworker
        fields = ["id", "username", "email", "agency", "country", "vetted", "vetted_at", "created"]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": "Caseworker id."},
            "vetted_at": {"help_text": "When vetted."},
            "created": {"help_text": "When they registered."},
        }


class CaseworkerVettingSerializer(KnownFieldsMixin, serializers.Serializer):
    """Vet or un-vet a caseworker."""

    vetted = StrictBooleanField(default=True, help_text="true to vet (the default), false to un-vet.")


class MembershipSerializer(serializers.ModelSerializer):
    """A member of an organisation."""

    user_id = serializers.IntegerField(source="user.id", read_only=True, help_text="The member's user id.")
    username = serializers.CharField(source="user.username", read_only=True, help_text="The member's username.")

    class Meta:
        model = Membership
        fields = ["user_id", "username", "role", "created"]
        read_only_fields = ["user_id", "username", "created"]


class MembershipWriteSerializer(KnownFieldsMixin, serializers.Serializer):
    """Add a registered user to your organisation, or change their role."""

    username = serializers.CharField(max_length=150, required=False, help_text="Username of the person to add.")
    role = serializers.ChoiceField(choices=MemberRole.choices, help_text="editor or admin.")


class DisclosureSerializer(serializers.ModelSerializer):
    """One full-face disclosure of a confidential location."""

    username = serializers.CharField(source="user.username", read_only=True, default=None, help_text="Caseworker.")
    partner = serializers.CharField(source="partner_key.name", read_only=True, default=None, help_text="Partner key.")

    class Meta:
        model = Disclosure
        fields = ["id", "at", "username", "partner", "location", "endpoint"]
        read_only_fields = fields
        extra_kwargs = {"id": {"help_text": "Log entry id."}}


class ReportSerializer(KnownFieldsMixin, serializers.ModelSerializer):
    """A report that a listing is wrong."""

    reason = serializers.ChoiceField(choices=ReportReason.choices, help_text="What is wrong.")
    note = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text="Details; never a client's name or contact."
    )

    class Meta:
        model = Report
        fields = ["id", "service", "reason", "note", "status", "created", "resolved_at", "resolution_note"]
        read_only_fields = ["id", "service", "status", "created", "resolved_at", "resolution_note"]


class ReportResolveSerializer(KnownFieldsMixin, serializers.Serializer):
    """Close a report."""

    status = serializers.ChoiceField(
        choices=[ReportStatus.RESOLVED, ReportStatus.DISMISSED], help_text="resolved (corrected) or dismissed."
    )
    resolution_note = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text="What was done."
    )


class FieldChangeSerializer(serializers.Serializer):
    """One field's change."""

    field = serializers.CharField(help_text="Field name.")
    old = serializers.JSONField(allow_null=True, help_text="Value before (null when created).")
    new = serializers.JSONField(allow_null=True, help_text="Value after (null when deleted).")


class HistoryEntrySerializer(serializers.Serializer):
    """One change to a listing or a record beneath it."""

    at = serializers.DateTimeField(help_text="When.")
    user = serializers.CharField(allow_null=True, help_text="Who (username), if known.")
    record = serializers.CharField(help_text="What kind of record: service, location, phone, schedule, ...")
    record_id = serializers.CharField(help_text="Its id.")
    action = serializers.ChoiceField(
        choices=["created", "changed", "deleted"], help_text="created, changed or deleted."
    )
    changes = FieldChangeSerializer(many=True, help_text="Each field's old and new value.")
