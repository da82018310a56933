"""Service processes from Python and the CLI: approvals (submit, approve, reject, recall, approval,
approval_queue), assignment (assign) and SLA clocks (sla), on small objects of our own over the
standard support package."""
import datetime as dt
import json
import os
import subprocess

import pytest

import hotcrm

UTC = dt.timezone.utc
MONDAY = dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 in New York

OBJECTS = [
    {"name": "expense", "fields": [
        {"name": "title", "type": "text", "required": True},
        {"name": "amount", "type": "currency", "scale": 2},
        {"name": "state", "type": "select", "default": "draft",
         "options": ["draft", "pending", "approved", "rejected", "recalled"]},
        {"name": "paid", "type": "boolean", "default": False},
    ],
     "approval_processes": [
         {"name": "spend", "entry_criteria": "amount >= 100", "fields": {"status": "state"},
          "steps": [{"name": "manager", "approvers": [{"manager": 1}]},
                    {"name": "finance", "criteria": "amount >= 1000", "approvers": [{"user": "cfo"}], "on_reject": "back"}],
          "on_approve": [{"type": "field_update", "field": "paid", "value": True}]}]},
    {"name": "job", "fields": [
        {"name": "title", "type": "text", "required": True},
        {"name": "region", "type": "select", "options": ["emea", "other"]},
        {"name": "queue_id", "type": "lookup", "reference": "queue"},
    ],
     "assignment": {"queue_field": "queue_id", "condition": "title <> 'keep'",
                    "entries": [{"criteria": "ISPICKVAL(region, 'emea')", "queue": "EMEA"},
                                {"criteria": "ISPICKVAL(region, 'other')", "queue": "Desk"}]}},
    {"name": "incident", "fields": [
        {"name": "subject", "type": "text", "required": True},
        {"name": "status", "type": "select", "default": "open", "options": ["open", "waiting", "closed"]},
        {"name": "breached", "type": "boolean", "default": False},
    ],
     "sla": {"name": "incident_sla", "pause_when": "ISPICKVAL(status, 'waiting')",
             "milestones": [{"name": "resolution", "target_minutes": "120", "warning_percent": 50,
                             "complete_when": "ISPICKVAL(status, 'closed')",
                             "on_violation": [{"type": "field_update", "field": "breached", "value": True}]}]}},
]


def open_db(path, now=MONDAY):
    return hotcrm.open(path, catalog=OBJECTS, extend_standard=True, packages=["support"], id_seed=5, now=now)


def new_user(db, name, manager=None):
    record = {"username": name, "email": f"{name}@example.com", "last_name": name}
    if manager:
        record["manager_id"] = manager
    return db.insert("user", record)


@pytest.fixture
def org(tmp_path):
    """A database with boss <- manager <- alice, a loner without manager, and queues EMEA and Desk."""
    path = tmp_path / "service.db"
    db = open_db(path)
    boss = new_user(db, "boss")
    manager = new_user(db, "manager", boss)
    alice = new_user(db, "alice", manager)
    loner = new_user(db, "loner")
    emea = db.insert("queue", {"name": "EMEA", "queue_type": "general", "routing_method": "round_robin"})
    for priority, member in enumerate([boss, manager], start=1):
        db.insert("queue_member", {"queue_id": emea, "user_id": member, "assignment_priority": priority})
    desk = db.insert("queue", {"name": "Desk", "queue_type": "general", "routing_method": "manual"})
    yield {"db": db, "path": path, "boss": boss, "manager": manager, "alice": alice, "loner": loner,
           "emea": emea, "desk": desk}
    db.close()


