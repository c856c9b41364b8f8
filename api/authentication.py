"""Partner apps authenticate with `Authorization: Api-Key <key>` (djangorestframework-api-key, stored hashed)."""

from django.contrib.auth.models import AnonymousUser
from rest_framework import authentication, exceptions
from rest_framework_api_key.permissions import KeyParser

from referrals.models import PartnerKey


class PartnerKeyAuthentication(authentication.BaseAuthentication):
    """Sets `request.auth` to the PartnerKey; the user stays anonymous (a key is not a person)."""

    key_parser = KeyParser()

    def authenticate(self, request):
        """A valid, unrevoked, unexpired key, or a 401 for a bad one; None when no key was sent."""
        key = self.key_parser.get(request)
        if key is None:
            return None
        try:
            partner_key = PartnerKey.objects.get_from_key(key.strip())
        except PartnerKey.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid API key.") from None
        if partner_key.has_expired or partner_key.revoked:
            raise exceptions.AuthenticationFailed("Invalid API key.")
        return AnonymousUser(), partner_key

    def authenticate_header(self, request):
        """Tell clients how to authenticate on a 401."""
        return "Api-Key"
