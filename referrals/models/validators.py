"""Value ranges shared by several models."""

import math

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator


def validate_finite(value):
    """NaN and infinities pass every range check; refuse them outright."""
    if value is not None and not math.isfinite(value):
        raise ValidationError("Must be a finite number.")


LATITUDE_VALIDATORS = [validate_finite, MinValueValidator(-90), MaxValueValidator(90)]
LONGITUDE_VALIDATORS = [validate_finite, MinValueValidator(-180), MaxValueValidator(180)]
AGE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(120)]