def test_submit_approve_through_every_step(org):
    db, alice, manager = org["db"], org["alice"], org["manager"]
    expense = db.insert("expense", {"title": "Laptop", "amount": "2500.00"})
    assert db.approval("expense", expense) is None
    with db.session(user=alice) as s:
        state = s.submit("expense", expense, comment="new laptop")
    assert state["process"] == "spend" and state["status"] == "pending"
    assert state["step"] == 1 and state["step_name"] == "manager"
    assert state["submitted_by"] == alice and state["submitted_at"] == MONDAY
    assert state["pending_approvers"] == [manager]
    assert state["completed_at"] is None
    assert db.get("expense", expense)["state"] == "pending"

    state = db.approve("expense", expense, approver=manager, comment="ok")
    assert state["step_name"] == "finance" and state["pending_approvers"] == ["cfo"]
    first = state["history"][0]
    assert (first["step"], first["approver"], first["decision"], first["comment"]) == (1, manager, "approved", "ok")
    assert first["decided_at"] == MONDAY

    # Rejected at finance: back to the manager step, then approved all the way.
    state = db.reject("expense", expense, approver="cfo", comment="too much")
    assert state["status"] == "pending" and state["step_name"] == "manager"
    db.approve("expense", expense, approver=manager)
    with db.session(user="cfo") as cfo:
        state = cfo.approve("expense", expense)  # the acting user is the approver
    assert state["status"] == "approved" and state["step"] == 0 and state["completed_at"] == MONDAY
    assert [(h["step"], h["decision"]) for h in state["history"]] == [
        (1, "approved"), (2, "rejected"), (1, "approved"), (2, "approved")]
    record = db.get("expense", expense)
    assert record["state"] == "approved" and record["paid"] is True
    assert db.approval("expense", expense) == state


def test_refusals_raise_workflow_errors_and_keep_nothing(org):
    db, alice, manager = org["db"], org["alice"], org["manager"]
    small = db.insert("expense", {"title": "Pen", "amount": "5.00"})
    with pytest.raises(hotcrm.WorkflowError, match="meets the entry criteria of no approval process") as caught:
        db.session(user=alice).submit("expense", small)
    assert caught.value.code_name == "data.workflow"
    assert db.approval("expense", small) is None

    lonely = db.insert("expense", {"title": "Chair", "amount": "150.00"})
    with pytest.raises(hotcrm.WorkflowError, match="step 'manager' of approval process 'spend' has no approver"):
        db.session(user=org["loner"]).submit("expense", lonely)
    assert db.approval("expense", lonely) is None and db.get("expense", lonely)["state"] == "draft"

    expense = db.insert("expense", {"title": "Flight", "amount": "300.00"})
    db.session(user=alice).submit("expense", expense)
    with pytest.raises(hotcrm.WorkflowError, match="'mallory' is not a pending approver of step 'manager'"):
        db.approve("expense", expense, approver="mallory")
    with pytest.raises(hotcrm.WorkflowError, match="already pending"):
        db.session(user=alice).submit("expense", expense)
    with pytest.raises(hotcrm.WorkflowError, match="only the submitter"):
        db.session(user=manager).recall("expense", expense)
    with pytest.raises(hotcrm.NotFoundError):
        db.approve("expense", "no-such-id", approver=manager)
    with pytest.raises(hotcrm.SchemaError, match="job has no active approval process"):
        db.approval("job", "x")
    assert db.approval("expense", expense)["history"][0]["decision"] == "pending"


def test_locked_while_pending_and_recall(org):
    db, alice, manager = org["db"], org["alice"], org["manager"]
    expense = db.insert("expense", {"title": "Flight", "amount": "300.00"})
    with db.session(user=alice) as s:
        s.submit("expense", expense)
        with pytest.raises(hotcrm.ConflictError, match="locked while approval process 'spend' is pending") as caught:
            s.update("expense", expense, {"amount": "3000.00"})
        assert caught.value.errors[0]["code"] == "locked"
        with pytest.raises(hotcrm.ConflictError):
            s.delete("expense", expense)
        state = s.recall("expense", expense, comment="typo")
    assert state["status"] == "recalled"
    assert state["history"][0]["decision"] == "recalled"
    assert db.get("expense", expense)["state"] == "recalled"
    db.session(user=alice).update("expense", expense, {"amount": "3000.00"})
    with pytest.raises(hotcrm.WorkflowError, match="no pending approval request"):
        db.session(user=alice).recall("expense", expense)


def test_approval_queue_oldest_first(org, tmp_path):
    db, alice, manager = org["db"], org["alice"], org["manager"]
    ids = [db.insert("expense", {"title": f"E{i}", "amount": "200.00"}) for i in range(3)]
    for i in (2, 0):
        db.session(user=alice).submit("expense", ids[i])
    queue = db.approval_queue(manager)
    assert [q["record_id"] for q in queue] == [ids[2], ids[0]]
    assert all(q["object"] == "expense" and q["status"] == "pending" for q in queue)
    db.approve("expense", ids[2], approver=manager)
    assert [q["record_id"] for q in db.approval_queue(manager)] == [ids[0]]
    assert db.approval_queue("nobody") == []


