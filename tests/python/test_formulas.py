"""Formulas and validation rules: Session.check / evaluate / validate, hotcrm.check / evaluate,
describe()["rules"], and rules applied on insert and update."""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal
from pathlib import Path

import pytest

import hotcrm
from conftest import FROZEN_NOW, TICKET, lead

RULES = [
    {"name": "amount_not_negative", "condition": "amount < 0", "message": "Amount cannot be negative",
     "error_field": "amount"},
    {"name": "urgent_needs_due", "condition": "AND(urgent, ISBLANK(due))", "message": "An urgent ticket needs a due date"},
    {"name": "retired", "condition": "TRUE", "message": "never applied", "active": False},
]


def ticket_with_rules(rules=RULES):
    return dict(TICKET, validation_rules=rules)


# ---- check ------------------------------------------------------------------------------------

def test_check_ok(tmp_db):
    assert tmp_db.check("lead", "annual_revenue > 1000000") == {"ok": True, "type": "boolean", "diagnostics": []}
    assert tmp_db.check("lead", "annual_revenue * 2")["type"] == "currency"
    assert tmp_db.check("lead", "last_name & ' ' & company")["type"] == "text"
    assert tmp_db.check("opportunity", "account_id.name")["type"] == "text"
    assert tmp_db.check("lead", "annual_revenue + 1", blank_as_zero=True)["type"] == "currency"


def test_check_diagnostics(tmp_db):
    source = "IF(is_converted,\n  anual_revenue * 2, 0)"
    result = tmp_db.check("lead", source)
    assert result["ok"] is False and result["type"] is None
    [d] = result["diagnostics"]
    assert d["code"] == "E_FORMULA_UNKNOWN_FIELD"
    assert (d["line"], d["column"], d["length"]) == (2, 3, len("anual_revenue"))
    assert "did you mean annual_revenue" in d["message"]
    lines = d["rendered"].splitlines()
    assert lines[0].startswith("E_FORMULA_UNKNOWN_FIELD at 2:3: ")
    assert lines[1] == "    anual_revenue * 2, 0)"
    assert lines[2] == "    " + "^" * len("anual_revenue")


def test_check_reports_every_problem(tmp_db):
    codes = [d["code"] for d in tmp_db.check("lead", "nosuch + 1 > FROB(2)")["diagnostics"]]
    assert codes == ["E_FORMULA_UNKNOWN_FIELD", "E_FORMULA_UNKNOWN_FUNCTION"]
    [syntax] = tmp_db.check("lead", "annual_revenue > ")["diagnostics"]
    assert syntax["code"] == "E_FORMULA_SYNTAX" and syntax["line"] == 1


def test_check_unknown_object_is_schema_error(tmp_db):
    with pytest.raises(hotcrm.SchemaError):
        tmp_db.check("no_such_object", "TRUE")


# ---- evaluate ---------------------------------------------------------------------------------

def test_evaluate_values(frozen_db):
    db = frozen_db
    assert db.evaluate("lead", "annual_revenue > 1000000", {"annual_revenue": 2_500_000}) is True
    assert db.evaluate("lead", "annual_revenue * 3", {"annual_revenue": Decimal("0.10")}) == Decimal("0.30")
    assert isinstance(db.evaluate("lead", "annual_revenue * 3", {"annual_revenue": Decimal("0.10")}), Decimal)
    assert db.evaluate("lead", "last_name & ', ' & company", {"last_name": "Ng", "company": "Acme"}) == "Ng, Acme"
    assert db.evaluate("lead", "number_of_employees / 4", {"number_of_employees": 10}) == 2.5
    assert db.evaluate("lead", "DATE(2024, 2, 29) + 1") == dt.date(2024, 3, 1)
    # NOW() is the database clock: frozen here.
    assert db.evaluate("lead", "NOW()") == FROZEN_NOW
    assert db.evaluate("lead", "TODAY()") == FROZEN_NOW.date()


