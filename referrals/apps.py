"""App configuration for the directory's domain app."""

from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    """The domain: organisations, services, locations and their vocabularies."""

    name = "referrals"
    verbose_name = "Referral directory"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        """Connect the signal receivers: public points, the vocabulary cache's invalidation, the sync sequence and the
        search index."""
        from django.db.models.signals import post_migrate

        from referrals import signals
        from referrals.services import search_index, sync, vocabularies

        vocabularies.connect_signals()
        sync.connect_signals()
        search_index.connect_signals()
        post_migrate.connect(signals.ensure_moderators_group, sender=self, dispatch_uid="ensure-moderators-group")
