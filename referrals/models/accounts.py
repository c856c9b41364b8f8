"""Who may do what: organisation members, caseworkers, partner keys; and the records of what they did."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField
from rest_framework_api_key.models import AbstractAPIKey


class MemberRole(models.TextChoices):
    """A provider's role in their organisation."""

    EDITOR = "editor", "Editor: keeps the organisation's listings"
    ADMIN = "admin", "Admin: also manages members and verifies listings"


class Membership(models.Model):
    """That a user works for an organisation and may keep its listings."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        "referrals.Organization", on_delete=models.CASCADE, related_name="memberships", help_text="The organisation."
    )
    role = models.CharField(
        max_length=10, choices=MemberRole.choices, default=MemberRole.EDITOR, help_text="editor or admin."
    )
    created = models.DateTimeField(auto_now_add=True, help_text="When the membership began.")

    class Meta:
        ordering = ["organization__name", "user__username"]
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="unique_membership")]

    def __str__(self):
        return f"{self.user} ({self.role}) at {self.organization}"


class Caseworker(models.Model):
    """A person who refers survivors; once vetted by a moderator they see confidential locations' full faces."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="caseworker")
    agency = models.CharField(max_length=200, help_text="Unit, NGO, embassy or hotline the caseworker works for.")
    country = CountryField(blank=True, help_text="Country the caseworker works in.")
    vetted = models.BooleanField(default=False, help_text="Set by a moderator who knows the person and the agency.")
    vetted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    vetted_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__username"]

    def __str__(self):
        return f"{self.user} ({self.agency})"


class PartnerKey(AbstractAPIKey):
    """An API key of a partner app (stored hashed; sent as `Authorization: Api-Key <key>`)."""

    contact_email = models.EmailField(blank=True, help_text="Who to call about this key.")
    confidential_access = models.BooleanField(
        default=False,
        help_text="Granted by a moderator: the partner sees confidential locations' full faces (each logged).",
    )

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "partner API key"
        verbose_name_plural = "partner API keys"


class Disclosure(models.Model):
    """A confidential location's full face shown to a caseworker or a partner key: who, what, when, where."""

    at = models.DateTimeField(auto_now_add=True, db_index=True, help_text="When it was shown.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disclosures",
        help_text="The caseworker it was shown to.",
    )
    partner_key = models.ForeignKey(
        PartnerKey,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disclosures",
        help_text="The partner key it was shown to.",
    )
    # The log outlives the location: no database constraint, nothing cascades.
    location = models.ForeignKey(
        "referrals.Location",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="disclosures",
        help_text="What was shown.",
    )
    endpoint = models.CharField(max_length=200, help_text="Method and path of the request that showed it.")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.location_id} to {self.user or self.partner_key} at {self.at:%Y-%m-%d %H:%M}"


class ReportReason(models.TextChoices):
    """Why a caseworker says a listing is wrong."""

    CLOSED = "closed", pgettext_lazy("report reason", "Closed or no longer offered")
    WRONG_CONTACT = "wrong_contact", pgettext_lazy("report reason", "Phone or email does not work")
    WRONG_ADDRESS = "wrong_address", pgettext_lazy("report reason", "Wrong address or place")
    WRONG_HOURS = "wrong_hours", pgettext_lazy("report reason", "Wrong opening hours")
    WRONG_SERVICES = "wrong_services", pgettext_lazy("report reason", "Does not offer what is listed")
    UNSAFE = "unsafe", pgettext_lazy("report reason", "Safety concern")
    OTHER = "other", pgettext_lazy("report reason", "Other")


class ReportStatus(models.TextChoices):
    """Where a report stands."""

    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved (the listing was corrected)"
    DISMISSED = "dismissed", "Dismissed (the listing was right)"


class Report(models.Model):
    """A caseworker's report that a listing is wrong, until the organisation or a moderator resolves it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, help_text="Stable identifier (UUID).")
    service = models.ForeignKey(
        "referrals.Service", on_delete=models.CASCADE, related_name="reports", help_text="The listing reported."
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        help_text="Who reported.",
    )
    reason = models.CharField(max_length=20, choices=ReportReason.choices, help_text="What is wrong.")
    note = models.TextField(max_length=2000, blank=True, help_text="Details (no names or details of clients).")
    status = models.CharField(
        max_length=10,
        choices=ReportStatus.choices,
        default=ReportStatus.OPEN,
        db_index=True,
        help_text="open, resolved or dismissed.",
    )
    created = models.DateTimeField(auto_now_add=True, help_text="When it was reported.")
    resolved_at = models.DateTimeField(null=True, blank=True, help_text="When it was resolved or dismissed.")
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who resolved it.",
    )
    resolution_note = models.TextField(max_length=2000, blank=True, help_text="What was done.")

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.service}"


class Decision(models.TextChoices):
    """What a moderator decided about an application."""

    VETTED = "vetted", "Vetted"
    REFUSED = "refused", "Refused"


class ModerationDecision(models.Model):
    """A moderator's decision on an organisation's or a caseworker's application, kept for the record."""

    organization = models.ForeignKey(
        "referrals.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="decisions"
    )
    caseworker = models.ForeignKey(
        Caseworker, null=True, blank=True, on_delete=models.CASCADE, related_name="decisions"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField(max_length=2000, blank=True, help_text="Why (told to the applicant).")
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organization__isnull=False, caseworker__isnull=True)
                | models.Q(organization__isnull=True, caseworker__isnull=False),
                name="decision_on_one_applicant",
            ),
        ]

    def __str__(self):
        return f"{self.get_decision_display()}: {self.organization or self.caseworker}"


class Invitation(models.Model):
    """An organisation admin's invitation to a person, by email, to join as a member (used once, expires)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "referrals.Organization", on_delete=models.CASCADE, related_name="invitations", help_text="The organisation."
    )
    email = models.EmailField(help_text="Where the invitation was sent; the account that accepts it has this email.")
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.EDITOR)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.email} to {self.organization} ({self.role})"

    @property
    def is_pending(self) -> bool:
        """Neither accepted nor withdrawn (it may still have expired: see referrals.services.memberships)."""
        return self.accepted_at is None and self.withdrawn_at is None


class Profile(models.Model):
    """What a person chose for themselves: the language they read the app and its emails in."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE)
    language = models.CharField(max_length=10, default="en", help_text="A page language code (e.g. th, zh-hans).")

    def __str__(self):
        return f"{self.user} ({self.language})"


class ListingReminder(models.Model):
    """That an organisation's admins were reminded of listings needing attention (sent at most once a week)."""

    organization = models.ForeignKey("referrals.Organization", on_delete=models.CASCADE, related_name="reminders")
    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)
    listings = models.PositiveIntegerField(help_text="How many listings the reminder named.")

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.organization} reminded {self.sent_at:%Y-%m-%d}"
