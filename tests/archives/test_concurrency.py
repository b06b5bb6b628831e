import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from tests.archives.factories import archive_input, new_id
from tests.conftest import actor_of
from warmth.archives.models import Archive, ArchivePerson
from warmth.archives.services import archive_file


@pytest.mark.django_db(transaction=True)
def test_concurrent_filings_of_the_same_id_leave_exactly_one_live_archive(users, tree):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (SQLite serializes writers)")
    same_id = new_id(born=__import__("datetime").date(1971, 2, 3))
    workers = 8
    barrier = threading.Barrier(workers)
    results: list[str] = []

    def file_one(n):
        try:
            barrier.wait(timeout=10)
            archive_file(actor=actor_of(users.county), org=tree.k1,
                         data=archive_input(id_number=same_id, member_count=0, name=f"并发{n}"))
            results.append("ok")
        except ValidationError as exc:
            results.append(exc.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=file_one, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert results.count("ok") == 1, results
    assert all("档案" in r or "建档" in r for r in results if r != "ok")
    assert Archive.objects.count() == 1
    assert ArchivePerson.objects.filter(live=True).count() == 1
