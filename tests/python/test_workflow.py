"""Workflow engine from Python: rules, outbox, custom actions, state machines, run_due, simulate."""
import datetime
import json

import pytest

import hotcrm

CATALOG = [
    {"name": "deal", "fields": [
        {"name": "title", "type": "text", "required": True},
        {"name": "amount", "type": "currency", "scale": 2},
        {"name": "priority", "type": "select", "options": ["low", "high"]},
        {"name": "close_date", "type": "date"},
        {"name": "reminded", "type": "boolean", "default": False},
    ],
     "workflow_rules": [
         {"name": "big", "trigger": "on_create_or_update", "evaluation": "newly_meets",
          "condition": "amount >= 100000",
          "actions": [
              {"type": "field_update", "field": "priority", "value": "high"},
              {"type": "email", "template": "big_deal", "to": ["sales@example.com"], "subject": "Big: {!title}"},
              {"type": "custom", "name": "notify", "parameters": {"title": {"formula": "title"}}},
          ],
          "time_triggers": [{"before": "1 day", "field": "close_date",
                             "actions": [{"type": "field_update", "field": "reminded", "value": True}]}]},
     ]},
    {"name": "ticket", "fields": [
        {"name": "subject", "type": "text", "required": True},
        {"name": "state", "type": "select", "options": ["new", "done"]},
    ],
     "state_machine": {"name": "life", "field": "state", "initial": "new",
                       "states": [{"name": "new"}, {"name": "done", "final": True}],
                       "transitions": [{"event": "finish", "from": "new", "to": "done"}]}},
]


@pytest.fixture
def db(tmp_path):
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(CATALOG))
    return hotcrm.open(str(tmp_path / "wf.db"), catalog=str(catalog))


def test_rules_outbox_and_custom_actions(db):
    calls = []
    db.register_action("notify", lambda info: calls.append((info["parameters"]["title"], info["record"]["priority"])))
    deal = db.insert("deal", {"title": "Acme", "amount": "250000.00"})
    assert db.get("deal", deal)["priority"] == "high"
    assert calls == [("Acme", "high")]
    messages = db.outbox()
    assert len(messages) == 1
    assert messages[0]["payload"]["subject"] == "Big: Acme"
    assert messages[0]["source"] == "rule:big"
    db.ack([messages[0]["id"]])
    assert db.outbox() == []
    assert [m["id"] for m in db.outbox("sent")] == [messages[0]["id"]]
    actions = [(e["source"], e["action"]) for e in db.workflow_log()]
    assert ("rule:big", "fired") in actions


def test_custom_action_errors_roll_back(db):
    def refuse(info):
        raise ValueError("host refused")

    db.register_action("notify", refuse)
    with pytest.raises(ValueError, match="host refused"):
        db.insert("deal", {"title": "Nope", "amount": "200000.00"})
    assert db.count("deal") == 0
    assert db.outbox() == []


def test_missing_callback_is_a_workflow_error(db):
    with pytest.raises(hotcrm.WorkflowError) as caught:
        db.insert("deal", {"title": "Nope", "amount": "200000.00"})
    assert caught.value.code == hotcrm.ErrorCode.workflow
    assert db.count("deal") == 0


def test_time_triggers_and_run_due(db):
    db.register_action("notify", lambda info: None)
    deal = db.insert("deal", {"title": "Acme", "amount": "250000.00", "close_date": datetime.date(2030, 1, 10)})
    timers = db.timers("deal", deal)
    assert len(timers) == 1
    assert timers[0]["due_at"] == datetime.datetime(2030, 1, 9, tzinfo=datetime.timezone.utc)
    report = db.run_due(datetime.datetime(2030, 1, 9, 12, 0))
    assert report["timers_run"] == 1
    assert db.get("deal", deal)["reminded"] is True
    assert db.run_due("2030-01-09T12:00:00Z")["timers_run"] == 0


def test_state_machine_events(db):
    ticket = db.insert("ticket", {"subject": "Printer"})
    assert db.get("ticket", ticket)["state"] == "new"
    with pytest.raises(hotcrm.ValidationError):
        db.update("ticket", ticket, {"state": "done"})
    assert db.fire("ticket", ticket, "finish") == "done"
    with pytest.raises(hotcrm.WorkflowError, match="not allowed"):
        db.fire("ticket", ticket, "finish")


