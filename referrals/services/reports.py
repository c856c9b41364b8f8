"""Caseworkers' reports that a listing is wrong, and how the organisation or a moderator closes them."""

from django.utils import timezone

from referrals.models import ReportStatus

CLOSED = (ReportStatus.RESOLVED, ReportStatus.DISMISSED)


def close_report(report, by, status: str, note: str = ""):
    """Close the report as resolved or dismissed, with what was done; who and when are kept."""
    if status not in CLOSED:
        raise ValueError(f"A report is closed as resolved or dismissed, not {status!r}.")
    report.status = status
    report.resolution_note = note
    report.resolved_by = by
    report.resolved_at = timezone.now()
    report.save(update_fields=["status", "resolution_note", "resolved_by", "resolved_at"])
    return report
