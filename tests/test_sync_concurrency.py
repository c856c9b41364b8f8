"""The sync sequence under concurrent writers: versions become visible in order (PostgreSQL, real transactions)."""

import threading

import pytest
from django.db import connection, connections, transaction  # noqa: F401 (connection: the skip condition)

from referrals.models import Service
from referrals.services import sync
from referrals.services.roles import PUBLIC
from tests.helpers import make_organization, make_service

pytestmark = [
    # serialized_rollback: another transactional test may have flushed the vocabularies the migrations seed.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks across connections: PostgreSQL"),
]


def test_a_slow_writer_holds_back_later_versions_until_it_commits():
    org = make_organization()
    first, second = make_service(org, name="first"), make_service(org, name="second")
    start = sync.current_version()
    holding, release, second_done = threading.Event(), threading.Event(), threading.Event()

    def slow_writer():
        try:
            with transaction.atomic():
                sync.touch_services([first.pk])
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    def quick_writer():
        try:
            sync.touch_services([second.pk])
            second_done.set()
        finally:
            connections.close_all()

    slow = threading.Thread(target=slow_writer)
    slow.start()
    assert holding.wait(10)
    quick = threading.Thread(target=quick_writer)
    quick.start()
    # The quick writer waits for the counter; readers see neither change yet.
    assert not second_done.wait(0.5)
    assert sync.current_version() == start
    page = sync.read_page(PUBLIC, sync.Region(), sync.Position(), 50)
    assert page.position.watermark == start  # a cursor taken now resumes after `start`, before both changes
    release.set()
    slow.join(10)
    quick.join(10)
    assert second_done.is_set()
    versions = dict(Service.objects.filter(pk__in=[first.pk, second.pk]).values_list("pk", "sync_version"))
    assert start < versions[first.pk] < versions[second.pk] == sync.current_version()
