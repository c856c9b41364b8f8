"""The directory's domain model, aligned with Open Referral HSDS 3.x names."""

from referrals.models.locations import Location, Phone, Schedule, ServiceAtLocation
from referrals.models.organizations import Organization
from referrals.models.services import Service, ServiceArea, ServiceCapacity
from referrals.models.taxonomies import Category, Context, Language, Population

__all__ = [
    "Category",
    "Context",
    "Language",
    "Location",
    "Organization",
    "Phone",
    "Population",
    "Schedule",
    "Service",
    "ServiceArea",
    "ServiceAtLocation",
    "ServiceCapacity",
]
