"""Registering an account without telling the caller whether the username was free: the answer goes by email."""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from referrals.services import mail


def register_user(*, username: str, password: str, email: str, kind: str, create_profile, language=None) -> bool:
    """Create the user and its profile (`create_profile(user)`) and mail them (in `language`, the page's, which is
    kept for later emails); True if created.

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
            mail.remember_language(user, language)
    if user is None:
        make_password(password)
        mail.tell(
            [(email, language)],
            lambda: (
                _("Choose another username"),
                _(
                    "Someone, probably you, tried to register the username %(username)s in the referral directory. "
                    "That username is already taken, so no account was created. Please sign up again with another "
                    "username: %(link)s\n\nIf this was not you, you can ignore this message."
                )
                % {"username": repr(username), "link": mail.app_link("web:sign-up")},
            ),
        )
        return False

    def compose():
        kinds = {"provider": _("organisation"), "caseworker": _("caseworker")}
        body = _(
            "Your %(kind)s account %(username)s is registered in the referral directory. You can sign in now: "
            "%(link)s\n\nA moderator will vet your registration before confidential details or your listings "
            "are shown.\n\nIf this was not you, please tell us by replying to this message."
        )
        values = {"kind": kinds.get(kind, kind), "username": repr(username), "link": mail.app_link("web:sign-in")}
        return _("Your registration"), body % values

    mail.tell([(email, language)], compose)
    return True


def register_provider(
    *, username, password, email, organization_name, description="", org_email="", website="", language=None
):
    """A provider and their organisation (unvetted: private until a moderator vets it), them as its admin."""
    from referrals.models import MemberRole, Membership, Organization

    def create_profile(user):
        organization = Organization.objects.create(
            name=organization_name, description=description, email=org_email, website=website, vetted=False
        )
        Membership.objects.create(user=user, organization=organization, role=MemberRole.ADMIN)

    return register_user(
        username=username,
        password=password,
        email=email,
        kind="provider",
        create_profile=create_profile,
        language=language,
    )


def register_caseworker(*, username, password, email, agency, country="", language=None):
    """A caseworker (unvetted: public faces only until a moderator vets them)."""
    from referrals.models import Caseworker

    def create_profile(user):
        Caseworker.objects.create(user=user, agency=agency, country=country)

    return register_user(
        username=username,
        password=password,
        email=email,
        kind="caseworker",
        create_profile=create_profile,
        language=language,
    )
