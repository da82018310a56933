"""Several connections on one file: a stale version is a ConflictError, a lock held past the busy
timeout is a BusyError (a StoreError) that leaves the data unchanged, and threads incrementing with
the version lose no update."""

from __future__ import annotations

import threading
import time

import pytest

import hotcrm

COUNTER = [{"name": "counter", "fields": [
    {"name": "label", "type": "text", "required": True},
    {"name": "value", "type": "number"},
]}]


@pytest.fixture
def counter_file(tmp_path):
    path = tmp_path / "counters.db"
    with hotcrm.open(path, COUNTER, id_seed=1) as db:
        counter = db.insert("counter", {"label": "c", "value": 0})
    return path, counter


def test_stale_version_is_a_conflict_and_changes_nothing(counter_file):
    path, counter = counter_file
    with hotcrm.open(path, id_seed=2) as alice, hotcrm.open(path, id_seed=3) as bob:
        version = bob.get("counter", counter)["version"]
        assert alice.update("counter", counter, {"value": 5}, expected_version=version) == version + 1
        with pytest.raises(hotcrm.ConflictError) as caught:
            bob.update("counter", counter, {"value": 1}, expected_version=version)
        assert caught.value.code == hotcrm.ErrorCode.conflict
        assert f"version {version + 1} is stored" in str(caught.value)
        assert bob.get("counter", counter)["value"] == 5
        fresh = bob.get("counter", counter)["version"]
        bob.update("counter", counter, {"value": 6}, expected_version=fresh)
        assert alice.get("counter", counter)["value"] == 6


def test_lock_held_past_the_busy_timeout_is_a_busy_error(counter_file):
    path, counter = counter_file
    with hotcrm.open(path, id_seed=2) as holder, hotcrm.open(path, id_seed=3, busy_timeout_ms=50) as waiter:
        with pytest.raises(ZeroDivisionError):
            with holder.transaction():
                holder.update("counter", counter, {"value": 99})
                with pytest.raises(hotcrm.BusyError) as caught:
                    waiter.update("counter", counter, {"value": 1})
                assert isinstance(caught.value, hotcrm.StoreError)
                assert caught.value.code == 4006
                assert caught.value.code_name == "store.busy"
                assert caught.value.code == hotcrm.ErrorCode.busy
                assert "busy_timeout_ms" in str(caught.value)
                with pytest.raises(hotcrm.BusyError):
                    waiter.insert("counter", {"label": "late"})
                assert waiter.get("counter", counter)["value"] == 0  # readers see the committed state
                1 / 0  # the holder gives up: nothing of either connection was written
        assert waiter.count("counter") == 1
        assert waiter.get("counter", counter)["value"] == 0
        waiter.update("counter", counter, {"value": 1})  # the lock is free again
        assert holder.get("counter", counter)["value"] == 1


def test_threads_incrementing_with_the_version_lose_no_update(counter_file):
    path, counter = counter_file
    per_thread = 15
    conflicts = []

    def work(seed: int) -> None:
        with hotcrm.open(path, id_seed=seed) as db:
            for _ in range(per_thread):
                while True:
                    record = db.get("counter", counter)
                    time.sleep(0.0005)  # let the other threads in between read and write
                    try:
                        db.update("counter", counter, {"value": record["value"] + 1},
                                  expected_version=record["version"])
                        break
                    except hotcrm.ConflictError:
                        conflicts.append(seed)

    threads = [threading.Thread(target=work, args=(10 + i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with hotcrm.open(path) as db:
        record = db.get("counter", counter)
    assert record["value"] == 3 * per_thread
    assert record["version"] == 1 + 3 * per_thread
    assert conflicts  # the threads did race
