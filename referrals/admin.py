"""The moderators' workbench: search, filters and inlines for every listing."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils import timezone
from rest_framework_api_key.admin import APIKeyModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from referrals.models import (
    CapacityUnit,
    Caseworker,
    Category,
    Context,
    Disclosure,
    Language,
    Location,
    Membership,
    Organization,
    PartnerKey,
    Phone,
    Population,
    Report,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceCapacity,
)
from referrals.services.sync import touch_organizations, write_transaction

admin.site.site_header = "Victim-support referral directory"
admin.site.site_title = "Referral directory admin"
admin.site.index_title = "Moderation"


class SequencedWritesMixin:
    """The admin's writes queue behind the API's: each takes the change sequence's lock before it changes a row.

    Otherwise a moderator's save (service row first, then the sequence) and an API write (the sequence
    first, then the row) could each hold what the other waits for.
    """

    def changeform_view(self, request, *args, **kwargs):
        """Add or change a record."""
        if request.method != "POST":
            return super().changeform_view(request, *args, **kwargs)
        with write_transaction():
            return super().changeform_view(request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        """Delete a record."""
        if request.method != "POST":
            return super().delete_view(request, *args, **kwargs)
        with write_transaction():
            return super().delete_view(request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        """Actions and list edits."""
        if request.method != "POST":
            return super().changelist_view(request, *args, **kwargs)
        with write_transaction():
            return super().changelist_view(request, *args, **kwargs)

    def history_form_view(self, request, *args, **kwargs):
        """Revert to an earlier version (django-simple-history)."""
        if request.method != "POST":
            return super().history_form_view(request, *args, **kwargs)
        with write_transaction():
            return super().history_form_view(request, *args, **kwargs)


class TaxonomyAdmin(SequencedWritesMixin, admin.ModelAdmin):
    """Vocabulary terms, kept in their display order."""

    list_display = ["code", "name", "position"]
    list_editable = ["position"]
    search_fields = ["code", "name"]


admin.site.register(Category, TaxonomyAdmin)
admin.site.register(Population, TaxonomyAdmin)
admin.site.register(Context, TaxonomyAdmin)


@admin.register(CapacityUnit)
class CapacityUnitAdmin(TaxonomyAdmin):
    """Capacity units; moderators add new ones and say whom their places take."""

    list_display = ["code", "name", "everyone", "position"]
    filter_horizontal = ["populations"]


@admin.register(Language)
class LanguageAdmin(SequencedWritesMixin, admin.ModelAdmin):
    """Languages by ISO 639 code."""

    list_display = ["code", "name", "native_name"]
    search_fields = ["code", "name", "native_name"]


class OrganizationPhoneInline(admin.TabularInline):
    """Phones of the organisation itself."""

    model = Phone
    fk_name = "organization"
    fields = ["number", "extension", "type", "description", "languages"]
    autocomplete_fields = ["languages"]
    extra = 0


class MembershipInline(admin.TabularInline):
    """Who keeps the organisation's listings."""

    model = Membership
    fields = ["user", "role", "created"]
    readonly_fields = ["created"]
    autocomplete_fields = ["user"]
    extra = 0


class LocationInline(admin.TabularInline):
    """An organisation's locations, linked to their own pages for phones and hours."""

    model = Location
    fields = ["name", "location_type", "city", "country", "confidential"]
    show_change_link = True
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(SequencedWritesMixin, SimpleHistoryAdmin):
    """Organisations; vetting happens here."""

    list_display = ["name", "vetted", "email", "last_modified"]
    list_filter = ["vetted"]
    search_fields = ["name", "alternate_name", "email"]
    actions = ["mark_vetted"]
    inlines = [MembershipInline, OrganizationPhoneInline, LocationInline]

    @admin.action(description="Mark the selected organisations as vetted")
    def mark_vetted(self, request, queryset):
        """Vet several organisations at once."""
        pks = list(queryset.values_list("pk", flat=True))  # before: a "not vetted" filter empties the queryset
        updated = queryset.update(vetted=True)
        touch_organizations(pks)
        self.message_user(request, f"{updated} organisation(s) vetted.")


