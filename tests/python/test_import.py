"""import_records: lists of dicts, dicts of columns, DataFrames (NaN / None / NaT), skip vs abort."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

import hotcrm
from conftest import lead


def test_list_of_dicts(tmp_db):
    report = tmp_db.import_records("lead", [lead(i) for i in range(25)], chunk_rows=10)
    assert report.inserted == 25 and report.rejected == [] and report.rejected_rows == 0
    assert len(report.ids) == 25 and len(set(report.ids)) == 25
    assert tmp_db.get("lead", report.ids[3])["last_name"] == "Name0003"
    assert repr(report) == "<hotcrm.ImportReport inserted=25 rejected_rows=0>"


def test_missing_keys_take_defaults(tmp_db):
    report = tmp_db.import_records("lead", [lead(1, status="contacted"), lead(2), {}, lead(3)], on_error="skip")
    assert report.inserted == 3
    statuses = [tmp_db.get("lead", i)["status"] for i in report.ids]
    assert statuses == ["contacted", "new", "new"]
    assert [e["row"] for e in report.rejected] == [2, 2]  # the empty record lacks last_name and company


def test_skip_reports_rows(tmp_db):
    rows = [lead(0), lead(1, email="bad"), lead(2), lead(3, email="user0@example.com"), lead(4, status="x")]
    report = tmp_db.import_records("lead", rows, on_error="skip", chunk_rows=2)
    assert report.inserted == 2
    assert report.rejected_rows == 3
    assert [(e["row"], e["field"], e["code"]) for e in report.rejected] == [
        (1, "email", "format"), (3, "email", "unique"), (4, "status", "picklist")]
    assert set(report.rejected[0]) == {"row", "object", "field", "rule", "code", "message"}
    assert tmp_db.count("lead") == 2


def test_abort_writes_nothing(tmp_db, db_path):
    rows = [lead(i) for i in range(30)]
    rows[25]["email"] = "broken"
    rows[3]["last_name"] = None
    with pytest.raises(hotcrm.ValidationError) as info:
        tmp_db.import_records("lead", rows, chunk_rows=10)  # abort is the default
    assert [(e["row"], e["field"]) for e in info.value.errors] == [(3, "last_name"), (25, "email")]
    assert tmp_db.count("lead") == 0
    with hotcrm.open(db_path) as again:
        assert again.count("lead") == 0


def test_dataframe_with_nan_none_nat(tmp_db):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({
        "last_name": ["A", "B", "C", "D"],
        "company": ["X", "Y", "Z", "W"],
        "email": ["a@x.io", None, "c@z.io", np.nan],
        "phone": [None, "+1 555 0102", None, "+1 555 0104"],  # a lead needs an e-mail or a phone
        "annual_revenue": [1000.5, np.nan, 0.1, 2e6],
        "number_of_employees": pd.array([10, None, 30, 40], dtype="Int64"),
        "is_in_public_pool": pd.array([True, None, False, True], dtype="boolean"),
        "pool_entry_date": pd.to_datetime(["2024-01-02 03:04:05", None, "2024-02-03", None]),
        "industry": pd.Categorical(["finance", "retail", None, "finance"]),
        "lead_score": np.array([1, 2, 3, 4], dtype=np.int32),
    })
    report = tmp_db.import_records("lead", df)
    assert report.inserted == 4, report.rejected
    rows = [tmp_db.get("lead", i) for i in report.ids]
    assert [r["email"] for r in rows] == ["a@x.io", None, "c@z.io", None]
    assert [r["annual_revenue"] for r in rows] == [Decimal("1000.50"), None, Decimal("0.10"), Decimal("2000000.00")]
    assert [r["number_of_employees"] for r in rows] == [10, None, 30, 40]
    # On insert a null takes the field's default (false), as an absent value would.
    assert [r["is_in_public_pool"] for r in rows] == [True, False, False, True]
    assert rows[0]["pool_entry_date"] == dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    assert rows[1]["pool_entry_date"] is None
    assert [r["industry"] for r in rows] == ["finance", "retail", None, "finance"]
    assert [r["lead_score"] for r in rows] == [1, 2, 3, 4]


def test_dataframe_round_trip(tmp_db):
    pd = pytest.importorskip("pandas")
    n = 500
    df = pd.DataFrame({
        "last_name": [f"L{i}" for i in range(n)],
        "company": "Acme",
        "email": [f"e{i}@acme.io" for i in range(n)],
        "annual_revenue": np.arange(n) * 1.25,
        "number_of_employees": np.arange(n, dtype=np.int64),
    })
    assert tmp_db.import_records("lead", df, chunk_rows=128).inserted == n
    out = tmp_db.query("lead", order_by=["number_of_employees"],
                       fields=["last_name", "email", "annual_revenue", "number_of_employees"]).to_pandas()
    pd.testing.assert_frame_equal(out, df[["last_name", "email", "annual_revenue", "number_of_employees"]])


def test_dataframe_cell_that_cannot_convert_in_a_later_chunk_writes_nothing(tmp_db):
    # Chunks are converted one ahead of the one being written, on another thread: the error of a
    # later chunk still reaches the caller, names the column, and the import keeps nothing.
    pd = pytest.importorskip("pandas")
    n = 600
    companies = ["Acme"] * n
    companies[450] = object()  # not text, number, date or None
    df = pd.DataFrame({"last_name": [f"L{i}" for i in range(n)], "company": companies,
                       "email": [f"e{i}@acme.io" for i in range(n)]})
    with pytest.raises(hotcrm.UsageError, match="company"):
        tmp_db.import_records("lead", df, chunk_rows=128)
    assert tmp_db.count("lead") == 0
    assert tmp_db.import_records("lead", df.drop(index=450), chunk_rows=128).inserted == n - 1


def test_dataframe_skip_and_abort(tmp_db):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"last_name": ["A", None, "C"], "company": ["X", "Y", "Z"],
                       "email": ["a@x.io", "b@y.io", "not-an-email"]})
    with pytest.raises(hotcrm.ValidationError) as info:
        tmp_db.import_records("lead", df, on_error="abort")
    assert sorted(e["row"] for e in info.value.errors) == [1, 2]
    assert tmp_db.count("lead") == 0
    report = tmp_db.import_records("lead", df, on_error="skip")
    assert report.inserted == 1 and report.rejected_rows == 2
    assert tmp_db.count("lead") == 1


def test_dict_of_columns_and_dates(ticket_db):
    report = ticket_db.import_records("ticket", {
        "subject": ["a", "b", "c"],
        "due": np.array(["2024-01-01", "NaT", "1960-12-31"], dtype="datetime64[D]"),
        "opened": [dt.datetime(2024, 1, 1, 9), None, "2024-01-03T10:00:00Z"],
        "amount": [Decimal("0.10"), None, 3],
        "tags": [["bug", "vip"], None, []],
    })
    assert report.inserted == 3
    rows = [ticket_db.get("ticket", i) for i in report.ids]
    assert [r["due"] for r in rows] == [dt.date(2024, 1, 1), None, dt.date(1960, 12, 31)]
    assert rows[2]["opened"] == dt.datetime(2024, 1, 3, 10, tzinfo=dt.timezone.utc)
    assert [r["amount"] for r in rows] == [Decimal("0.10"), None, Decimal("3.00")]
    assert rows[0]["tags"] == ["bug", "vip"]


def test_bad_inputs(tmp_db):
    with pytest.raises(hotcrm.UsageError, match="insert"):
        tmp_db.import_records("lead", {"last_name": "Ng", "company": "Acme"})
    with pytest.raises(hotcrm.UsageError):
        tmp_db.import_records("lead", "not rows")
    with pytest.raises(hotcrm.UsageError, match="values"):
        tmp_db.import_records("lead", {"last_name": ["a", "b"], "company": ["x"]})
    with pytest.raises(hotcrm.ValidationError, match="not a field"):
        tmp_db.import_records("lead", [{"last_name": "a", "company": "b", "nope": 1}])
    with pytest.raises(hotcrm.UsageError, match="timedelta|unsupported"):
        tmp_db.import_records("lead", {"last_name": np.array([1, 2], dtype="timedelta64[s]")})
    empty = tmp_db.import_records("lead", [])
    assert empty.inserted == 0


def test_progress_and_cancel(tmp_db):
    calls = []
    report = tmp_db.import_records("lead", [lead(i) for i in range(25)], chunk_rows=10,
                                   on_progress=lambda done, total: calls.append((done, total)))
    assert report.inserted == 25 and calls == [(10, 25), (20, 25), (25, 25)]
    with pytest.raises(hotcrm.CancelledError) as info:
        tmp_db.import_records("lead", [lead(100 + i) for i in range(25)], chunk_rows=10,
                              on_progress=lambda done, total: done < 20)
    assert info.value.code == hotcrm.ErrorCode.cancelled
    assert tmp_db.count("lead") == 25


def test_exception_in_progress_callback_rolls_back(tmp_db):
    def boom(done, total):
        raise KeyError("stop")
    with pytest.raises(KeyError):
        tmp_db.import_records("lead", [lead(i) for i in range(5)], on_progress=boom)
    assert tmp_db.count("lead") == 0
