"""with db.transaction(): commit, rollback on exception, nesting."""

from __future__ import annotations

import threading

import pytest

import hotcrm
from conftest import lead


def test_commit(tmp_db):
    with tmp_db.transaction() as tx:
        assert tx.active
        tmp_db.insert("lead", lead(1))
        tmp_db.insert("lead", lead(2))
    assert not tx.active
    assert tmp_db.count("lead") == 2


def test_rollback_on_exception(tmp_db, db_path):
    tmp_db.insert("lead", lead(0))
    with pytest.raises(ZeroDivisionError):
        with tmp_db.transaction():
            tmp_db.insert("lead", lead(1))
            tmp_db.update("lead", tmp_db.query("lead", limit=1)[0]["id"], {"title": "changed"})
            1 / 0
    assert tmp_db.count("lead") == 1
    assert tmp_db.query("lead")[0]["title"] is None
    with hotcrm.open(db_path) as again:
        assert again.count("lead") == 1


def test_rollback_on_hotcrm_error_inside(tmp_db):
    with pytest.raises(hotcrm.ConflictError):
        with tmp_db.transaction():
            tmp_db.insert("lead", lead(1, email="same@example.com"))
            tmp_db.insert("lead", lead(2, email="same@example.com"))
    assert tmp_db.count("lead") == 0


def test_nested_transactions_use_savepoints(tmp_db):
    with tmp_db.transaction():
        tmp_db.insert("lead", lead(1))
        with pytest.raises(KeyError):
            with tmp_db.transaction():
                tmp_db.insert("lead", lead(2))
                raise KeyError("inner")
        tmp_db.insert("lead", lead(3))
    assert sorted(r["last_name"] for r in tmp_db.query("lead")) == ["Name0001", "Name0003"]


def test_session_writes_join_the_transaction(tmp_db):
    s = tmp_db.session(user="u-1")
    with pytest.raises(RuntimeError):
        with tmp_db.transaction():
            s.insert("lead", lead(1))
            raise RuntimeError("boom")
    assert tmp_db.count("lead") == 0


def test_import_inside_transaction_rolls_back(tmp_db):
    with pytest.raises(ValueError):
        with tmp_db.transaction():
            report = tmp_db.import_records("lead", [lead(i) for i in range(10)])
            assert report.inserted == 10
            raise ValueError
    assert tmp_db.count("lead") == 0


def test_transaction_reserves_the_database_for_its_thread(tmp_db):
    inserted_inside = threading.Event()
    done = []

    def other():
        tmp_db.insert("lead", lead(99))  # waits until the transaction ends (GIL released meanwhile)
        done.append(True)

    with tmp_db.transaction():
        tmp_db.insert("lead", lead(1))
        t = threading.Thread(target=other)
        t.start()
        inserted_inside.set()
        t.join(timeout=0.3)
        assert not done  # still blocked
    t.join(timeout=10)
    assert done and tmp_db.count("lead") == 2


def test_misuse(tmp_db):
    tx = tmp_db.transaction()
    with pytest.raises(hotcrm.UsageError):
        tx.__exit__(None, None, None)
    with tx:
        with pytest.raises(hotcrm.UsageError):
            tx.__enter__()
    assert "inactive" in repr(tx)
