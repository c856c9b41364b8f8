"""Hostile or garbled requests get a clean JSON 4xx: never a 500, never an HTML page."""

import io
import json
import socket
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.wsgi import get_wsgi_application
from django.test import Client
from rest_framework.test import APIClient

from api.middleware_request import refuse_foreign_charsets
from api.renderers import DirectoryJSONRenderer
from referrals.models import Caseworker, Organization
from tests.helpers import make_user
from tests.servers import gunicorn

ROOT = Path(__file__).resolve().parent.parent
DEEP_LIST = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000
GOOD_PASSWORD = "correct horse battery staple"


def assert_json_error(response, status):
    """The response has this status and a JSON body (a dict, as DRF and our handlers answer)."""
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert isinstance(body, dict) and body, body
    return body


def post_raw(client, path, body, content_type="application/json", **extra):
    """POST bytes as they are: the test client's own JSON encoding cannot even produce these bodies."""
    return client.generic("POST", path, body.encode() if isinstance(body, str) else body, content_type, **extra)


# --- 1. Deeply nested JSON -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/services/search/",
        "/api/v1/auth/login/",
        "/api/v1/auth/signup/provider/",
        "/api/v1/auth/signup/caseworker/",
    ],
)
@pytest.mark.parametrize("body", [DEEP_LIST, DEEP_OBJECT], ids=["list", "object"])
def test_json_nested_a_thousand_deep_is_a_400_not_a_recursion_error(path, body):
    response = post_raw(APIClient(), path, body)
    assert "too deeply" in assert_json_error(response, 400)["detail"]


@pytest.mark.django_db
def test_json_nested_deeper_than_any_request_needs_is_refused_even_below_the_recursion_limit():
    body = '{"lang": ' + "[" * 100 + "]" * 100 + "}"
    response = post_raw(APIClient(), "/api/v1/services/search/", body)
    assert "too deeply" in assert_json_error(response, 400)["detail"]


# --- 2. Lone surrogates ----------------------------------------------------------------------------


SURROGATE_CASES = [
    ("anonymous", "post", "/api/v1/services/search/", lambda w: '{"lang": "\\ud800"}'),
    ("anonymous", "post", "/api/v1/services/search/", lambda w: '{"\\ud800": 1}'),
    ("provider_a", "patch", "/api/v1/services/{w.service_a.pk}/", lambda w: '{"status": "\\udfff"}'),
    ("provider_a", "patch", "/api/v1/services/{w.service_a.pk}/", lambda w: '{"intake": ["\\ud800"]}'),
    ("provider_a", "patch", "/api/v1/locations/{w.house.pk}/", lambda w: '{"location_type": "\\ud800"}'),
    ("provider_a", "patch", "/api/v1/locations/{w.house.pk}/", lambda w: '{"country": "\\ud800"}'),
    ("provider_a", "patch", "/api/v1/phones/{w.phone_a.pk}/", lambda w: '{"type": "\\ud800"}'),
    (
        "provider_a",
        "post",
        "/api/v1/services/{w.service_a.pk}/capacity/",
        lambda w: '{"units": [{"unit": "\\ud800", "available": 1}]}',
    ),
    ("admin_a", "patch", "/api/v1/organizations/{w.org_a.pk}/members/{w.member_id}/", lambda w: '{"role": "\\ud800"}'),
    (
        "provider_a",
        "post",
        "/api/v1/service-translations/",
        lambda w: f'{{"service": "{w.service_a.pk}", "language": "\\ud800", "name": "x"}}',
    ),
    ("provider_a", "post", "/api/v1/service-areas/", lambda w: f'{{"service": "{w.service_a.pk}", "kind": "\\ud800"}}'),
    ("caseworker", "post", "/api/v1/services/{w.service_a.pk}/report/", lambda w: '{"reason": "\\ud800"}'),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("actor", "method", "path", "body"),
    SURROGATE_CASES,
    ids=[f"{method} {path} {index}" for index, (_, method, path, _) in enumerate(SURROGATE_CASES)],
)
def test_a_lone_surrogate_anywhere_in_a_json_body_is_a_400(world, actor, method, path, body):
    world.phone_a = world.service_a.phones.first()
    world.member_id = world.users["provider_a"].pk
    client = world.client_for(actor)
    response = client.generic(method.upper(), path.format(w=world), body(world).encode(), "application/json")
    assert "surrogate" in assert_json_error(response, 400)["detail"]


