"""Form fields for query parameters that parse strictly and say exactly what is wrong."""

from collections.abc import Callable, Iterable

from django import forms
from django.core.exceptions import ValidationError

from referrals.geo import BoundingBox

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


class StrictBooleanField(forms.Field):
    """`true`/`false` (also 1/0, yes/no); anything else is an error rather than "no filter"."""

    def to_python(self, value):
        """Parse the flag."""
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValidationError("Must be true or false.", code="invalid")


class CodeListField(forms.Field):
    """A comma-separated list of codes, each checked against a vocabulary."""

    def __init__(self, *, codes: Callable[[], Iterable[str]], normalize=str.lower, max_items: int = 50, **kwargs):
        self.codes = codes
        self.normalize = normalize
        self.max_items = max_items
        super().__init__(**kwargs)

    def to_python(self, value):
        """Split, normalise and de-duplicate the codes."""
        if value in (None, ""):
            return []
        items = [self.normalize(item.strip()) for item in str(value).split(",") if item.strip()]
        if not items:
            raise ValidationError("Give at least one code.", code="empty")
        if len(items) > self.max_items:
            raise ValidationError(f"Give at most {self.max_items} codes.", code="too_many")
        return list(dict.fromkeys(items))

    def validate(self, value):
        """Every code must exist."""
        super().validate(value)
        if not value:
            return
        known = set(self.codes())
        unknown = [code for code in value if code not in known]
        if unknown:
            # Client text goes into params, never into the message's format string.
            raise ValidationError(
                "Unknown code(s): %(unknown)s. Valid codes: %(valid)s.",
                code="invalid_choice",
                params={
                    "unknown": ", ".join(repr(code[:40]) for code in unknown[:10]),
                    "valid": ", ".join(sorted(known)),
                },
            )


class BoundingBoxField(forms.Field):
    """`min_lng,min_lat,max_lng,max_lat`; `min_lng > max_lng` means the box crosses the antimeridian."""

    def to_python(self, value):
        """Parse and check the four numbers."""
        if value in (None, ""):
            return None
        parts = str(value).split(",")
        if len(parts) != 4:
            raise ValidationError("Give four numbers: min_lng,min_lat,max_lng,max_lat.", code="invalid")
        try:
            min_lng, min_lat, max_lng, max_lat = (float(part) for part in parts)
        except ValueError:
            raise ValidationError("Give four numbers: min_lng,min_lat,max_lng,max_lat.", code="invalid") from None
        problems = []
        for name, number, limit in (
            ("min_lng", min_lng, 180),
            ("max_lng", max_lng, 180),
            ("min_lat", min_lat, 90),
            ("max_lat", max_lat, 90),
        ):
            if not -limit <= number <= limit:  # also false for NaN
                problems.append(f"{name} must be between -{limit} and {limit}")
        if not problems and min_lat > max_lat:
            problems.append("min_lat must not be greater than max_lat")
        if problems:
            raise ValidationError("; ".join(problems) + ".", code="invalid")
        return BoundingBox(min_lat=min_lat, max_lat=max_lat, min_lng=min_lng, max_lng=max_lng)