def test_simulate_keeps_nothing(db):
    result = db.simulate("deal", {"title": "What if", "amount": "300000.00"})
    assert result["record"]["priority"] == "high"
    assert len(result["outbox"]) == 1
    assert any(entry["action"] == "custom" and entry["detail"].get("skipped") == "simulation" for entry in result["log"])
    assert db.count("deal") == 0
    assert db.outbox() == []


def test_imports_run_workflows_unless_told_not_to(db):
    db.register_action("notify", lambda info: None)
    rows = [{"title": "deal %d" % i, "amount": "250000.00" if i % 2 else "10.00"} for i in range(10)]
    report = db.import_records("deal", rows)
    assert report.inserted == 10
    assert len(db.outbox()) == 5
    db.import_records("deal", rows, workflows=False)
    assert len(db.outbox()) == 5
    assert db.count("deal", where="priority = 'high'") == 5


def test_convert_lead_on_the_standard_catalog(tmp_path):
    db = hotcrm.open(str(tmp_path / "crm.db"))
    lead = db.insert("lead", {"last_name": "Lovelace", "company": "Engines", "email": "ada@engines.example",
                              "annual_revenue": "1000000.00"})
    ids = db.convert_lead(lead)
    assert db.get("opportunity", ids["opportunity_id"])["amount"] == __import__("decimal").Decimal("100000.00")
    assert db.get("lead", lead)["converted_contact_id"] == ids["contact_id"]
    with pytest.raises(hotcrm.WorkflowError, match="already converted"):
        db.convert_lead(lead)
    other = db.insert("lead", {"last_name": "Hopper", "company": "Navy", "phone": "+1 555 0100"})
    ids = db.convert_lead(other, opportunity=False, account_id=ids["account_id"])
    assert ids["opportunity_id"] is None and not ids["account_created"]


def test_business_time_on_catalog_records(tmp_path):
    db = hotcrm.open(str(tmp_path / "crm.db"))
    hours = {"name": "NY", "time_zone": "america_new_york", "exclude_holidays": False}
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday"):
        hours.update({day + "_enabled": True, day + "_start_time": "09:00", day + "_end_time": "17:00"})
    hours.update({"saturday_enabled": False, "sunday_enabled": False})
    bh = db.insert("business_hours", hours)
    start = datetime.datetime(2026, 3, 6, 21, 0, tzinfo=datetime.timezone.utc)  # Friday 16:00 in New York
    due = db.business_time_add(bh, start, 120)
    # Monday 10:00 New York, which is on daylight time from Sunday 8 March (UTC-4).
    assert due == datetime.datetime(2026, 3, 9, 14, 0, tzinfo=datetime.timezone.utc)
    assert db.business_minutes_between(bh, start, due) == 120
    with pytest.raises(hotcrm.NotFoundError):
        db.business_time_add("nope", start, 1)


def test_contract_billing_and_payments_on_the_standard_catalog(tmp_path):
    """Activating a contract raises its Net 30 invoice; received payments roll up and settle it."""
    from decimal import Decimal
    db = hotcrm.open(str(tmp_path / "crm.db"))
    account = db.insert("account", {"name": "Globex"})
    contract = db.insert("contract", {"account_id": account, "start_date": "2026-03-02", "contract_value": "900.00"})
    db.update("contract", contract, {"status": "activated"})
    invoices = db.query("invoice", where=f"contract_id = '{contract}'").to_pandas()
    assert len(invoices) == 1
    invoice = str(invoices["id"][0])
    raised = db.get("invoice", invoice)
    assert raised["payment_terms"] == "net_30" and raised["total_amount"] == Decimal("900.00")
    payment = {"name": "All", "type": "final_payment", "status": "received", "account_id": account,
               "contract_id": contract, "invoice_id": invoice, "planned_amount": "900.00",
               "received_amount": "900.00", "planned_date": "2026-03-20", "actual_date": "2026-03-20"}
    paid = db.insert("payment", payment)
    assert db.get("invoice", invoice)["status"] == "paid"
    db.delete("payment", paid)
    assert db.get("invoice", invoice)["status"] == "posted"
    assert db.get("invoice", invoice)["amount_paid"] == Decimal("0")
