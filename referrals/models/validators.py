"""Value ranges shared by several models."""

from django.core.validators import MaxValueValidator, MinValueValidator

LATITUDE_VALIDATORS = [MinValueValidator(-90), MaxValueValidator(90)]
LONGITUDE_VALIDATORS = [MinValueValidator(-180), MaxValueValidator(180)]
AGE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(120)]