def test_evaluate_blanks(tmp_db):
    assert tmp_db.evaluate("lead", "annual_revenue + 1") is None
    assert tmp_db.evaluate("lead", "annual_revenue + 1", {}) is None
    assert tmp_db.evaluate("lead", "annual_revenue + 1", {"annual_revenue": None}) is None
    assert tmp_db.evaluate("lead", "annual_revenue + 1", blank_as_zero=True) == Decimal("1")
    assert tmp_db.evaluate("lead", "ISBLANK(email)", {"email": None}) is True


def test_evaluate_prior(tmp_db):
    assert tmp_db.evaluate("lead", "ISNEW()", {"status": "new"}) is True
    assert tmp_db.evaluate("lead", "ISCHANGED(status)", {"status": "contacted"}, prior={"status": "new"}) is True
    assert tmp_db.evaluate("lead", "ISCHANGED(status)", {"status": "new"}, prior={"status": "new"}) is False
    assert tmp_db.evaluate("lead", "ISNEW()", {"status": "new"}, prior={"status": "new"}) is False
    assert tmp_db.evaluate("lead", "TEXT(PRIORVALUE(status))", {"status": "contacted"},
                           prior={"status": "new"}) == "new"


def test_evaluate_lookup_path(tmp_db):
    account = tmp_db.insert("account", {"name": "Analytical Engines"})
    assert tmp_db.evaluate("opportunity", "UPPER(account_id.name)", {"account_id": account}) == "ANALYTICAL ENGINES"


def test_evaluate_typed_values(ticket_db):
    assert ticket_db.evaluate("ticket", "INCLUDES(tags, 'vip')", {"tags": ["bug", "vip"]}) is True
    assert ticket_db.evaluate("ticket", "ISPICKVAL(priority, 'high')", {"priority": "high"}) is True
    assert ticket_db.evaluate("ticket", "due + 7", {"due": dt.date(2024, 12, 30)}) == dt.date(2025, 1, 6)
    assert ticket_db.evaluate("ticket", "share * 2", {"share": Decimal("12.5")}) == Decimal("25.0")


def test_formula_error(tmp_db):
    with pytest.raises(hotcrm.FormulaError) as info:
        tmp_db.evaluate("lead", "annual_revenu / 2", {"annual_revenue": 3})
    error = info.value
    assert isinstance(error, hotcrm.UsageError) and isinstance(error, hotcrm.Error)
    assert error.code == hotcrm.ErrorCode.usage
    [d] = error.diagnostics
    assert d["code"] == "E_FORMULA_UNKNOWN_FIELD" and (d["line"], d["column"]) == (1, 1)
    assert "did you mean annual_revenue" in str(error)
    assert "^^^^" in str(error)


def test_evaluation_error(tmp_db):
    with pytest.raises(hotcrm.EvaluationError) as info:
        tmp_db.evaluate("lead", "annual_revenue / number_of_employees",
                        {"annual_revenue": 100, "number_of_employees": 0})
    error = info.value
    assert error.formula_code == "E_DIV_ZERO"
    assert error.code == hotcrm.ErrorCode.validation and error.code_name == "data.validation"
    assert not isinstance(error, hotcrm.UsageError)
    assert "E_DIV_ZERO" in str(error)
    # The lazy IF guards the division.
    assert tmp_db.evaluate("lead", "IF(number_of_employees = 0, 0, annual_revenue / number_of_employees)",
                           {"annual_revenue": 100, "number_of_employees": 0}) == 0
    with pytest.raises(hotcrm.EvaluationError) as info:
        tmp_db.evaluate("lead", "DATE(2024, 2, 30)")
    assert info.value.formula_code == "E_INVALID_DATE"