def test_assign_round_robin_and_queue_only(org):
    db = org["db"]
    first = db.insert("job", {"title": "A", "region": "emea"})
    assert db.get("job", first)["owner_id"] == org["boss"]
    assert db.get("job", first)["queue_id"] == org["emea"]
    kept = db.insert("job", {"title": "keep", "region": "emea"})  # the condition keeps it unassigned
    assert db.get("job", kept)["owner_id"] == "system"
    assert db.assign("job", kept) == org["manager"]
    assert db.get("job", kept)["owner_id"] == org["manager"]
    queued = db.insert("job", {"title": "keep", "region": "other"})
    assert db.assign("job", queued) is None
    assert db.get("job", queued)["queue_id"] == org["desk"]
    nowhere = db.insert("job", {"title": "B"})
    with pytest.raises(hotcrm.WorkflowError, match="no assignment entry matches job"):
        db.assign("job", nowhere)
    with pytest.raises(hotcrm.SchemaError, match="expense has no assignment rules"):
        db.assign("expense", first)
    # Bulk imports assign each row; an explicit owner is kept.
    report = db.import_records("job", [{"title": "C", "region": "emea"}, {"title": "D", "region": "emea", "owner_id": "x"},
                                       {"title": "E", "region": "emea"}])
    assert [db.get("job", i)["owner_id"] for i in report.ids] == [org["boss"], "x", org["manager"]]


def test_sla_clock_pause_and_violation(org):
    db, path = org["db"], org["path"]
    incident = db.insert("incident", {"subject": "Down"})
    [clock] = db.sla("incident", incident)
    assert clock["milestone"] == "resolution" and clock["status"] == "running"
    assert clock["target_minutes"] == 120 and clock["elapsed_minutes"] == 0
    assert clock["started_at"] == MONDAY
    assert clock["due_at"] == MONDAY + dt.timedelta(hours=2)  # no business hours: 24x7
    assert clock["completed_at"] is None and not clock["warned"] and not clock["violated"]
    assert clock["escalation_level"] == 0
    assert db.run_due(MONDAY + dt.timedelta(hours=1))["timers_run"] == 1  # the warning
    assert db.sla("incident", incident)[0]["warned"] is True
    db.close()

    later = open_db(path, now=MONDAY + dt.timedelta(minutes=90))
    later.update("incident", incident, {"status": "waiting"})
    [clock] = later.sla("incident", incident)
    assert clock["status"] == "paused" and clock["elapsed_minutes"] == 90 and clock["due_at"] is None
    later.close()

    resumed = open_db(path, now=MONDAY + dt.timedelta(hours=5))
    resumed.update("incident", incident, {"status": "open"})
    [clock] = resumed.sla("incident", incident)
    assert clock["due_at"] == MONDAY + dt.timedelta(hours=5, minutes=30)  # the 30 minutes left
    assert resumed.run_due(MONDAY + dt.timedelta(hours=6))["timers_run"] == 1
    assert resumed.get("incident", incident)["breached"] is True
    resumed.update("incident", incident, {"status": "closed"})
    [clock] = resumed.sla("incident", incident)
    assert clock["status"] == "missed" and clock["violated"] is True
    with pytest.raises(hotcrm.SchemaError, match="job has no SLA"):
        resumed.sla("job", incident)
    with pytest.raises(hotcrm.NotFoundError):
        resumed.sla("incident", "missing")
    resumed.close()
    org["db"] = open_db(path)  # the fixture closes it


# ---- the CLI ---------------------------------------------------------------------------------------

@pytest.fixture
def cli():
    path = os.environ.get("HOTCRM_CLI")
    if not path or not os.path.exists(path):
        pytest.skip("the hotcrm CLI is not built")
    return lambda *args: subprocess.run([path, *map(str, args)], capture_output=True, text=True, timeout=60)


