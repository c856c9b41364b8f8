"""App configuration for the directory's domain app."""

from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    """The domain: organisations, services, locations and their vocabularies."""

    name = "referrals"
    verbose_name = "Referral directory"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        """Connect the signal receivers: public points, and the vocabulary cache's invalidation."""
        from referrals import signals  # noqa: F401 (registers receivers)
        from referrals.services.vocabularies import connect_signals

        connect_signals()
