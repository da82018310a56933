"""Records: insert, get, find, update, delete, typed values, sessions, and the error classes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import hotcrm
from conftest import FROZEN_NOW, lead


def test_open_file_and_memory(db_path):
    db = hotcrm.open(str(db_path))
    assert db_path.exists()
    assert db.path == str(db_path)
    assert "create object lead" in db.migration
    db.close()
    with hotcrm.open(":memory:") as mem:
        assert len(mem.objects()) == 72 and "lead" in mem.objects()
        assert mem.count("lead") == 0


def test_reopen_keeps_records(db_path):
    with hotcrm.open(db_path) as db:
        lead_id = db.insert("lead", lead(1))
    with hotcrm.open(db_path) as db:
        assert db.migration == []
        assert db.get("lead", lead_id)["last_name"] == "Name0001"


def test_insert_get_update_delete(tmp_db):
    lead_id = tmp_db.insert("lead", {"last_name": "Ng", "company": "Acme", "email": "ng@acme.io"})
    assert isinstance(lead_id, str) and lead_id
    rec = tmp_db.get("lead", lead_id)
    assert rec["id"] == lead_id
    assert rec["status"] == "new"  # default
    assert rec["version"] == 1
    assert rec["first_name"] is None
    assert rec["is_in_public_pool"] is False
    assert rec["lead_score"] == 0
    assert list(rec)[:8] == ["id", "created_at", "updated_at", "created_by", "updated_by", "owner_id",
                             "tenant_id", "version"]
    assert tmp_db.update("lead", lead_id, {"status": "contacted"}) == 2
    rec = tmp_db.get("lead", lead_id)
    assert rec["status"] == "contacted" and rec["version"] == 2
    tmp_db.update("lead", lead_id, {"title": "CTO"})
    tmp_db.update("lead", lead_id, {"title": None})  # None clears
    assert tmp_db.get("lead", lead_id)["title"] is None
    tmp_db.delete("lead", lead_id)
    assert tmp_db.find("lead", lead_id) is None
    with pytest.raises(hotcrm.NotFoundError):
        tmp_db.get("lead", lead_id)


def test_typed_values_round_trip(ticket_db):
    opened = dt.datetime(2024, 3, 4, 5, 6, 7, 890123)
    ticket_id = ticket_db.insert("ticket", {
        "subject": "Printer on fire", "priority": "high", "tags": ["bug", "vip"],
        "amount": Decimal("1234.50"), "share": Decimal("12.5"), "score": 3.25, "seats": 12,
        "urgent": True, "due": dt.date(2024, 6, 30), "opened": opened,
    })
    rec = ticket_db.get("ticket", ticket_id)
    assert rec["amount"] == Decimal("1234.50") and isinstance(rec["amount"], Decimal)
    assert str(rec["amount"]) == "1234.50"
    assert rec["share"] == Decimal("12.5")
    assert rec["score"] == 3.25 and isinstance(rec["score"], float)
    assert rec["seats"] == 12 and isinstance(rec["seats"], int)
    assert rec["urgent"] is True
    assert rec["due"] == dt.date(2024, 6, 30) and type(rec["due"]) is dt.date
    assert rec["opened"] == opened.replace(tzinfo=dt.timezone.utc)  # naive means UTC
    assert rec["opened"].tzinfo is dt.timezone.utc
    assert rec["tags"] == ["bug", "vip"]
    assert rec["code"] is None


def test_aware_datetimes_are_converted_to_utc(ticket_db):
    plus_two = dt.timezone(dt.timedelta(hours=2))
    ticket_id = ticket_db.insert("ticket", {"subject": "tz", "opened": dt.datetime(2024, 1, 1, 10, 0, tzinfo=plus_two)})
    assert ticket_db.get("ticket", ticket_id)["opened"] == dt.datetime(2024, 1, 1, 8, 0, tzinfo=dt.timezone.utc)


def test_pre_epoch_and_text_values(ticket_db):
    ticket_id = ticket_db.insert("ticket", {
        "subject": "old", "due": "1969-07-20", "opened": dt.datetime(1969, 7, 20, 20, 17, 40, 5),
        "amount": "0.05", "seats": "3", "urgent": "yes", "tags": "billing;bug"})
    rec = ticket_db.get("ticket", ticket_id)
    assert rec["due"] == dt.date(1969, 7, 20)
    assert rec["opened"] == dt.datetime(1969, 7, 20, 20, 17, 40, 5, tzinfo=dt.timezone.utc)
    assert rec["amount"] == Decimal("0.05") and rec["seats"] == 3 and rec["urgent"] is True
    assert rec["tags"] == ["billing", "bug"]


def test_decimal_exactness(ticket_db):
    for amount in ("0.10", "0.20", "0.70"):
        ticket_db.insert("ticket", {"subject": amount, "amount": Decimal(amount)})
    ticket_db.insert("ticket", {"subject": "float", "amount": 0.1})  # shortest repr: exactly 0.10
    total = ticket_db.aggregate("ticket", aggregates=[("sum", "amount")])
    assert total[0]["sum_amount"] == Decimal("1.10")
    assert Decimal("0.10") + Decimal("0.20") + Decimal("0.70") + Decimal("0.10") == total[0]["sum_amount"]
    amounts = sorted(r["amount"] for r in ticket_db.query("ticket", fields=["amount"]))
    assert amounts == [Decimal("0.10"), Decimal("0.10"), Decimal("0.20"), Decimal("0.70")]
    # Large values keep every digit.
    big = ticket_db.insert("ticket", {"subject": "big", "amount": Decimal("9999999999999.99")})
    assert ticket_db.get("ticket", big)["amount"] == Decimal("9999999999999.99")
    with pytest.raises(hotcrm.ValidationError) as info:
        ticket_db.insert("ticket", {"subject": "too precise", "amount": Decimal("0.001")})
    assert info.value.errors[0]["code"] == "scale"


def test_session_records_acting_user(layout_db):
    with layout_db.session(user="u-17") as s:
        assert (s.user, s.tenant) == ("u-17", "default")
        lead_id = s.insert("lead", lead(1))
        s.update("lead", lead_id, {"status": "qualified"})
    rec = layout_db.get("lead", lead_id)
    assert rec["created_by"] == "u-17" and rec["owner_id"] == "u-17" and rec["updated_by"] == "u-17"
    other = layout_db.session(user="u-18", tenant="other")
    assert other.find("lead", lead_id) is None  # another tenant does not see it
    assert repr(other) == "<hotcrm.Session user='u-18' tenant='other'>"


def test_frozen_clock(frozen_db):
    lead_id = frozen_db.insert("lead", lead(1))
    rec = frozen_db.get("lead", lead_id)
    assert rec["created_at"] == FROZEN_NOW == rec["updated_at"]


# ---- errors -------------------------------------------------------------------------------------

def test_error_hierarchy_and_codes():
    for cls in (hotcrm.UsageError, hotcrm.SchemaError, hotcrm.ValidationError, hotcrm.NotFoundError,
                hotcrm.ConflictError, hotcrm.StoreError, hotcrm.ConstraintError, hotcrm.ParseError,
                hotcrm.CancelledError, hotcrm.BusyError):
        assert issubclass(cls, hotcrm.Error)
    assert issubclass(hotcrm.ParseError, hotcrm.UsageError)
    assert issubclass(hotcrm.BusyError, hotcrm.StoreError)
    assert issubclass(hotcrm.Error, RuntimeError)
    assert hotcrm.Error.__module__ == "hotcrm"
    assert sorted(c.value for c in hotcrm.ErrorCode) == sorted(hotcrm._core.error_codes().values())
    assert hotcrm._core.error_codes()["store.not_found"] == hotcrm.ErrorCode.not_found


def test_duplicate_email_is_conflict(tmp_db):
    tmp_db.insert("lead", lead(1, email="dup@example.com"))
    with pytest.raises(hotcrm.ConflictError) as info:
        tmp_db.insert("lead", lead(2, email="dup@example.com"))
    err = info.value
    assert err.code == hotcrm.ErrorCode.conflict == 4001
    assert err.code_name == "store.conflict"
    assert err.errors == [{"object": "lead", "field": "email", "rule": "", "code": "unique",
                           "message": "another lead already has this email"}]
    assert tmp_db.count("lead") == 1


def test_stale_version_is_conflict(tmp_db):
    lead_id = tmp_db.insert("lead", lead(1))
    assert tmp_db.update("lead", lead_id, {"title": "A"}, expected_version=1) == 2
    with pytest.raises(hotcrm.ConflictError, match="version 2 is stored, 1 was expected") as info:
        tmp_db.update("lead", lead_id, {"title": "B"}, expected_version=1)
    assert info.value.errors == []
    assert tmp_db.get("lead", lead_id)["title"] == "A"


def test_missing_id_is_not_found(tmp_db):
    with pytest.raises(hotcrm.NotFoundError) as info:
        tmp_db.get("lead", "nope")
    assert info.value.code == 4000 and "nope" in str(info.value)
    with pytest.raises(hotcrm.NotFoundError):
        tmp_db.update("lead", "nope", {"title": "x"})
    with pytest.raises(hotcrm.NotFoundError):
        tmp_db.delete("lead", "nope")


def test_unknown_object_is_schema_error(tmp_db):
    for call in (lambda: tmp_db.insert("widget", {"a": 1}), lambda: tmp_db.get("widget", "x"),
                 lambda: tmp_db.query("widget"), lambda: tmp_db.describe("widget"),
                 lambda: tmp_db.import_records("widget", [{"a": 1}]), lambda: tmp_db.count("widget")):
        with pytest.raises(hotcrm.SchemaError, match="widget") as info:
            call()
        assert info.value.code == hotcrm.ErrorCode.unknown_object


def test_bad_values_are_validation_errors(tmp_db):
    with pytest.raises(hotcrm.ValidationError) as info:
        tmp_db.insert("lead", {"last_name": "x" * 81, "email": "not-an-email", "status": "nope",
                               "lead_score": 101, "unknown": 1})
    err = info.value
    assert err.code == 3000
    by_field = {e["field"]: e["code"] for e in err.errors}
    assert by_field == {"last_name": "max_length", "email": "format", "status": "picklist", "lead_score": "max",
                        "unknown": "unknown_field", "company": "required"}
    assert all(set(e) == {"object", "field", "rule", "code", "message"} for e in err.errors)
    assert tmp_db.count("lead") == 0


def test_read_only_field_is_rejected(tmp_db):
    with pytest.raises(hotcrm.ValidationError) as info:
        tmp_db.insert("lead", lead(1, is_converted=True))
    assert info.value.errors[0]["code"] == "read_only"


def test_bad_where_is_parse_error(tmp_db):
    with pytest.raises(hotcrm.ParseError, match="column") as info:
        tmp_db.query("lead", where="status = = 'new'")
    assert isinstance(info.value, hotcrm.UsageError) and info.value.code == 1001
    with pytest.raises(hotcrm.Error):
        tmp_db.query("lead", where="no_such_field = 1")
    with pytest.raises(hotcrm.ParseError):
        hotcrm.check_where("(a = 1")
    assert hotcrm.check_where("a = 1 and b > 2") == "(a = 1 AND b > 2)"


def test_wrong_python_types_raise_usage_or_type_error(tmp_db):
    with pytest.raises(hotcrm.UsageError, match="dict"):
        tmp_db.insert("lead", ["not", "a", "dict"])
    with pytest.raises(hotcrm.UsageError, match="object"):
        tmp_db.insert("lead", {"last_name": object()})
    with pytest.raises(hotcrm.UsageError, match="64 bits"):
        tmp_db.insert("lead", lead(1, number_of_employees=2**70))
    with pytest.raises(hotcrm.UsageError, match="field names"):
        tmp_db.insert("lead", {1: "x"})
    with pytest.raises(hotcrm.UsageError, match="on_error"):
        tmp_db.import_records("lead", [lead(1)], on_error="ignore")
    with pytest.raises(hotcrm.UsageError):
        tmp_db.query("lead", order_by=5)
    with pytest.raises(hotcrm.UsageError):
        tmp_db.aggregate("lead", aggregates=[("median", "annual_revenue")])
    with pytest.raises(TypeError):
        tmp_db.get(123, "x")


def test_closed_database_is_usage_error(db_path):
    db = hotcrm.open(db_path)
    s = db.session(user="u")
    db.close()
    db.close()  # idempotent
    with pytest.raises(hotcrm.UsageError, match="closed"):
        db.insert("lead", lead(1))
    with pytest.raises(hotcrm.UsageError, match="closed"):
        s.count("lead")


def test_read_only_database(db_path):
    hotcrm.open(db_path).close()
    with hotcrm.open(db_path, read_only=True) as db:
        with pytest.raises(hotcrm.UsageError, match="read-only"):
            db.insert("lead", lead(1))


def test_store_error_for_unopenable_file(tmp_path):
    with pytest.raises(hotcrm.StoreError) as info:
        hotcrm.open(tmp_path / "missing" / "dir" / "crm.db")
    assert info.value.code == 4003
    with pytest.raises(hotcrm.Error):
        hotcrm.open(tmp_path / "absent.db", create=False)


def test_restrict_delete_is_constraint_error(tmp_path):
    catalog = [
        {"name": "parent", "fields": [{"name": "title", "type": "text"}]},
        {"name": "child", "fields": [{"name": "parent_id", "type": "lookup", "reference": "parent",
                                      "on_delete": "restrict"}]},
    ]
    with hotcrm.open(tmp_path / "r.db", catalog=catalog) as db:
        parent = db.insert("parent", {"title": "p"})
        db.insert("child", {"parent_id": parent})
        with pytest.raises(hotcrm.ConstraintError) as info:
            db.delete("parent", parent)
        assert info.value.code == hotcrm.ErrorCode.constraint
        with pytest.raises(hotcrm.ValidationError) as info:
            db.insert("child", {"parent_id": "missing"})
        assert info.value.errors[0]["code"] == "lookup"
