"""Code-keyed vocabularies: categories, populations served, operating contexts and languages."""

from django.core.validators import RegexValidator
from django.db import models

code_validator = RegexValidator(r"^[a-z][a-z0-9_]*$", "Use lower-case letters, digits and underscores.")


class Taxonomy(models.Model):
    """A small vocabulary term whose stable ``code`` is what the API and partner apps use."""

    code = models.CharField(
        max_length=40, primary_key=True, validators=[code_validator], help_text="Stable code used by the API."
    )
    name = models.CharField(max_length=100, help_text="Label in English.")
    description = models.TextField(blank=True, help_text="What the term covers.")
    position = models.PositiveSmallIntegerField(default=100, help_text="Order in lists and pickers.")
    translations = models.JSONField(
        default=dict, blank=True, help_text='Labels in other languages by ISO 639-1 code, e.g. {"th": "ที่พักพิง"}.'
    )

    class Meta:
        abstract = True
        ordering = ["position", "code"]

    def __str__(self):
        return self.name

    def label(self, language: str | None) -> tuple[str, str]:
        """The label in the language if there is one, else in English; and which language it is."""
        translated = (self.translations or {}).get(language) if language else None
        return (translated, language) if translated else (self.name, "en")


class Category(Taxonomy):
    """A kind of help: housing, counselling, medical, ..."""

    class Meta(Taxonomy.Meta):
        verbose_name_plural = "categories"


class Population(Taxonomy):
    """A group of people a service is for: women, children, refugees, ..."""


class Context(Taxonomy):
    """Where or how a service operates: refugee camp, conflict zone, mobile outreach, ..."""


class CapacityUnit(Taxonomy):
    """What a capacity count counts, and whom one of its places can take: beds for women take women and girls."""

    populations = models.ManyToManyField(
        Population,
        blank=True,
        related_name="capacity_units",
        help_text="Who a free place of this unit can take (the people it is for by gender, age or family).",
    )
    everyone = models.BooleanField(default=False, help_text="A free place of this unit can take anyone.")

    class Meta(Taxonomy.Meta):
        verbose_name = "capacity unit"


class Language(models.Model):
    """A language a service is delivered in, keyed by its ISO 639-1 code (ISO 639-3 where there is none)."""

    code = models.CharField(
        max_length=3,
        primary_key=True,
        validators=[RegexValidator(r"^[a-z]{2,3}$", "Use an ISO 639-1 or 639-3 code in lower case.")],
        help_text="ISO 639-1 code (ISO 639-3 where there is none).",
    )
    name = models.CharField(max_length=60, help_text="English name.")
    native_name = models.CharField(max_length=60, blank=True, help_text="Name in the language itself.")

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"
