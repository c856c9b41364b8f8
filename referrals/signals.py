"""Signal receivers that keep derived, safety-relevant fields right however a record is written."""

from django.db.models.signals import pre_save
from django.dispatch import receiver

from referrals.models import Location


@receiver(pre_save, sender=Location, dispatch_uid="location-public-point")
def derive_public_point(sender, instance, raw=False, **kwargs):
    """Derive the public point before every save, loaddata's raw saves included.

    A fixture or an import that carries a wrong (say, exact) public point for a confidential
    location must not be able to store it.
    """
    instance.refresh_public_point()


def ensure_moderators_group(sender, **kwargs):
    """After migrations: the moderators group exists and may work on every directory record in the admin."""
    from django.contrib.auth.models import Group, Permission

    from referrals.services.roles import MODERATORS_GROUP

    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    apps = ("referrals", "knox", "rest_framework_api_key", "axes")
    group.permissions.add(*Permission.objects.filter(content_type__app_label__in=apps))