class LocationPhoneInline(admin.TabularInline):
    """Phones of a location (hidden from the public when it is confidential)."""

    model = Phone
    fk_name = "location"
    fields = ["number", "extension", "type", "description", "languages"]
    autocomplete_fields = ["languages"]
    extra = 0


class LocationScheduleInline(admin.TabularInline):
    """Opening hours at a location."""

    model = Schedule
    fk_name = "location"
    fields = ["service", "weekday", "all_day", "opens_at", "closes_at", "description"]
    autocomplete_fields = ["service"]
    extra = 0


@admin.register(Location)
class LocationAdmin(SequencedWritesMixin, SimpleHistoryAdmin):
    """Locations; confidential ones are flagged in the list."""

    list_display = ["name", "organization", "city", "country", "location_type", "confidential"]
    list_filter = ["confidential", "location_type", "country"]
    search_fields = ["name", "city", "state_province", "address_1", "organization__name"]
    autocomplete_fields = ["organization"]
    readonly_fields = ["public_latitude", "public_longitude", "coordinates_source", "created", "last_modified"]
    list_select_related = ["organization"]
    inlines = [LocationPhoneInline, LocationScheduleInline]

    def save_model(self, request, obj, form, change):
        """Geocode an address saved without coordinates (town centre for confidential ones)."""
        from referrals.services.geocoding import geocode_location

        if obj.latitude is None and obj.location_type == "physical":
            geocode_location(obj)
        elif "latitude" in form.changed_data or "longitude" in form.changed_data:
            obj.coordinates_source = "given"
        super().save_model(request, obj, form, change)

    fieldsets = [
        (None, {"fields": ["organization", "name", "location_type", "description", "confidential"]}),
        (
            "Address",
            {"fields": ["address_1", "address_2", "city", "region", "state_province", "postal_code", "country"]},
        ),
        (
            "Position",
            {
                "fields": [
                    "latitude",
                    "longitude",
                    "coordinates_source",
                    "public_latitude",
                    "public_longitude",
                    "time_zone",
                ]
            },
        ),
        ("Access", {"fields": ["transportation", "accessibility"]}),
        ("Record", {"fields": ["created", "last_modified"]}),
    ]


class ServiceAtLocationInline(admin.TabularInline):
    """Where the service is given."""

    model = ServiceAtLocation
    fields = ["location", "description"]
    autocomplete_fields = ["location"]
    extra = 0


class ServicePhoneInline(admin.TabularInline):
    """The service's front-door contacts (public, also for confidential shelters)."""

    model = Phone
    fk_name = "service"
    fields = ["number", "extension", "type", "description", "languages"]
    autocomplete_fields = ["languages"]
    extra = 0


class ServiceScheduleInline(admin.TabularInline):
    """The service's opening hours."""

    model = Schedule
    fk_name = "service"
    fields = ["location", "weekday", "all_day", "opens_at", "closes_at", "time_zone", "description"]
    autocomplete_fields = ["location"]
    extra = 0


class ServiceAreaInline(admin.TabularInline):
    """Areas the service reaches."""

    model = ServiceArea
    fields = ["kind", "name", "country", "state_province", "latitude", "longitude", "radius_km"]
    extra = 0


class ServiceCapacityInline(admin.TabularInline):
    """Free places per unit."""

    model = ServiceCapacity
    fields = ["unit", "available", "maximum", "updated"]
    extra = 0


