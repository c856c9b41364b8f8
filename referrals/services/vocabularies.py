"""The codes of each vocabulary, cached: they are read on every filtered search and change rarely."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

# Another process's cache may hold the old list this long after a moderator edits a vocabulary.
CODES_TIMEOUT_SECONDS = 300


def _key(model) -> str:
    return f"vocabulary-codes:{model._meta.label_lower}"


def codes_of(model) -> frozenset[str]:
    """All codes of a code-keyed vocabulary model (Category, Population, Context, Language)."""
    return cache.get_or_set(
        _key(model), lambda: frozenset(model.objects.values_list("code", flat=True)), CODES_TIMEOUT_SECONDS
    )


def forget_codes(sender, **kwargs):
    """Drop the cached codes of a vocabulary when one of its terms is saved or deleted."""
    cache.delete(_key(sender))


def connect_signals():
    """Wire cache invalidation to every vocabulary model (called from the app config)."""
    from referrals.models import Category, Context, Language, Population

    for model in (Category, Population, Context, Language):
        post_save.connect(forget_codes, sender=model, dispatch_uid=f"forget-codes-save-{model.__name__}")
        post_delete.connect(forget_codes, sender=model, dispatch_uid=f"forget-codes-delete-{model.__name__}")
