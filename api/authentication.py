"""Partner apps authenticate with `Authorization: Api-Key <key>` (djangorestframework-api-key, stored hashed);
people with `Authorization: Token <token>` (django-rest-knox).

Both check a credential's characters before any database look-up: a header with bytes that are not UTF-8, or a
NUL (which PostgreSQL refuses in a query), is a 401 like any other wrong credential, not a 500.
"""

import re

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from rest_framework import authentication, exceptions
from rest_framework_api_key.permissions import KeyParser

from referrals.models import PartnerKey

# djangorestframework-api-key makes keys as `prefix.secret`, both of ASCII letters and digits.
PARTNER_KEY_SHAPE = re.compile(r"[A-Za-z0-9]{1,100}\.[A-Za-z0-9]{1,200}", re.ASCII)
# knox tokens are a configurable prefix and hex digits: printable ASCII, no spaces, of bounded length.
TOKEN_SHAPE = re.compile(rb"[\x21-\x7e]{1,200}")


class PartnerKeyAuthentication(authentication.BaseAuthentication):
    """Sets `request.auth` to the PartnerKey; the user stays anonymous (a key is not a person)."""

    key_parser = KeyParser()

    def authenticate(self, request):
        """A valid, unrevoked, unexpired key, or a 401 for a bad one; None when no key was sent."""
        key = self.key_parser.get(request)
        if key is None:
            return None
        key = key.strip()
        if not PARTNER_KEY_SHAPE.fullmatch(key):
            raise exceptions.AuthenticationFailed("Invalid API key.")
        try:
            partner_key = PartnerKey.objects.get_from_key(key)
        except PartnerKey.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid API key.") from None
        if partner_key.has_expired or partner_key.revoked:
            raise exceptions.AuthenticationFailed("Invalid API key.")
        return AnonymousUser(), partner_key

    def authenticate_header(self, request):
        """Tell clients how to authenticate on a 401."""
        return "Api-Key"


class DirectoryTokenAuthentication(TokenAuthentication):
    """knox's token authentication, refusing malformed tokens with a 401 before they reach the database."""

    def authenticate(self, request):
        """As knox does; a header that cannot even be read as Latin-1 bytes is a bad token too."""
        try:
            return super().authenticate(request)
        except UnicodeError:
            # Only a test client can send such a header (WSGI headers are Latin-1 text), but answer it alike.
            raise exceptions.AuthenticationFailed("Invalid token.") from None

    def authenticate_credentials(self, token):
        """Look the token up only when it has a token's shape (knox decodes it as UTF-8, which may fail)."""
        if not TOKEN_SHAPE.fullmatch(token):
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(token)


class DirectoryTokenScheme(KnoxTokenScheme):
    """Documents DirectoryTokenAuthentication in the OpenAPI schema as knox's token (same scheme name)."""

    # drf-spectacular matches extensions by exact class; knox's own extension does not cover subclasses.
    target_class = "api.authentication.DirectoryTokenAuthentication"
