"""Value ranges shared by several models."""

import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext as _


def validate_finite(value):
    """NaN and infinities pass every range check; refuse them outright."""
    if value is not None and not math.isfinite(value):
        raise ValidationError(_("Must be a finite number."))


LATITUDE_VALIDATORS = [validate_finite, MinValueValidator(-90), MaxValueValidator(90)]
LONGITUDE_VALIDATORS = [validate_finite, MinValueValidator(-180), MaxValueValidator(180)]
AGE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(120)]


def validate_listing_language(value):
    """One of the languages listings may be written in (settings.LISTING_LANGUAGES)."""
    if value not in settings.LISTING_LANGUAGES:
        raise ValidationError(
            _("Unsupported language %(value)s; use one of: %(codes)s."),
            params={"value": repr(str(value)[:10]), "codes": ", ".join(settings.LISTING_LANGUAGES)},
        )