def test_cli_approval_commands(org, cli):
    db, path, alice, manager = org["db"], org["path"], org["alice"], org["manager"]
    expense = db.insert("expense", {"title": "Laptop", "amount": "2500.00"})
    other = db.insert("expense", {"title": "Pen", "amount": "5.00"})
    db.close()

    out = cli("approval", "submit", path, "expense", expense, "--user", alice, "--comment", "please",
              "--now", "2026-03-02T15:00:00Z", "--format", "json")
    assert out.returncode == 0, out.stderr
    state = json.loads(out.stdout)
    assert state["status"] == "pending" and state["submitted_by"] == alice
    assert state["submitted_at"] == "2026-03-02T15:00:00Z" and state["pending_approvers"] == [manager]

    queue = cli("approval", "queue", path, manager, "--format", "json")
    assert [json.loads(line)["record_id"] for line in queue.stdout.splitlines()] == [expense]
    table = cli("approval", "queue", path, manager)
    assert expense in table.stdout and "(1 row)" in table.stdout

    refused = cli("approval", "approve", path, "expense", expense, "--approver", "mallory")
    assert refused.returncode == 1
    assert "'mallory' is not a pending approver" in refused.stderr

    ok = cli("approval", "approve", path, "expense", expense, "--user", manager, "--now", "2026-03-02T16:00:00Z")
    assert ok.returncode == 0, ok.stderr
    assert "pending step 2 (finance): cfo" in ok.stdout
    rejected = cli("approval", "reject", path, "expense", expense, "--approver", "cfo", "--comment", "no", "--format", "json")
    assert json.loads(rejected.stdout)["step_name"] == "manager"

    shown = cli("approval", "show", path, "expense", expense, "--format", "json")
    history = json.loads(shown.stdout)["history"]
    assert [(h["approver"], h["decision"]) for h in history] == [
        (manager, "approved"), ("cfo", "rejected"), (manager, "pending")]
    assert history[0]["decided_at"] == "2026-03-02T16:00:00Z"
    assert "finance" in cli("approval", "show", path, "expense", expense).stdout

    denied = cli("approval", "recall", path, "expense", expense, "--user", manager)
    assert denied.returncode == 1 and "only the submitter" in denied.stderr
    recalled = cli("approval", "recall", path, "expense", expense, "--user", alice, "--format", "json")
    assert json.loads(recalled.stdout)["status"] == "recalled"

    assert cli("approval", "show", path, "expense", other, "--format", "json").stdout.strip() == "null"
    none = cli("approval", "submit", path, "expense", other, "--user", alice)
    assert none.returncode == 1 and "meets the entry criteria of no approval process" in none.stderr
    assert cli("approval", "show", path, "nothing", other).returncode == 2  # unknown object
    assert cli("approval", "submit", path, "expense", other, "--now", "yesterday").returncode == 2
    assert cli("approval", "show", str(path) + ".missing", "expense", other).returncode == 2
    org["db"] = open_db(path)


def test_cli_assign_and_sla(org, cli):
    db, path = org["db"], org["path"]
    job = db.insert("job", {"title": "keep", "region": "emea"})
    queued = db.insert("job", {"title": "keep", "region": "other"})
    nowhere = db.insert("job", {"title": "B"})
    incident = db.insert("incident", {"subject": "Down"})
    db.close()

    out = cli("assign", path, "job", job, "--format", "json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"user": org["boss"]}
    assert cli("assign", path, "job", queued).stdout.strip() == "(queued, no user)"
    failed = cli("assign", path, "job", nowhere)
    assert failed.returncode == 1 and "no assignment entry matches" in failed.stderr

    out = cli("sla", path, "incident", incident, "--now", "2026-03-02T15:30:00Z", "--format", "json")
    assert out.returncode == 0, out.stderr
    clock = json.loads(out.stdout.splitlines()[0])
    assert clock["milestone"] == "resolution" and clock["elapsed_minutes"] == 30
    assert clock["due_at"] == "2026-03-02T17:00:00Z" and clock["completed_at"] is None
    table = cli("sla", path, "incident", incident, "--now", "2026-03-02T15:30:00Z")
    assert "resolution" in table.stdout and "running" in table.stdout and "(1 row)" in table.stdout
    assert cli("sla", path, "job", job).returncode == 2  # job has no SLA: a schema error
    org["db"] = open_db(path)
