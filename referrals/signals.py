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
