"""App configuration for the caseworker web app."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    """The pages people use on their phones: search, a service's page, sign-in, offline copies."""

    name = "web"
    verbose_name = "Caseworker app"