@admin.register(Service)
class ServiceAdmin(SequencedWritesMixin, SimpleHistoryAdmin):
    """Services with everything beneath them."""

    list_display = ["name", "organization", "status", "free", "assured_date", "last_modified"]
    list_filter = ["status", "free", "categories", "populations", "contexts", "organization__vetted"]
    search_fields = ["name", "alternate_name", "description", "organization__name"]
    autocomplete_fields = ["organization"]
    filter_horizontal = ["categories", "populations", "contexts", "languages"]
    list_select_related = ["organization"]
    readonly_fields = ["created", "last_modified"]
    date_hierarchy = "last_modified"
    inlines = [
        ServiceAtLocationInline,
        ServicePhoneInline,
        ServiceScheduleInline,
        ServiceAreaInline,
        ServiceCapacityInline,
    ]
    fieldsets = [
        (None, {"fields": ["organization", "name", "alternate_name", "description", "status", "alert"]}),
        ("Who and what", {"fields": ["categories", "populations", "contexts", "languages", "interpretation_services"]}),
        ("Eligibility", {"fields": ["eligibility_description", "minimum_age", "maximum_age"]}),
        (
            "Access",
            {
                "fields": [
                    "free",
                    "fees_description",
                    "application_process",
                    "intake_walk_in",
                    "intake_referral",
                    "intake_hotline",
                    "url",
                    "email",
                ]
            },
        ),
        ("Verification", {"fields": ["assured_date", "assurer", "created", "last_modified"]}),
    ]


@admin.register(Caseworker)
class CaseworkerAdmin(admin.ModelAdmin):
    """Caseworkers waiting for vetting come first."""

    list_display = ["user", "agency", "country", "vetted", "vetted_at", "created"]
    list_filter = ["vetted", "country"]
    search_fields = ["user__username", "user__email", "agency"]
    readonly_fields = ["vetted_by", "vetted_at", "created"]
    autocomplete_fields = ["user"]
    ordering = ["vetted", "-created"]
    actions = ["vet", "unvet"]

    @admin.action(description="Vet the selected caseworkers")
    def vet(self, request, queryset):
        """Let them see confidential locations' full faces (logged)."""
        updated = queryset.update(vetted=True, vetted_by=request.user, vetted_at=timezone.now())
        self.message_user(request, f"{updated} caseworker(s) vetted.")

    @admin.action(description="Withdraw vetting from the selected caseworkers")
    def unvet(self, request, queryset):
        """Take the full faces away again."""
        updated = queryset.update(vetted=False, vetted_by=None, vetted_at=None)
        self.message_user(request, f"{updated} caseworker(s) no longer vetted.")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Who keeps which organisation's listings."""

    list_display = ["user", "organization", "role", "created"]
    list_filter = ["role"]
    search_fields = ["user__username", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(PartnerKey)
class PartnerKeyAdmin(APIKeyModelAdmin):
    """Partner API keys: the key is shown once on creation and stored hashed; revoke here."""

    list_display = [*APIKeyModelAdmin.list_display, "confidential_access"]
    list_filter = [*APIKeyModelAdmin.list_filter, "confidential_access"]


@admin.register(Disclosure)
class DisclosureAdmin(admin.ModelAdmin):
    """The disclosure log: read-only, for moderators."""

    list_display = ["at", "user", "partner_key", "location", "endpoint"]
    list_filter = ["at"]
    search_fields = ["user__username", "partner_key__name", "endpoint"]
    date_hierarchy = "at"
    list_select_related = ["user", "partner_key", "location"]

    def has_add_permission(self, request):
        """The log is written by the API only."""
        return False

    def has_change_permission(self, request, obj=None):
        """Nobody edits the log."""
        return False

    def has_delete_permission(self, request, obj=None):
        """Nobody deletes from the log."""
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Caseworkers' reports of wrong listings."""

    list_display = ["service", "reason", "status", "reporter", "created", "resolved_at"]
    list_filter = ["status", "reason"]
    search_fields = ["service__name", "note", "reporter__username"]
    autocomplete_fields = ["service"]
    readonly_fields = ["reporter", "created", "resolved_at", "resolved_by"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class DirectoryUserAdmin(UserAdmin):
    """Users, with the moderator's brake: revoke every API token of a user."""

    actions = ["revoke_tokens"]

    @admin.action(description="Revoke all API tokens and sessions of the selected users")
    def revoke_tokens(self, request, queryset):
        """Log the users out of every phone, script and browser."""
        from referrals.services.accounts import revoke_access

        tokens = sessions = 0
        for user in queryset:
            revoked_tokens, ended_sessions = revoke_access(user)
            tokens, sessions = tokens + revoked_tokens, sessions + ended_sessions
        self.message_user(request, f"{tokens} token(s) revoked, {sessions} session(s) ended.")
