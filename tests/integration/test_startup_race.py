"""Web processes starting together load the same processes and settings without colliding."""

import threading

from engine import services
from engine.store.uow import UnitOfWorkFactory
from tests.conftest import PROCESSES


def test_processes_loaded_by_four_starters_at_once_make_one_version(uow_factory, clock):
    barrier, errors, results = threading.Barrier(4), [], []

    def start():
        factory = UnitOfWorkFactory(uow_factory.url)
        barrier.wait()
        try:
            results.append(services.load_process_directory(factory(), clock, PROCESSES))
        except Exception as err:  # collected: the assertion below names it
            errors.append(err)
        finally:
            factory.engine.dispose()

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert {r[0]["version"] for r in results} == {1}
    stored = services.get_process(uow_factory(), "lay_y_kien_phoi_hop")["versions"]
    assert [v["version"] for v in stored] == [1]


def test_settings_are_upserted(uow_factory):
    for value in ("a", "b"):
        with uow_factory() as uow:
            uow.settings.put("calendar_fingerprint", value)
            uow.commit()
    with uow_factory() as uow:
        assert uow.settings.get("calendar_fingerprint") == "b"
