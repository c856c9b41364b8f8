"""Partner apps authenticate with `Authorization: Api-Key <key>` (djangorestframework-api-key, stored hashed);
people with `Authorization: Token <token>` (django-rest-knox).

A token's look-up is one query that also brings its user's roles (`referrals.services.roles.role_columns`), so a
signed-in reader costs one query more than an anonymous one and every role is read fresh on each request.

Both check a credential's characters before any database look-up: a header with bytes that are not UTF-8, or a
NUL (which PostgreSQL refuses in a query), is a 401 like any other wrong credential, not a 500.
"""

import binascii
import re
from hmac import compare_digest

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from rest_framework import authentication, exceptions
from rest_framework_api_key.permissions import KeyParser

from referrals.models import PartnerKey
from referrals.services.roles import ROLE_FIELDS, ROLE_ROWS, role_columns

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
        """knox's check (digest, expiry, an active user) in one query that also reads the user's roles.

        Only a token of a token's shape is looked up. Unlike knox, the user's other expired tokens are not swept on
        every request (a query each time); logging in sweeps them, and an expired token is deleted when it is used.
        """
        if not TOKEN_SHAPE.fullmatch(token):
            raise exceptions.AuthenticationFailed("Invalid token.")
        token = token.decode("ascii")
        try:
            digest = hash_token(token)
        except (TypeError, binascii.Error):
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        rows = (
            get_token_model()
            .objects.filter(token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH])
            .select_related("user")
            .annotate(**role_columns("user__"))
        )
        rows = [row for row in rows if compare_digest(digest, row.digest)]  # one row per membership of its user
        if not rows:
            raise exceptions.AuthenticationFailed("Invalid token.")
        auth_token = rows[0]
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            get_token_model().objects.filter(digest=auth_token.digest).delete()
            raise exceptions.AuthenticationFailed("Invalid token.")
        if knox_settings.AUTO_REFRESH and auth_token.expiry:
            self.renew_token(auth_token)
        user = auth_token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        setattr(user, ROLE_ROWS, [{name: getattr(row, name) for name in ROLE_FIELDS} for row in rows])
        return user, auth_token


class DirectoryTokenScheme(KnoxTokenScheme):
    """Documents DirectoryTokenAuthentication in the OpenAPI schema as knox's token (same scheme name)."""

    # drf-spectacular matches extensions by exact class; knox's own extension does not cover subclasses.
    target_class = "api.authentication.DirectoryTokenAuthentication"
