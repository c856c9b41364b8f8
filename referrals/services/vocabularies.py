"""The codes and labels of each vocabulary, cached: they are read on every filtered search (the labels on every
page of results in a language) and change rarely."""

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

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
    """Drop the cached codes (and labels) of a vocabulary when one of its terms is saved or deleted."""
    cache.delete_many([_key(sender), LABELS_KEY])
    if sender.__name__ == "CapacityUnit":
        cache.delete(UNITS_KEY)


LABELS_KEY = "vocabulary-labels"
# The vocabularies whose labels results carry beside their codes, by the name of the result field (or, for
# capacity units, of their endpoint).
LABELLED = {
    "categories": "Category",
    "populations": "Population",
    "contexts": "Context",
    "capacity_units": "CapacityUnit",
}


def _all_labels() -> dict[str, dict[str, tuple[str, dict[str, str]]]]:
    """Every term's English label and translations, by vocabulary and code: {"categories": {"housing": ("Housing",
    {"th": "ที่พักพิง", ...})}, ...}."""

    def load():
        from referrals import models

        labels = {}
        for vocabulary, model_name in LABELLED.items():
            rows = getattr(models, model_name).objects.values_list("code", "name", "translations")
            labels[vocabulary] = {code: (name, translations or {}) for code, name, translations in rows}
        return labels

    return cache.get_or_set(LABELS_KEY, load, CODES_TIMEOUT_SECONDS)


def labels_in(language: str) -> dict[str, dict[str, str]]:
    """Each vocabulary's labels in the language, English where a term has none there, as `Taxonomy.label` gives
    them (cached: no query)."""
    return {
        vocabulary: {code: translations.get(language) or name for code, (name, translations) in terms.items()}
        for vocabulary, terms in _all_labels().items()
    }


UNITS_KEY = "vocabulary-codes:capacity-unit-populations"


def capacity_units() -> dict[str, frozenset[str] | None]:
    """Each capacity unit's code and the populations its places can take (None: anyone), cached."""

    def load():
        from referrals.models import CapacityUnit

        units = {}
        for unit in CapacityUnit.objects.prefetch_related("populations"):
            units[unit.code] = None if unit.everyone else frozenset(term.pk for term in unit.populations.all())
        return units

    return cache.get_or_set(UNITS_KEY, load, CODES_TIMEOUT_SECONDS)


def units_taking(populations) -> list[str]:
    """The units whose free places fit every one of the populations that units speak of.

    Units say whom a place takes by gender, age and family (women, girls, children, ...); a population no unit
    names (refugees, migrants, LGBTQI+ people) is the service's to serve, not the bed's to fit, so it asks
    nothing of the unit. A unit for anyone fits every request.
    """
    units = capacity_units()
    named = frozenset().union(*(taken for taken in units.values() if taken is not None))
    asked = set(populations) & named
    return sorted(code for code, taken in units.items() if taken is None or asked <= taken)


def connect_signals():
    """Wire cache invalidation to every vocabulary model (called from the app config)."""
    from referrals.models import CapacityUnit, Category, Context, Language, Population

    for model in (Category, Population, Context, Language, CapacityUnit):
        post_save.connect(forget_codes, sender=model, dispatch_uid=f"forget-codes-save-{model.__name__}")
        post_delete.connect(forget_codes, sender=model, dispatch_uid=f"forget-codes-delete-{model.__name__}")
    m2m_changed.connect(forget_units, sender=CapacityUnit.populations.through, dispatch_uid="forget-units-populations")


def forget_units(sender, **kwargs):
    """Drop the cached populations of the capacity units when a unit's populations change."""
    cache.delete(UNITS_KEY)
