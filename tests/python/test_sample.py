"""hotcrm.sample_data: deterministic, valid sample records for every object."""

from __future__ import annotations

import pytest

import hotcrm


def test_every_object_gets_valid_records(tmp_path):
    db = hotcrm.open(str(tmp_path / "sample.db"))
    counts = hotcrm.sample_data(db, scale=1, seed=7)
    assert len(counts) == 72
    assert all(rows > 0 for rows in counts.values())
    assert counts["account"] == 100 and counts["opportunity"] == 200
    assert db.count("account") == 100
    assert db.validate("quote") == []
    assert db.count("contact", where="account_id IS NULL") == 0


def test_same_seed_same_data(tmp_path):
    first = hotcrm.open(str(tmp_path / "first.db"))
    second = hotcrm.open(str(tmp_path / "second.db"))
    assert hotcrm.sample_data(first, seed=3) == hotcrm.sample_data(second, seed=3)
    fields = ["name", "amount", "stage", "close_date"]
    rows = [db.query("opportunity", fields=fields).to_pandas().to_dict("records") for db in (first, second)]
    assert rows[0] == rows[1]


def test_sample_records_are_valid_columns(tmp_path):
    with hotcrm.open(tmp_path / "s.db") as db:
        columns = hotcrm.sample_records(db, "lead", 40, seed=5)
        assert len(columns["email"]) == 40 and len(set(columns["email"])) == 40
        assert columns == hotcrm.sample_records(db, "lead", 40, seed=5)
        report = db.import_records("lead", columns)
        assert report.inserted == 40
        some = hotcrm.sample_records(db, "lead", 3, fields=["last_name", "email"])
        assert list(some) == ["last_name", "email"]
        with pytest.raises(hotcrm.UsageError, match="not a generated field"):
            hotcrm.sample_records(db, "lead", 3, fields=["shoe_size"])
        with pytest.raises(hotcrm.UsageError):
            hotcrm.sample_records(db, "lead", -1)