def test_evaluate_bad_arguments(tmp_db):
    with pytest.raises(hotcrm.SchemaError):
        tmp_db.evaluate("no_such_object", "TRUE")
    with pytest.raises(hotcrm.UsageError):
        tmp_db.evaluate("lead", "TRUE", ["not", "a", "dict"])
    with pytest.raises(hotcrm.UsageError):  # a value that cannot be a currency
        tmp_db.evaluate("lead", "annual_revenue * 2", {"annual_revenue": "lots"})


def test_evaluate_from_threads(tmp_db):
    """The GIL is released inside; calls from several threads all complete."""
    results = []

    def work(i):
        results.append(tmp_db.evaluate("lead", "number_of_employees * 2", {"number_of_employees": i}))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [float(2 * i) for i in range(8)]


# ---- module-level check / evaluate -------------------------------------------------------------

def test_module_evaluate_with_types():
    types = {"amount": "currency", "stage": "picklist", "account.name": "text", "tags": "multipicklist"}
    record = {"amount": Decimal("19.99"), "stage": "won", "account.name": "Acme", "tags": ["a", "b"]}
    assert hotcrm.evaluate("amount * 2", record, types) == Decimal("39.98")
    assert hotcrm.evaluate("ISPICKVAL(stage, 'won')", record, types) is True
    assert hotcrm.evaluate("account.name & '!'", record, types) == "Acme!"
    assert hotcrm.evaluate("INCLUDES(tags, 'b')", record, types) is True
    assert hotcrm.evaluate("amount * 2", {}, types) is None  # missing -> blank
    assert hotcrm.evaluate("amount + 1", {}, types, blank_as_zero=True) == Decimal("1")
    assert hotcrm.evaluate("amount", {"amount": "12.50"}, {"amount": "currency"}) == Decimal("12.50")


def test_module_evaluate_infers_types():
    assert hotcrm.evaluate("a + b", {"a": 1, "b": 2.5}) == 3.5
    assert hotcrm.evaluate("price * 2", {"price": Decimal("1.25")}) == Decimal("2.50")
    assert hotcrm.evaluate("UPPER(name)", {"name": "ada"}) == "ADA"
    assert hotcrm.evaluate("NOT(flag)", {"flag": False}) is True
    assert hotcrm.evaluate("due + 1", {"due": dt.date(2024, 2, 29)}) == dt.date(2024, 3, 1)
    assert hotcrm.evaluate("1 + 2") == 3
    assert hotcrm.evaluate("ISNEW()") is True


def test_module_evaluate_clock():
    at = dt.datetime(2024, 1, 2, 23, 30, tzinfo=dt.timezone.utc)
    assert hotcrm.evaluate("NOW()", now=at) == at
    assert hotcrm.evaluate("TODAY()", now=at) == dt.date(2024, 1, 2)
    assert hotcrm.evaluate("NOW()", now=dt.datetime(2024, 1, 2, 3, 4)) == dt.datetime(2024, 1, 2, 3, 4,
                                                                                       tzinfo=dt.timezone.utc)
    # TODAY() is the date of `now` in its own time zone.
    new_york = dt.timezone(dt.timedelta(hours=-5))
    assert hotcrm.evaluate("TODAY()", now=dt.datetime(2026, 1, 31, 23, 0, tzinfo=new_york)) == dt.date(2026, 1, 31)
    assert hotcrm.evaluate("NOW()", now=dt.datetime(2026, 1, 31, 23, 0, tzinfo=new_york)) == dt.datetime(
        2026, 2, 1, 4, 0, tzinfo=dt.timezone.utc)
    before = dt.datetime.now(dt.timezone.utc)
    now = hotcrm.evaluate("NOW()")
    after = dt.datetime.now(dt.timezone.utc)
    assert before <= now <= after
    with pytest.raises(hotcrm.UsageError):
        hotcrm.evaluate("NOW()", now=dt.date(2024, 1, 2))


