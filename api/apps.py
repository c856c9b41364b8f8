"""App configuration for the HTTP API layer."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The DRF layer: serializers, filters and views over the referrals domain."""

    name = "api"
    verbose_name = "Directory API"
