"""Opening hours as a person thinks of them: a week of days, each closed, open some hours (one or two spans, a
span past midnight ending the next morning) or open all day; or open 24/7. Saved as the model's schedules."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from referrals.models import Schedule
from web.listing_forms import VersionedForm

CLOSED, HOURS, ALL_DAY = "closed", "hours", "all_day"
SPANS = 2  # spans per day offered (more when a day already has more)


def schedules_in_scope(service, location):
    """The service's schedules at the location (None: those that apply wherever it is given)."""
    rows = Schedule.objects.filter(service=service)
    rows = rows.filter(location=location) if location is not None else rows.filter(location__isnull=True)
    return rows.order_by("weekday", "opens_at", "id")


class HoursForm(VersionedForm, forms.Form):
    """A week of opening hours at one place (or wherever the service is given)."""

    SCHEDULE_FIELDS = ["weekday", "all_day", "opens_at", "closes_at", "time_zone", "description"]

    always = forms.BooleanField(label=_("Open 24 hours, every day (24/7)"), required=False)
    notes = forms.CharField(label=_("Notes (e.g. closed on public holidays)"), required=False, max_length=200)

    def __init__(self, *args, service, schedules, location, version: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.service, self.location = service, location
        self._rows = []
        by_day = {day: [] for day in range(1, 8)}
        notes = {day: [] for day in range(1, 8)}
        states = dict.fromkeys(range(1, 8), CLOSED)
        always, always_notes = False, ""
        for row in schedules:
            if row.all_day and not row.weekday:
                always, always_notes = True, row.description
                continue
            for day in [row.weekday] if row.weekday else list(range(1, 8)):
                if row.description and row.description not in notes[day]:
                    notes[day].append(row.description)
                if row.all_day:
                    states[day] = ALL_DAY
                else:
                    states[day] = HOURS if states[day] != ALL_DAY else ALL_DAY
                    by_day[day].append((row.opens_at, row.closes_at))
        self.spans = max([SPANS, *(len(spans) for spans in by_day.values())])
        self.fields["always"].initial = always
        self.fields["notes"].initial = always_notes
        # Hours kept in several time zones (wherever the service is given) take the one chosen below.
        self.zones_differ = location is None and len({row.time_zone for row in schedules}) > 1
        if location is None:
            self.fields["time_zone"] = forms.CharField(
                label=_("Time zone"),
                help_text=_("E.g. Asia/Bangkok: the hours are in this zone's local time."),
                max_length=50,
                required=False,
                initial=next((row.time_zone for row in schedules if row.time_zone), ""),
            )
        self.days = []
        for day in range(1, 8):
            name = str(WEEKDAYS[day - 1])
            self.fields[f"day{day}"] = forms.ChoiceField(
                label=name,
                choices=[(CLOSED, _("Closed")), (HOURS, _("Open these hours")), (ALL_DAY, _("Open 24 hours"))],
                initial=states[day],
            )
            span_names = []
            for span in range(1, self.spans + 1):
                opens, closes = by_day[day][span - 1] if span <= len(by_day[day]) else (None, None)
                for edge, value, label in (
                    ("opens", opens, _("%(day)s, span %(span)s: opens at")),
                    ("closes", closes, _("%(day)s, span %(span)s: closes at")),
                ):
                    field_name = f"day{day}_{edge}_{span}"
                    self.fields[field_name] = forms.TimeField(
                        label=label % {"day": name, "span": span},
                        required=False,
                        initial=value,
                        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                    )
                span_names.append((f"day{day}_opens_{span}", f"day{day}_closes_{span}"))
            self.fields[f"day{day}_notes"] = forms.CharField(
                label=_("%(day)s: notes") % {"day": name},
                required=False,
                max_length=200,
                initial=" · ".join(notes[day])[:200],
            )
            self.days.append(
                {"day": day, "name": name, "state": f"day{day}", "spans": span_names, "notes": f"day{day}_notes"}
            )
        self.add_version(version)

    def day_rows(self):
        """For the template: each day's choice and its spans' fields."""
        return [
            {
                "name": row["name"],
                "state": self[row["state"]],
                "spans": [(self[opens], self[closes]) for opens, closes in row["spans"]],
                "notes": self[row["notes"]],
            }
            for row in self.days
        ]

    def clean(self):
        """Each open day has a span with both times; each span has both or neither; the model judges the rest."""
        cleaned = super().clean()
        for row in self.days:
            if cleaned.get("always") or cleaned.get(row["state"]) != HOURS:
                continue
            given = 0
            for opens, closes in row["spans"]:
                if (cleaned.get(opens) is None) != (cleaned.get(closes) is None):
                    self.add_error(opens, _("Give both the opening and the closing time, or neither."))
                elif cleaned.get(opens) is not None:
                    given += 1
            if not given and not self.has_error(row["spans"][0][0]):
                self.add_error(row["state"], _("Give the hours it is open, or choose closed."))
        if self.location is None and not cleaned.get("time_zone") and self._wanted(cleaned):
            self.add_error("time_zone", _("Give the time zone the hours are in."))
        if not self.errors:
            self._rows = self._checked_rows(cleaned)
        return cleaned

    def _wanted(self, cleaned) -> list[dict]:
        if cleaned.get("always"):
            return [{"weekday": None, "all_day": True, "description": cleaned.get("notes", "")}]
        wanted = []
        for row in self.days:
            state = cleaned.get(row["state"])
            notes = cleaned.get(row["notes"], "")
            if state == ALL_DAY:
                wanted.append({"weekday": row["day"], "all_day": True, "description": notes})
            elif state == HOURS:
                for opens, closes in row["spans"]:
                    if cleaned.get(opens) is not None and cleaned.get(closes) is not None:
                        wanted.append(
                            {
                                "weekday": row["day"],
                                "opens_at": cleaned[opens],
                                "closes_at": cleaned[closes],
                                "description": notes,
                            }
                        )
        return wanted

    def _checked_rows(self, cleaned) -> list[Schedule]:
        """The schedules the grid describes (unsaved), each checked by the model's rules."""
        rows = []
        for values in self._wanted(cleaned):
            row = Schedule(service=self.service, location=self.location, time_zone=cleaned.get("time_zone", ""))
            for name, value in values.items():
                setattr(row, name, value)
            if self.location is not None:
                row.time_zone = self.location.time_zone
            try:
                row.full_clean()
            except ValidationError as error:
                about_zone = "time_zone" in getattr(error, "error_dict", {}) and "time_zone" in self.fields
                field = "time_zone" if about_zone else None
                self.add_error(field, error.messages)
                return []
            rows.append(row)
        return rows

    def schedules(self) -> list[Schedule]:
        """The schedules to save (after `is_valid()`)."""
        return self._rows

    def same_week(self) -> bool:
        """Whether the person changed nothing in the grid (then the saved schedules are left as they are, ids,
        history and all; after `is_valid()`)."""
        initial = {name: field.initial for name, field in self.fields.items()}
        return self._wanted(self.cleaned_data) == self._wanted(initial) and self.cleaned_data.get(
            "time_zone"
        ) == initial.get("time_zone")

    @staticmethod
    def describe(row) -> str:
        """One schedule as a person reads it, in the page's language."""
        day = str(WEEKDAYS[row.weekday - 1]) if row.weekday else str(_("Every day"))
        hours = str(_("Open 24 hours")) if row.all_day else f"{row.opens_at:%H:%M}-{row.closes_at:%H:%M}"
        return f"{day}: {hours}" + (f" ({row.description})" if row.description else "")