def test_module_errors():
    with pytest.raises(hotcrm.FormulaError) as info:
        hotcrm.evaluate("amont * 2", {}, {"amount": "currency"})
    assert info.value.diagnostics[0]["code"] == "E_FORMULA_UNKNOWN_FIELD"
    assert "did you mean amount" in info.value.diagnostics[0]["message"]
    with pytest.raises(hotcrm.EvaluationError) as info:
        hotcrm.evaluate("x / y", {"x": 1, "y": 0})
    assert info.value.formula_code == "E_DIV_ZERO"
    with pytest.raises(hotcrm.EvaluationError) as info:
        hotcrm.evaluate("amount * 2", {"amount": "lots"}, {"amount": "currency"})
    assert info.value.formula_code == "E_BAD_INPUT"
    with pytest.raises(hotcrm.UsageError, match="not a field type"):
        hotcrm.evaluate("x", {}, {"x": "money"})
    with pytest.raises(hotcrm.UsageError):
        hotcrm.evaluate("x", {}, {"x": 3})


def test_module_check():
    assert hotcrm.check("amount > 5", {"amount": "currency"}) == {"ok": True, "type": "boolean", "diagnostics": []}
    assert hotcrm.check("TODAY() + 1")["type"] == "date"
    result = hotcrm.check("amount >", {"amount": "currency"})
    assert result["ok"] is False and result["diagnostics"][0]["code"] == "E_FORMULA_SYNTAX"
    assert "^" in result["diagnostics"][0]["rendered"]
    assert hotcrm.check("amount", {"amount": "currency"}, blank_as_zero=True)["type"] == "currency"


# ---- validation rules -------------------------------------------------------------------------

def test_describe_lists_rules(tmp_path: Path):
    with hotcrm.open(tmp_path / "t.db", catalog=ticket_with_rules()) as db:
        rules = db.describe("ticket")["rules"]
    assert rules == [
        {"name": "amount_not_negative", "condition": "amount < 0", "message": "Amount cannot be negative",
         "error_field": "amount", "active": True, "package": None},
        {"name": "urgent_needs_due", "condition": "AND(urgent, ISBLANK(due))",
         "message": "An urgent ticket needs a due date", "error_field": None, "active": True, "package": None},
        {"name": "retired", "condition": "TRUE", "message": "never applied", "error_field": None, "active": False,
         "package": None},
    ]


def test_rules_apply_on_insert_and_update(tmp_path: Path):
    with hotcrm.open(tmp_path / "t.db", catalog=ticket_with_rules()) as db:
        with pytest.raises(hotcrm.ValidationError) as info:
            db.insert("ticket", {"subject": "x", "amount": Decimal("-1"), "urgent": True})
        errors = sorted(info.value.errors, key=lambda e: e["rule"])
        assert [(e["rule"], e["code"], e["field"]) for e in errors] == [
            ("amount_not_negative", "rule", "amount"), ("urgent_needs_due", "rule", "")]
        assert errors[0]["message"] == "Amount cannot be negative"
        assert db.count("ticket") == 0
        ticket = db.insert("ticket", {"subject": "ok", "amount": Decimal("5")})
        with pytest.raises(hotcrm.ValidationError) as info:
            db.update("ticket", ticket, {"amount": Decimal("-5")})
        assert info.value.errors[0]["rule"] == "amount_not_negative"
        assert db.get("ticket", ticket)["amount"] == Decimal("5.00")
        assert db.validate("ticket") == []


