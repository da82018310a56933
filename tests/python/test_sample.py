"""hotcrm.sample_data: deterministic, valid sample records for every object."""

from __future__ import annotations

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