def test_the_json_renderer_escapes_lone_surrogates_instead_of_failing():
    rendered = DirectoryJSONRenderer().render({"lang": ["\ud800 is not a valid choice."]})
    assert json.loads(rendered) == {"lang": ["\ud800 is not a valid choice."]}
    assert DirectoryJSONRenderer().render({"lang": "ไทย"}).decode() == '{"lang":"ไทย"}'


def test_the_api_renders_with_the_escaping_renderer_and_parses_with_the_strict_parser():
    assert settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"][0] == "api.renderers.DirectoryJSONRenderer"
    assert settings.REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] == ["api.parsers.DirectoryJSONParser"]


# --- 3. Credentials, charsets and body sizes -------------------------------------------------------


BAD_TOKENS = [
    "Token \xff\xfe\xfd\xfc",
    "Token abc\xe9\x80",
    "Token " + "a" * 10 + "\x00" + "b" * 53,
    "Token \x00",
    "Api-Key abcdefgh.\x00secret",
    "Api-Key \x00.x",
    "Api-Key \xff\xfe.\xfd",
]


@pytest.mark.django_db
@pytest.mark.parametrize("header", BAD_TOKENS, ids=[repr(header) for header in BAD_TOKENS])
@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/v1/services/"), ("get", "/api/v1/auth/me/"), ("post", "/api/v1/auth/logout/")],
)
def test_a_credential_with_bytes_no_token_has_is_a_401(header, method, path):
    response = getattr(APIClient(), method)(path, HTTP_AUTHORIZATION=header)
    assert_json_error(response, 401)


@pytest.mark.django_db
@pytest.mark.parametrize("charset", ["zlib", "rot13", "bz2", "base64", "ZLIB", "utf-16", "latin-1", "no-such"])
def test_a_body_declared_in_a_charset_other_than_utf8_is_a_415(charset):
    response = post_raw(
        APIClient(), "/api/v1/services/search/", b'{"q": "shelter"}', f"application/json; charset={charset}"
    )
    assert_json_error(response, 415)


def _call_wsgi(application, method, path, query, content_type):
    """Call a WSGI application as a server would; return (status line, headers, body)."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_TYPE": content_type,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=dict(headers))

    body = b"".join(application(environ, start_response))
    return answer["status"], answer["headers"], body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content_type",
    [f"text/plain; charset={codec}" for codec in ("zlib", "rot13", "bz2", "base64")]
    # A malformed extended parameter, which Django's header parser itself refuses with a ValueError.
    + ["application/json; charset*=a'b'c"],
)
def test_a_get_declaring_a_binary_codec_or_a_garbled_charset_is_a_415(content_type):
    # Django fails on these while it builds the request (before any middleware, and inside the test client):
    # the WSGI entry point's guard answers first.
    application = refuse_foreign_charsets(get_wsgi_application())
    status, headers, body = _call_wsgi(application, "GET", "/api/v1/services/", "q=shelter", content_type)
    assert status.startswith("415 ")
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["detail"]


@pytest.mark.parametrize(
    "content_type", ["text/plain; charset=utf-8", "application/json; charset=UTF8", "", "text/csv"]
)
def test_the_wsgi_charset_guard_lets_utf8_and_undeclared_requests_through(content_type):
    def application(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"reached"]

    status, _, body = _call_wsgi(
        refuse_foreign_charsets(application), "GET", "/api/v1/services/", "q=shelter", content_type
    )
    assert (status, body) == ("200 OK", b"reached")


@pytest.mark.django_db
@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", "utf8", '"utf-8"'])
def test_a_body_declared_as_utf8_is_read(charset):
    response = post_raw(APIClient(), "/api/v1/services/search/", b"{}", f"application/json; charset={charset}")
    assert response.status_code == 200, response.content[:300]


@pytest.mark.django_db
def test_a_body_over_the_size_limit_is_a_413_before_it_is_parsed():
    body = json.dumps({"q": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    response = post_raw(APIClient(), "/api/v1/services/search/", body)
    assert_json_error(response, 413)


@pytest.mark.django_db
def test_the_size_limit_is_the_configured_one(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = post_raw(APIClient(), "/api/v1/services/search/", json.dumps({"q": "y" * 200}))
    assert_json_error(response, 413)
    response = post_raw(APIClient(), "/api/v1/services/search/", "{}")
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("length", ["abc", "-5", "1e3", "0x10"])
def test_a_content_length_that_is_not_a_whole_number_is_a_400(length):
    response = post_raw(APIClient(), "/api/v1/services/search/", "{}", CONTENT_LENGTH=length)
    assert "Content-Length" in assert_json_error(response, 400)["detail"]


# --- 4. Django's own refusals ------------------------------------------------------------------------


@pytest.mark.django_db
def test_more_than_a_thousand_query_parameters_is_a_json_400():
    assert not settings.DEBUG
    query = "&".join(f"a{index}=1" for index in range(1001))
    assert_json_error(APIClient().get(f"/api/v1/services/?{query}"), 400)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/services/", "/healthz", "/admin/"])
def test_a_foreign_host_header_is_a_json_400(path):
    assert_json_error(APIClient().get(path, HTTP_HOST="evil.example.com"), 400)


@pytest.mark.django_db
def test_a_failed_csrf_check_is_a_json_403():
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "x", "password": "y"})
    assert_json_error(response, 403)


# --- 5. gunicorn's own refusals ------------------------------------------------------------------------


def _raw_request(port: int, request: bytes) -> tuple[str, bytes]:
    """Send bytes as they are; return the status line and the body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
        conn.sendall(request)
        received = b""
        while chunk := conn.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0].decode("latin-1"), body


