"""Who may see the full face of a location (its street address, exact point and phones)."""


def shows_full_face(user, location) -> bool:
    """Ordinary locations show their full face to everyone; confidential ones to nobody yet.

    Every reader of the API is public until accounts and vetting arrive, so a confidential
    location only ever shows its public face. This is the one place that decision is made.
    """
    return not location.confidential
