"""Emails to people: each in the language they read the app in (their Profile, else the site's), with links into
the app at SITE_URL. They go once the write that caused them commits (never while it holds the change sequence's
lock, never for a write that rolled back); a mail outage is logged and never undoes what the email tells of."""

import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation

logger = logging.getLogger(__name__)


def language_of(user) -> str:
    """The page language the person chose (kept at sign-up and each sign-in), else the site's default."""
    from referrals.models import Profile

    if user is None or not getattr(user, "pk", None):
        return settings.LANGUAGE_CODE
    return Profile.objects.filter(user_id=user.pk).values_list("language", flat=True).first() or settings.LANGUAGE_CODE


def remember_language(user, language: str | None) -> None:
    """Keep the language the person reads the app in, for the emails sent to them."""
    from referrals.models import Profile

    codes = {code for code, _name in settings.LANGUAGES}
    if user is not None and getattr(user, "pk", None) and language in codes:
        Profile.objects.update_or_create(user_id=user.pk, defaults={"language": language})


def app_link(view_name: str, *args) -> str:
    """An absolute link to one of the app's pages (the web app's URL names)."""
    return settings.SITE_URL.rstrip("/") + reverse(view_name, args=args)


def tell(recipients, compose, *, at_once: bool = False) -> int:
    """Email `compose()`'s (subject, body) to each (address, language) recipient, composed in their language, once
    the current transaction commits (at once outside one); how many messages (one per language) there are.
    `at_once` (outside any write): send now, and answer how many went."""
    by_language = defaultdict(set)
    for address, language in recipients:
        if address:
            by_language[language or settings.LANGUAGE_CODE].add(address)
    messages = []
    for language, addresses in sorted(by_language.items()):
        with translation.override(language):
            subject, body = compose()
        messages.append((str(subject), str(body), sorted(addresses)))
    if at_once:
        return _send(messages)
    if messages:
        after_commit(lambda: _send(messages))
    return len(messages)


def after_commit(send) -> None:
    """Run `send` once the current transaction commits (tests may run it at once)."""
    transaction.on_commit(send, using="default", robust=True)


def _send(messages) -> int:
    """Send each (subject, body, addresses); how many went."""
    sent = 0
    for subject, body, addresses in messages:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, addresses)
            sent += 1
        except Exception:
            logger.exception("Could not send an email (%s).", subject)
    return sent


def users(people) -> list[tuple[str, str]]:
    """Recipients for users: their email and language."""
    return [(person.email, language_of(person)) for person in people if person.email]