@pytest.fixture
def gunicorn_port():
    """A gunicorn with the JSON-error worker on the test database; yields its port."""
    with gunicorn(arguments=["--worker-class", "config.gunicorn_workers.JSONErrorThreadWorker"]) as port:
        yield port


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_gunicorn_refusals_of_oversized_request_lines_headers_and_charsets_are_json(gunicorn_port):
    long_line = b"GET /api/v1/services/?q=" + b"a" * 9000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    many_headers = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    many_headers += b"".join(b"X-Filler-%d: %d\r\n" % (index, index) for index in range(200)) + b"\r\n"
    garbled = b"\x01\x02 / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    zlib_get = b"GET /api/v1/services/?q=x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain; charset=zlib\r\n"
    zlib_get += b"Connection: close\r\n\r\n"
    for request in (long_line, many_headers, garbled, zlib_get):
        status, body = _raw_request(gunicorn_port, request)
        code = int(status.split(" ")[1])
        assert 400 <= code < 500, status
        assert isinstance(json.loads(body)["detail"], str), body


# --- 6. Sign-up never tells whether a username exists ---------------------------------------------------


def _signup(kind, username, email="someone@example.org", password=GOOD_PASSWORD):
    body = {"username": username, "password": password, "email": email}
    body.update({"agency": "Unit 7"} if kind == "caseworker" else {"organization_name": f"{username} Trust"})
    return APIClient().post(f"/api/v1/auth/signup/{kind}/", body, format="json")


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["provider", "caseworker"])
def test_signup_answers_a_taken_username_exactly_like_a_new_one(kind):
    make_user("Taken-Name")
    new = _signup(kind, "fresh-name")
    taken = _signup(kind, "taken-name")
    assert new.status_code == taken.status_code == 202
    assert new.json() == taken.json()
    assert "email" in new.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["provider", "caseworker"])
def test_signup_with_a_taken_username_creates_nothing_and_says_so_by_email(kind):
    existing = make_user("taken-name")
    users, organizations = get_user_model().objects.count(), Organization.objects.count()
    caseworkers = Caseworker.objects.count()
    mail.outbox.clear()
    _signup(kind, "taken-name", email="newcomer@example.org")
    assert get_user_model().objects.count() == users
    assert Organization.objects.count() == organizations
    assert Caseworker.objects.count() == caseworkers
    existing.refresh_from_db()
    assert existing.email == "taken-name@example.org"
    [message] = mail.outbox
    assert message.to == ["newcomer@example.org"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert "taken" in message.body and "another" in message.body


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["provider", "caseworker"])
def test_signup_with_a_new_username_registers_and_mails_that_vetting_follows(kind):
    mail.outbox.clear()
    _signup(kind, "new-name", email="new@example.org")
    user = get_user_model().objects.get(username="new-name")
    assert user.email == "new@example.org"
    if kind == "provider":
        assert not Organization.objects.get(name="new-name Trust").vetted
    else:
        assert not Caseworker.objects.get(user=user).vetted
    [message] = mail.outbox
    assert message.to == ["new@example.org"]
    assert "registered" in message.body and "vet" in message.body
    login = APIClient().post("/api/v1/auth/login/", {"username": "new-name", "password": GOOD_PASSWORD}, format="json")
    assert login.status_code == 200, login.content


@pytest.mark.django_db
def test_signup_still_refuses_a_weak_password_whether_or_not_the_username_is_taken():
    make_user("taken-name")
    for username in ("taken-name", "fresh-name"):
        response = _signup("caseworker", username, password="password")
        assert "password" in assert_json_error(response, 400)
    assert not mail.outbox
