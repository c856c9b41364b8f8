"""Editing a listing from a form: a version of what the editor saw, so that a change saved meanwhile by someone
else is told to them (a conflict), never overwritten in silence; and writes of only what the editor changed.
"""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


def record_values(record, names) -> dict:
    """The named fields' values of one record, many-to-many ones as sorted primary keys."""
    values = {}
    for name in names:
        field = record._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(str(pk) for pk in getattr(record, name).values_list("pk", flat=True))
        elif isinstance(field, models.ForeignKey):
            values[name] = str(getattr(record, field.attname))
        else:
            values[name] = getattr(record, name)
    return values


def version_of(*parts) -> str:
    """A short fingerprint of values (records' `record_values`, lists of them): equal only if nothing changed."""
    text = json.dumps(parts, cls=DjangoJSONEncoder, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def save_changed(record, changed: list[str]) -> bool:
    """Save only the changed concrete fields (and the time of the change); False if there was none."""
    concrete = {field.name for field in record._meta.concrete_fields}
    names = [name for name in changed if name in concrete]
    if not names:
        return False
    touched = [field.name for field in record._meta.concrete_fields if getattr(field, "auto_now", False)]
    record.save(update_fields=[*names, *touched])
    return True
