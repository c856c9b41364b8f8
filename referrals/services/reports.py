"""Caseworkers' reports that a listing is wrong, and how the organisation or a moderator closes them."""

from django.utils import timezone
from django.utils.translation import gettext as _

from referrals.models import Report, ReportStatus
from referrals.services import mail

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
    service = report.service

    def compose():
        outcome = _("resolved") if status == ReportStatus.RESOLVED else _("dismissed")
        body = _("Your report on %(name)s (%(reason)s) is %(outcome)s.\n%(note)s\n\nThe listing: %(link)s") % {
            "name": service.name,
            "reason": report.get_reason_display(),
            "outcome": outcome,
            "note": note,
            "link": mail.app_link("web:service", service.pk),
        }
        return _("Your report on %(name)s") % {"name": service.name}, body

    if report.reporter_id:
        mail.tell(mail.users([report.reporter]), compose)  # the caseworker hears what came of it
    return report


def file_report(service, reporter, reason: str, note: str = "") -> Report:
    """A caseworker reports that a listing is wrong; the organisation's members are emailed, each in their
    language, with a link to the listing in the workspace."""
    report = Report.objects.create(service=service, reporter=reporter, reason=reason, note=note)
    members = [membership.user for membership in service.organization.memberships.select_related("user")]

    def compose():
        body = _(
            "A caseworker reports that the listing %(name)s is wrong: %(reason)s.\n%(note)s\n\nCheck it, correct "
            "it and close the report: %(link)s"
        )
        values = {
            "name": service.name,
            "reason": report.get_reason_display(),
            "note": note,
            "link": mail.app_link("web:listing", service.pk),
        }
        return _("A report on your listing %(name)s") % {"name": service.name}, body % values

    mail.tell(mail.users(members), compose)
    return report
