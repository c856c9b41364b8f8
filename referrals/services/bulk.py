"""Fast bulk loading for generated data: rows go straight into a table, without model instances.

`bulk_create` builds a model instance per row and prepares every value through its field: for
the two million rows of a 100,000-service directory that is most of the time. A `RawTable`
keeps one tuple per row in the table's column order and writes batches with COPY on PostgreSQL
(executemany elsewhere). Nothing runs that `save()` would run (signals, history, derived fields):
the caller computes derived values itself.
"""

import io
import json
import uuid
from datetime import date, datetime, time

from django.db import connection, models
from django.utils import timezone


class RawTable:
    """Rows of one model's table, as tuples in column order, with the model's defaults filled in."""

    def __init__(self, model):
        self.model = model
        self.fields = [field for field in model._meta.concrete_fields if not isinstance(field, models.AutoField)]
        self.index = {field.attname: position for position, field in enumerate(self.fields)}
        now = timezone.now()
        self.template = [self._default(field, now) for field in self.fields]
        self.rows: list[tuple] = []

    @staticmethod
    def _default(field, now):
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return now
        if field.has_default():
            return field.get_default()
        return None if field.null else ""

    def add(self, **values) -> None:
        """Queue a row; unnamed columns take the model's defaults."""
        row = list(self.template)
        index = self.index
        for name, value in values.items():
            row[index[name]] = value
        self.rows.append(row)

    def flush(self) -> int:
        """Write the queued rows; returns how many."""
        rows, self.rows = self.rows, []
        if not rows:
            return 0
        columns = ", ".join(connection.ops.quote_name(field.column) for field in self.fields)
        table = connection.ops.quote_name(self.model._meta.db_table)
        converters = [_converter(field) for field in self.fields]
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            for row in rows:
                buffer.write(
                    "\t".join(_copy_text(convert(value)) for convert, value in zip(converters, row, strict=True))
                )
                buffer.write("\n")
            buffer.seek(0)
            with connection.cursor() as cursor:
                cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
        else:
            placeholders = ", ".join(["%s"] * len(self.fields))
            converted = [tuple(convert(value) for convert, value in zip(converters, row, strict=True)) for row in rows]
            with connection.cursor() as cursor:
                # Names come from the model, quoted by the backend; the values travel as parameters.
                sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
                cursor.executemany(sql, converted)
        return len(rows)


def _converter(field):
    """A function from a Python value to what the database driver (or COPY's text) takes for this column."""
    target = field.target_field if field.is_relation else field
    postgres = connection.vendor == "postgresql"
    if isinstance(target, models.UUIDField):
        return (lambda v: None if v is None else str(v)) if postgres else (lambda v: None if v is None else v.hex)
    if isinstance(field, models.JSONField):
        return lambda v: json.dumps(v, ensure_ascii=False)
    if isinstance(field, models.DateTimeField):
        return (lambda v: v) if postgres else connection.ops.adapt_datetimefield_value
    if isinstance(field, models.TimeField) and not postgres:
        return connection.ops.adapt_timefield_value
    if isinstance(field, models.DateField) and not postgres:
        return connection.ops.adapt_datefield_value
    return lambda v: v


def _copy_text(value) -> str:
    """One value in PostgreSQL COPY text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text
