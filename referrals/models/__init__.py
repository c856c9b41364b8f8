"""The directory's domain model, aligned with Open Referral HSDS 3.x names."""

from referrals.models.accounts import (
    Caseworker,
    Decision,
    Disclosure,
    Invitation,
    ListingReminder,
    MemberRole,
    Membership,
    ModerationDecision,
    PartnerKey,
    Profile,
    Report,
    ReportReason,
    ReportStatus,
)
from referrals.models.locations import Location, Phone, Schedule, ServiceAtLocation
from referrals.models.organizations import Organization
from referrals.models.search import SearchEntry, SearchEntryKind
from referrals.models.services import (
    AppliedCapacityChange,
    Service,
    ServiceArea,
    ServiceCapacity,
    ServiceTranslation,
)
from referrals.models.sync import SyncCounter, SyncTombstone, TombstoneReason
from referrals.models.taxonomies import CapacityUnit, Category, Context, Language, Population

__all__ = [
    "AppliedCapacityChange",
    "CapacityUnit",
    "Caseworker",
    "Category",
    "Context",
    "Decision",
    "Disclosure",
    "Invitation",
    "Language",
    "ListingReminder",
    "Location",
    "MemberRole",
    "Membership",
    "ModerationDecision",
    "Organization",
    "PartnerKey",
    "Phone",
    "Population",
    "Profile",
    "Report",
    "ReportReason",
    "ReportStatus",
    "Schedule",
    "SearchEntry",
    "SearchEntryKind",
    "Service",
    "ServiceArea",
    "ServiceAtLocation",
    "ServiceCapacity",
    "ServiceTranslation",
    "SyncCounter",
    "SyncTombstone",
    "TombstoneReason",
]