def test_validate_stored_records(tmp_path: Path):
    path = tmp_path / "t.db"
    with hotcrm.open(path, catalog=TICKET) as db:  # no rules yet: anything goes in
        negative = db.insert("ticket", {"subject": "a", "amount": Decimal("-2")})
        both = db.insert("ticket", {"subject": "b", "amount": Decimal("-1"), "urgent": True})
        db.insert("ticket", {"subject": "c", "amount": Decimal("3"), "urgent": True, "due": dt.date(2024, 1, 1)})
        assert db.validate("ticket") == []
    with hotcrm.open(path, catalog=ticket_with_rules()) as db:  # a metadata change: the records stay
        assert db.count("ticket") == 3
        violations = db.validate("ticket")
    assert len(violations) == 3
    keys = sorted((v["record_id"], v["rule"]) for v in violations)
    assert keys == sorted([(negative, "amount_not_negative"), (both, "amount_not_negative"),
                           (both, "urgent_needs_due")])
    for v in violations:
        assert v["code"] == "rule" and v["object"] == "ticket"
        assert set(v) >= {"record_id", "rule", "field", "code", "message"}
        assert v["field"] == ("amount" if v["rule"] == "amount_not_negative" else "")
    # Re-opened without a catalog: the stored one, with its rules.
    with hotcrm.open(path) as db:
        assert len(db.validate("ticket")) == 3
        assert [r["name"] for r in db.describe("ticket")["rules"]] == ["amount_not_negative", "urgent_needs_due",
                                                                        "retired"]
        with pytest.raises(hotcrm.SchemaError):
            db.validate("no_such_object")


def test_invalid_rules_are_schema_errors(tmp_path: Path):
    broken = [{"name": "broken", "condition": "amont < 0", "message": "m"}]
    with pytest.raises(hotcrm.SchemaError, match="amont"):
        hotcrm.open(tmp_path / "a.db", catalog=ticket_with_rules(broken))
    not_boolean = [{"name": "number", "condition": "amount * 2", "message": "m"}]
    with pytest.raises(hotcrm.SchemaError):
        hotcrm.open(tmp_path / "b.db", catalog=ticket_with_rules(not_boolean))
    bad_field = [{"name": "r", "condition": "FALSE", "message": "m", "error_field": "nope"}]
    with pytest.raises(hotcrm.SchemaError, match="nope"):
        hotcrm.open(tmp_path / "c.db", catalog=ticket_with_rules(bad_field))


def test_rules_survive_catalog_json(tmp_path: Path):
    with hotcrm.open(tmp_path / "t.db", catalog=ticket_with_rules()) as db:
        text = db.catalog_json("ticket")
    rules = json.loads(text)["validation_rules"]
    assert [r["name"] for r in rules] == ["amount_not_negative", "urgent_needs_due", "retired"]
    assert rules[2]["active"] is False


def test_standard_lead_rules(tmp_db):
    assert "email_or_phone_required" in [r["name"] for r in tmp_db.describe("lead")["rules"]]
    tmp_db.insert("lead", lead(1))
    assert tmp_db.validate("lead") == []
    with pytest.raises(hotcrm.ValidationError) as info:
        tmp_db.insert("lead", {"last_name": "Ng", "company": "Acme"})
    assert info.value.errors[0]["rule"] == "email_or_phone_required"


def test_rule_that_cannot_be_evaluated(tmp_path: Path):
    """A rule whose condition faults (here: division by zero) counts as violated, with code rule_error."""
    path = tmp_path / "t.db"
    per_seat = [{"name": "per_seat", "condition": "amount / seats > 100", "message": "Too much per seat"}]
    with hotcrm.open(path, catalog=TICKET) as db:
        zero = db.insert("ticket", {"subject": "a", "amount": Decimal("5"), "seats": 0})
        db.insert("ticket", {"subject": "b", "amount": Decimal("5"), "seats": 1})
    with hotcrm.open(path, catalog=ticket_with_rules(per_seat)) as db:
        [violation] = db.validate("ticket")
        assert violation["record_id"] == zero and violation["rule"] == "per_seat"
        assert violation["code"] == "rule_error" and "E_DIV_ZERO" in violation["message"]
        with pytest.raises(hotcrm.ValidationError) as info:
            db.insert("ticket", {"subject": "c", "amount": Decimal("1"), "seats": 0})
        assert info.value.errors[0]["code"] == "rule_error"


def test_evaluate_unknown_record_field_is_schema_error(tmp_db):
    with pytest.raises(hotcrm.SchemaError):
        tmp_db.evaluate("lead", "TRUE", {"no_such_field": 1})
