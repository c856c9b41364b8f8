"""Full faces of confidential locations: who may see them, and the record of each disclosure."""

from referrals.models import Disclosure


def shows_full_face(viewer, location) -> bool:
    """Whether the viewer may see the location's address, exact point and phones (None: a public reader)."""
    return not location.confidential if viewer is None else viewer.sees_full_face(location)


def record_disclosures(viewer, locations, endpoint: str) -> int:
    """Log each confidential location shown in full to a caseworker or partner key; returns how many."""
    shown = {location.pk: location for location in locations if viewer is not None and viewer.logs_disclosure(location)}
    if not shown:
        return 0
    user = viewer.user if viewer.is_authenticated else None
    Disclosure.objects.bulk_create(
        Disclosure(user=user, partner_key=viewer.partner_key, location=location, endpoint=endpoint[:200])
        for location in shown.values()
    )
    return len(shown)
