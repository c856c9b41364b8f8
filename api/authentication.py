"""Partner apps authenticate with `Authorization: Api-Key <key>` (djangorestframework-api-key, stored hashed);
people with `Authorization: Token <token>` (django-rest-knox).

A token's look-up is one query that also brings its user's roles (`referrals.services.roles.role_columns`), so a
signed-in reader costs one query more than an anonymous one and every role is read fresh on each request. Django
writes that query once per database (`_token_query`) and PostgreSQL plans it once per connection (`prepared`:
planning was 0.47 of its 0.8 ms); each request only runs it with its token's key.

Both check a credential's characters before any database look-up: a header with bytes that are not UTF-8, or a
NUL (which PostgreSQL refuses in a query), is a 401 like any other wrong credential, not a 500.
"""

import binascii
import functools
import re
from dataclasses import dataclass
from hmac import compare_digest

from django.contrib.auth.models import AnonymousUser
from django.db import connections, router
from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from rest_framework import authentication, exceptions
from rest_framework_api_key.permissions import KeyParser

from referrals.models import PartnerKey
from referrals.services import prepared
from referrals.services.page_loading import convert, db_converters
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
        rows = _token_rows(token[: CONSTANTS.TOKEN_KEY_LENGTH])
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


# Stands for a token's key while Django writes the query; never sent (a key has no NUL).
_KEY = "\x00token key"


@dataclass(frozen=True)
class _TokenQuery:
    """The tokens of one key with their users and roles, as Django writes it (`_token_query`), and where each part
    of a row is."""

    sql: str
    params: tuple  # with _KEY where the token's key goes
    columns: tuple  # the selected expressions, for their converters
    token: tuple  # (positions, attnames) of the token's columns
    user: tuple  # the same of its user's
    roles: tuple  # (name, position) of each role column


@functools.cache
def _token_query(alias: str, vendor: str) -> _TokenQuery:
    """`AuthToken.objects.filter(token_key=...).select_related("user").annotate(**role_columns("user__"))`, compiled
    once for the database (compiling it took more than the query on every signed-in request: about 1.5 ms)."""
    tokens = (
        get_token_model()
        .objects.using(alias)
        .filter(token_key=_KEY)
        .select_related("user")
        .annotate(**role_columns("user__"))
    )
    compiler = tokens.query.get_compiler(alias)
    sql, params = compiler.as_sql()
    select = [expression for expression, _, _ in compiler.select]

    def part(positions):
        return tuple(positions), tuple(select[position].target.attname for position in positions)

    (user,) = compiler.klass_info["related_klass_infos"]
    return _TokenQuery(
        sql=sql,
        params=tuple(params),
        columns=tuple(select),
        token=part(compiler.klass_info["select_fields"]),
        user=part(user["select_fields"]),
        roles=tuple((name, compiler.annotation_col_map[name]) for name in ROLE_FIELDS),
    )


def _token_rows(key: str) -> list:
    """The tokens of this key, one per membership of its user, each with its user and the role columns (as the
    query set of `_token_query` would give them)."""
    Token = get_token_model()
    alias = router.db_for_read(Token)
    connection = connections[alias]
    query = _token_query(alias, connection.vendor)
    rows = prepared.fetchall(alias, query.sql, [key if param == _KEY else param for param in query.params], "token")
    converters = db_converters(query.columns, alias)
    tokens = []
    for row in rows:
        row = convert(list(row), converters, alias)
        token = Token.from_db(alias, query.token[1], [row[position] for position in query.token[0]])
        user = Token.user.field.related_model.from_db(alias, query.user[1], [row[p] for p in query.user[0]])
        Token.user.field.set_cached_value(token, user)
        for name, position in query.roles:
            setattr(token, name, row[position])
        tokens.append(token)
    return tokens


class DirectoryTokenScheme(KnoxTokenScheme):
    """Documents DirectoryTokenAuthentication in the OpenAPI schema as knox's token (same scheme name)."""

    # drf-spectacular matches extensions by exact class; knox's own extension does not cover subclasses.
    target_class = "api.authentication.DirectoryTokenAuthentication"
