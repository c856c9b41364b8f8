"""The moderators' workbench: search, filters and inlines for every listing."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.urls import reverse
from django.utils import timezone
from django_countries import countries as country_names
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey
from simple_history.admin import SimpleHistoryAdmin

from referrals.managers import loaded, loaded_prefetch
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
    ReportStatus,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceCapacity,
)
from referrals.services import listings
from referrals.services.sync import touch_organizations, write_transaction

admin.site.site_header = "Victim-support referral directory"
admin.site.site_title = "Referral directory admin"
admin.site.index_title = "Moderation"


@dataclass(frozen=True)
class QueueLine:
    """One line of the moderation queue: what waits, how many, and the list that shows exactly those."""

    label: str
    count: int
    url: str


def moderation_queue(request) -> list[QueueLine]:
    """What waits for a moderator, as far as this user may see it, each with a link to the filtered list."""
    waiting = [
        ("Organisations awaiting vetting", Organization.objects.filter(vetted=False), {"vetted__exact": "0"}),
        ("Caseworkers awaiting vetting", Caseworker.objects.filter(vetted=False), {"vetted__exact": "0"}),
        ("Open reports", Report.objects.filter(status=ReportStatus.OPEN), {"status__exact": ReportStatus.OPEN}),
        ("Listings overdue for verification", Service.objects.overdue(), {StaleFilter.parameter_name: "overdue"}),
    ]
    lines = []
    for label, queryset, query in waiting:
        opts = queryset.model._meta
        if not admin.site.get_model_admin(queryset.model).has_view_permission(request):
            continue
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist", current_app=admin.site.name)
        lines.append(QueueLine(label, queryset.count(), f"{changelist}?{urlencode(query)}"))
    return lines


_stock_index = admin.site.index


def index_with_moderation_queue(request, extra_context=None):
    """The admin's home with the moderation queue (shown by templates/admin/index.html)."""
    return _stock_index(request, {"moderation_queue": moderation_queue(request), **(extra_context or {})})


# The default site's own index, given one more context entry: every registration stays where it is, and the
# queue is computed for the home page only (each_context would run on every admin page).
admin.site.index = index_with_moderation_queue


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
    fields = ["number", "extension", "type", "description", "translations", "languages"]
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
    fields = ["number", "extension", "type", "description", "translations", "languages"]
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
        (None, {"fields": ["organization", "name", "translations", "location_type", "description", "confidential"]}),
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
    fields = ["number", "extension", "type", "description", "translations", "languages"]
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


class ServiceCountryFilter(admin.SimpleListFilter):
    """Services in a country: a location there or a service area covering it (as the API's `country=`)."""

    title = "country"
    parameter_name = "country"

    def lookups(self, request, model_admin):
        """The countries some service is in, by name."""
        # A few distinct "|KH|TH|" values, not a row per service: one small query whatever the directory's size.
        values = Service.objects.exclude(countries="").order_by().values_list("countries", flat=True).distinct()
        codes = {code for value in values for code in value.split("|") if code}
        return sorted(((code, country_names.name(code) or code) for code in codes), key=lambda choice: choice[1])

    def queryset(self, request, queryset):
        """Those in the chosen country."""
        return queryset.in_countries([self.value()]) if self.value() else queryset


class StaleFilter(admin.SimpleListFilter):
    """Listings no person has verified within STALE_AFTER_DAYS, or those verified since."""

    title = "stale"
    parameter_name = "stale"

    def lookups(self, request, model_admin):
        """Overdue, stale or fresh."""
        return [
            ("overdue", "Overdue (stale, still offered)"),
            ("yes", "Stale (not verified lately)"),
            ("no", "Verified lately"),
        ]

    def queryset(self, request, queryset):
        """The domain's own definitions (ServiceQuerySet.overdue, stale and fresh)."""
        if self.value() == "overdue":
            return queryset.overdue()
        if self.value() == "yes":
            return queryset.stale()
        if self.value() == "no":
            return queryset.fresh()
        return queryset


def distinct_compact(values, shown=3) -> str:
    """Distinct non-empty values in their order, the first `shown` of them and a count of the rest."""
    distinct = list(dict.fromkeys(value for value in values if value))
    rest = len(distinct) - shown
    return ", ".join(distinct[:shown]) + (f" +{rest}" if rest > 0 else "")


@admin.register(Service)
class ServiceAdmin(SequencedWritesMixin, SimpleHistoryAdmin):
    """Services with everything beneath them; they are retired, never deleted."""

    list_display = [
        "name",
        "organization",
        "cities",
        "location_countries",
        "status",
        "stale",
        "free",
        "assured_date",
        "last_modified",
    ]
    list_filter = [
        "status",
        StaleFilter,
        ServiceCountryFilter,
        "free",
        "categories",
        "populations",
        "contexts",
        "organization__vetted",
    ]
    actions = ["retire_selected"]
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

    def get_queryset(self, request):
        """Services with their locations, for the city and country columns (one query for a whole page)."""
        locations = ServiceAtLocation.objects.select_related("location")  # cities, location_countries
        return super().get_queryset(request).prefetch_related(loaded_prefetch("service_at_locations", locations))

    @admin.display(description="city")
    def cities(self, service):
        """The towns of its locations."""
        return distinct_compact(link.location.city for link in loaded(service, "service_at_locations"))

    @admin.display(description="country")
    def location_countries(self, service):
        """The countries of its locations (ISO codes)."""
        return distinct_compact(link.location.country.code for link in loaded(service, "service_at_locations"))

    @admin.display(description="stale", boolean=True)
    def stale(self, service):
        """No person has verified the listing within STALE_AFTER_DAYS."""
        return listings.is_stale(service)

    def has_delete_permission(self, request, obj=None):
        """Nobody deletes a service here: it is retired, and stays on record (this hides "delete selected" too)."""
        return False

    @admin.action(description="Retire selected services (they stay on record as defunct)", permissions=["change"])
    def retire_selected(self, request, queryset):
        """Retire the services as the API's DELETE does; history and sync tombstones follow each one."""
        outcomes = [listings.retire(service) for service in queryset.select_related("organization")]
        already = f" ({outcomes.count(False)} already were)" if False in outcomes else ""
        self.message_user(request, f"{outcomes.count(True)} service(s) retired{already}.")


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


# The library registers its own key model, which authenticates nothing here (api.authentication reads
# PartnerKey only): keys made on its screen would answer 401. Importing its admin above has registered it.
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)


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
