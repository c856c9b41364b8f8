"""Registering an account without telling the caller whether the username was free: the answer goes by email."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

logger = logging.getLogger(__name__)


def register_user(*, username: str, password: str, email: str, kind: str, create_profile) -> bool:
    """Create the user and its profile (`create_profile(user)`) and mail them; True if created.

    When the username is taken nothing is created and the address given is told so by email instead. Both
    branches hash the password once, so they take about as long.
    """
    user_model = get_user_model()
    with transaction.atomic():
        user = None
        if not user_model.objects.filter(username__iexact=username).exists():
            try:
                with transaction.atomic():
                    user = user_model.objects.create_user(username=username, password=password, email=email)
            except IntegrityError:
                # Someone registered the same name in the meantime: taken after all.
                user = None
        if user is not None:
            create_profile(user)
    if user is None:
        make_password(password)
        _mail(
            email,
            "Choose another username",
            f"Someone, probably you, tried to register the username {username!r} in the referral directory. "
            "That username is already taken, so no account was created. Please sign up again with another "
            "username.\n\nIf this was not you, you can ignore this message.",
        )
        return False
    _mail(
        email,
        "Your registration",
        f"Your {kind} account {username!r} is registered in the referral directory. You can log in now; "
        "a moderator will vet your registration before confidential details or your listings are shown.\n\n"
        "If this was not you, please tell us by replying to this message.",
    )
    return True


def register_provider(*, username, password, email, organization_name, description="", org_email="", website=""):
    """A provider and their organisation (unvetted: private until a moderator vets it), them as its admin."""
    from referrals.models import MemberRole, Membership, Organization

    def create_profile(user):
        organization = Organization.objects.create(
            name=organization_name, description=description, email=org_email, website=website, vetted=False
        )
        Membership.objects.create(user=user, organization=organization, role=MemberRole.ADMIN)

    return register_user(
        username=username, password=password, email=email, kind="provider", create_profile=create_profile
    )


def register_caseworker(*, username, password, email, agency, country=""):
    """A caseworker (unvetted: public faces only until a moderator vets them)."""
    from referrals.models import Caseworker

    def create_profile(user):
        Caseworker.objects.create(user=user, agency=agency, country=country)

    return register_user(
        username=username, password=password, email=email, kind="caseworker", create_profile=create_profile
    )


def _mail(address: str, subject: str, body: str) -> None:
    """Send one message; a mail outage is logged, never shown: the answer must not depend on the branch taken."""
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    except Exception:
        logger.exception("Could not send the registration email.")
