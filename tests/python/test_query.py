"""query / count / aggregate and the numpy / pandas conversions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

import hotcrm
from conftest import lead


@pytest.fixture
def leads(tmp_db):
    rows = [
        lead(1, status="contacted", annual_revenue=Decimal("5000000"), number_of_employees=50),
        lead(2, status="contacted", annual_revenue=Decimal("2500000.50"), number_of_employees=20),
        lead(3, status="contacted", annual_revenue=Decimal("900000")),
        lead(4, status="new", annual_revenue=Decimal("8000000"), number_of_employees=5),
        lead(5, status="contacted", annual_revenue=Decimal("2500000.50"), number_of_employees=7),
        lead(6, status="qualified"),
    ]
    for row in rows:
        tmp_db.insert("lead", row)
    return tmp_db


def test_issue_query(leads):
    res = leads.query("lead", where="status = 'contacted' AND annual_revenue > 1000000",
                      order_by=["-annual_revenue", "last_name"], limit=50, fields=["last_name", "annual_revenue"])
    assert len(res) == 3 and bool(res)
    assert res.fields == ["last_name", "annual_revenue"]
    rows = list(res)
    assert rows == [
        {"last_name": "Name0001", "annual_revenue": Decimal("5000000.00")},
        {"last_name": "Name0002", "annual_revenue": Decimal("2500000.50")},
        {"last_name": "Name0005", "annual_revenue": Decimal("2500000.50")},
    ]
    assert res[0] == rows[0] and res[-1] == rows[-1]
    with pytest.raises(IndexError):
        res[3]
    assert res.kinds == {"last_name": "text", "annual_revenue": "decimal"}
    assert "rows=3" in repr(res)
    revenue = res.to_numpy("annual_revenue")
    assert revenue.dtype == np.float64
    assert revenue.tolist() == [5000000.0, 2500000.5, 2500000.5]
    assert res.to_numpy(0).dtype == object


def test_order_by_string_and_offset(leads):
    res = leads.query("lead", order_by="-number_of_employees,last_name", fields=["last_name"], offset=1, limit=2)
    assert [r["last_name"] for r in res] == ["Name0002", "Name0005"]


def test_keyset_pagination(leads):
    seen = []
    cursor = None
    while True:
        page = leads.query("lead", order_by=["last_name"], limit=4, after=cursor, fields=["last_name"])
        if not page:
            assert page.next_cursor is None
            break
        seen += [r["last_name"] for r in page]
        cursor = page.next_cursor
    assert seen == [f"Name{i:04d}" for i in range(1, 7)]


def test_all_fields_and_where_variants(leads):
    res = leads.query("lead")
    assert len(res) == 6 and res.fields[:2] == ["id", "created_at"]
    assert leads.count("lead") == 6
    assert leads.count("lead", where="number_of_employees IS NULL") == 2
    assert leads.count("lead", where="status IN ('new', 'qualified')") == 2
    assert leads.count("lead", where="last_name STARTS_WITH 'Name000' AND NOT status = 'new'") == 5
    assert leads.count("lead", where="") == 6


def test_to_numpy_dtypes(leads):
    res = leads.query("lead", order_by=["last_name"])
    emp = res.to_numpy("number_of_employees")  # has nulls
    assert emp.dtype == np.float64 and np.isnan(emp[2]) and emp[0] == 50
    score = res.to_numpy("lead_score")  # integer, no nulls
    assert score.dtype == np.int64
    assert res.to_numpy("is_in_public_pool").dtype == np.bool_
    created = res.to_numpy("created_at")
    assert created.dtype == np.dtype("datetime64[us]")
    assert np.isnat(res.to_numpy("claimed_date")).all()
    rev = res.to_numpy("annual_revenue")
    assert np.isnan(rev[5])
    assert res.to_numpy("last_name").dtype == object
    with pytest.raises(hotcrm.UsageError, match="not a field"):
        res.to_numpy("nope")


def test_to_numpy_all_kinds(ticket_db):
    ticket_db.insert("ticket", {"subject": "a", "due": dt.date(2024, 1, 2), "urgent": True, "seats": 3,
                                "tags": ["bug"], "score": 1.5})
    ticket_db.insert("ticket", {"subject": "b"})
    res = ticket_db.query("ticket", order_by=["subject"])
    due = res.to_numpy("due")
    assert due.dtype == np.dtype("datetime64[D]")
    assert due[0] == np.datetime64("2024-01-02") and np.isnat(due[1])
    urgent = res.to_numpy("urgent")
    assert urgent.dtype == object and urgent.tolist() == [True, None]
    assert res.to_numpy("seats").dtype == np.float64
    assert res.to_numpy("tags").tolist() == [["bug"], None]
    assert res.to_numpy("score").tolist()[0] == 1.5


def test_to_pandas_dtypes(ticket_db):
    pd = pytest.importorskip("pandas")
    ticket_db.insert("ticket", {"subject": "a", "due": dt.date(2024, 1, 2), "urgent": True, "seats": 3,
                                "amount": Decimal("10.10"), "opened": dt.datetime(2024, 1, 2, 3, 4, 5)})
    ticket_db.insert("ticket", {"subject": "b", "amount": Decimal("0.20")})
    res = ticket_db.query("ticket", order_by=["subject"],
                          fields=["subject", "seats", "urgent", "amount", "due", "opened", "score", "version",
                                  "tags"])
    df = res.to_pandas()
    assert list(df.columns) == res.fields
    assert len(df) == 2
    dtypes = {k: str(v) for k, v in df.dtypes.items()}
    assert dtypes == {"subject": "object", "seats": "Int64", "urgent": "boolean", "amount": "float64",
                      "due": "datetime64[ns]", "opened": "datetime64[ns, UTC]", "score": "float64",
                      "version": "int64", "tags": "object"}
    assert df["seats"].isna().tolist() == [False, True]
    assert df["opened"][0] == pd.Timestamp("2024-01-02 03:04:05", tz="UTC")
    exact = res.to_pandas(decimals="object")
    assert exact["amount"].tolist() == [Decimal("10.10"), Decimal("0.20")]
    assert exact["amount"].dtype == object
    with pytest.raises(hotcrm.UsageError):
        res.to_pandas(decimals="double")
    empty = ticket_db.query("ticket", where="subject = 'zzz'", fields=["seats", "amount"]).to_pandas()
    assert len(empty) == 0 and list(empty.columns) == ["seats", "amount"]


def test_to_pandas_text_cells_and_owned_columns(ticket_db):
    pd = pytest.importorskip("pandas")
    # Text cells: null, empty, non-ASCII and repeated values, in the columnar path that reads them.
    subjects = ["b", "a", "Zoë ☃", "a", "x" * 80]
    codes = ["k1", None, "Zoë ☃", "y" * 200, None]
    ticket_db.import_records("ticket", {"subject": subjects, "code": codes, "seats": [1, None, 3, 4, 5]})
    ticket_db.insert("ticket", {"subject": "only", "tags": ["bug"]})
    res = ticket_db.query("ticket", fields=["subject", "code", "seats", "tags"])
    df = res.to_pandas()
    assert df["subject"].tolist() == subjects + ["only"]
    assert df["code"].tolist() == codes + [None]
    assert df["seats"].isna().tolist() == [False, True, False, False, False, True]
    assert df["tags"].tolist() == [None] * 5 + [["bug"]]
    # The frame owns its arrays (built without a copy): changing it changes neither the result nor
    # a second frame of the same result.
    df.loc[0, "subject"] = "changed"
    df["seats"] = df["seats"].fillna(0) * 2
    again = res.to_pandas()
    assert again["subject"].tolist() == subjects + ["only"]
    assert again["seats"].tolist()[:1] == [1]
    assert res[0]["subject"] == "b"


def test_count_and_aggregate(leads):
    agg = leads.aggregate("lead", group_by=["status"], aggregates=[("sum", "annual_revenue"), ("count", None),
                                                                  ("avg", "number_of_employees", "avg_emp")],
                          where="status != 'qualified'")
    assert agg.fields == ["status", "sum_annual_revenue", "count", "avg_emp"]
    rows = {r["status"]: r for r in agg}
    assert rows["contacted"]["sum_annual_revenue"] == Decimal("10900001.00")
    assert rows["contacted"]["count"] == 4
    assert rows["new"]["count"] == 1
    assert agg.kinds["count"] == "integer" and agg.kinds["status"] == "text"
    df = agg.to_pandas()
    assert str(df["count"].dtype) == "int64"
    total = leads.aggregate("lead")  # default: count
    assert total.fields == ["count"] and total[0]["count"] == 6


def test_where_accepts_any_boolean_formula(leads):
    formula = "AND(ISPICKVAL(status, 'contacted'), annual_revenue > 1000000, LEN(last_name) = 8)"
    res = leads.query("lead", where=formula, order_by="last_name", fields=["last_name"])
    assert [row["last_name"] for row in res] == ["Name0001", "Name0002", "Name0005"]
    assert leads.count("lead", where="OR(number_of_employees > 10, ISPICKVAL(status, 'qualified'))") == 3
    plan = leads.explain("lead", where=formula)
    assert "hotcrm_engine" in plan          # LEN(...) runs in the engine
    assert '"status" = ?' in plan           # the rest is SQL with bound values
    assert "hotcrm_engine" not in leads.explain("lead", where="annual_revenue > 1000000 && number_of_employees < 30")


def test_broken_formula_filter_raises_parse_error_with_caret(leads):
    with pytest.raises(hotcrm.UsageError) as caught:
        leads.query("lead", where="AND(status = 'contacted', anual_revenue > 5)")
    message = str(caught.value)
    assert "E_FORMULA_UNKNOWN_FIELD" in message and "^" in message and "annual_revenue" in message
