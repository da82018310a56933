"""Field history, its verification, GDPR export / erasure and online backup from Python and the CLI."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import threading
import time
from decimal import Decimal

import pytest

import hotcrm
from conftest import FROZEN_NOW, lead


def test_history_is_typed_and_attributed(frozen_db):
    ana = frozen_db.session(user="ana")
    lead_id = ana.insert("lead", lead(1, annual_revenue=Decimal("1200.50"), phone="+1 555 0100"))
    frozen_db.session(user="bo").update("lead", lead_id, {"annual_revenue": Decimal("900")})
    entries = frozen_db.history("lead", lead_id)
    assert [e["sequence"] for e in entries] == sorted(e["sequence"] for e in entries)
    created = {e["field"]: e for e in entries if e["operation"] == "create"}
    assert created["last_name"]["new_value"] == "Name0001"
    assert created["annual_revenue"]["new_value"] == Decimal("1200.50")
    assert created["owner_id"]["new_value"] == "ana"
    assert created["last_name"]["actor"] == "ana"
    assert created["last_name"]["at"] == FROZEN_NOW
    (change,) = [e for e in entries if e["operation"] == "update"]
    assert (change["field"], change["old_value"], change["new_value"], change["actor"]) == (
        "annual_revenue", Decimal("1200.50"), Decimal("900.00"), "bo")
    assert not change["erased"] and len(change["hash"]) == 64
    frozen_db.delete("lead", lead_id)
    assert {e["operation"] for e in frozen_db.history("lead", lead_id)} == {"create", "update", "delete"}
    with pytest.raises(hotcrm.SchemaError):
        frozen_db.history("no_such_object", lead_id)
    assert frozen_db.history("lead", "unknown-id") == []


def test_history_as_dataframe(tmp_db):
    pd = pytest.importorskip("pandas")
    lead_id = tmp_db.insert("lead", lead(2))
    tmp_db.update("lead", lead_id, {"status": "contacted"})
    frame = pd.DataFrame(tmp_db.history("lead", lead_id))
    assert list(frame.columns[:4]) == ["sequence", "at", "actor", "operation"]
    assert frame.loc[frame["operation"] == "update", "new_value"].tolist() == ["contacted"]


def test_verify_detects_tampering(tmp_db, db_path):
    lead_id = tmp_db.insert("lead", lead(3))
    tmp_db.update("lead", lead_id, {"title": "CEO"})
    report = tmp_db.verify_history()
    assert report["ok"] and report["broken_at"] is None and report["entries"] >= 3
    tmp_db.close()
    raw = sqlite3.connect(db_path)
    raw.execute("UPDATE _hotcrm_history SET actor = 'mallory' WHERE seq = 2")
    raw.commit()
    raw.close()
    with hotcrm.open(db_path, read_only=True) as again:
        broken = again.verify_history()
    assert not broken["ok"] and broken["broken_at"] == 2 and "hash" in broken["problem"]


def test_export_and_erase_person(tmp_db):
    lead_id = tmp_db.insert("lead", lead(4, first_name="Grace", last_name="Hopper", email="grace@example.com",
                                      city="Arlington"))
    tmp_db.insert("lead", lead(5))
    document = tmp_db.session(user="dpo").export_person("GRACE@example.com")
    assert [(r["object"], r["id"]) for r in document["records"]] == [("lead", lead_id)]
    assert document["records"][0]["fields"]["city"] == "Arlington"
    assert any(e["field"] == "email" for e in document["history"])
    report = tmp_db.session(user="dpo").erase_person("grace@example.com")
    assert ("lead", lead_id) in report["records"] and report["fields"] >= 4 and report["history_entries"] >= 1
    erased = tmp_db.get("lead", lead_id)
    assert erased["email"] is None and erased["first_name"] is None and erased["city"] is None
    assert erased["last_name"] == "erased" and erased["company"] == "Company 4"
    assert all(e["erased"] for e in tmp_db.history("lead", lead_id) if e["field"] in ("email", "first_name"))
    assert tmp_db.verify_history()["ok"]
    with pytest.raises(hotcrm.UsageError, match="not an e-mail address"):
        tmp_db.erase_person("grace")


def test_backup_while_writing(tmp_db, tmp_path):
    for i in range(50):
        tmp_db.insert("lead", lead(i))
    stop = threading.Event()
    written = [0]

    def writer():
        session = tmp_db.session(user="writer")
        i = 1000
        while not stop.is_set():
            session.insert("lead", lead(i))
            written[0] += 1
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while written[0] < 5:
            time.sleep(0.001)
        copy = tmp_path / "copy.db"
        tmp_db.backup(copy, pages_per_step=4)
    finally:
        stop.set()
        thread.join()
    with pytest.raises(hotcrm.UsageError, match="exists"):
        tmp_db.backup(copy)
    with hotcrm.open(copy, read_only=True) as backup:
        assert 55 <= backup.count("lead") <= tmp_db.count("lead")
        assert backup.verify_history()["ok"]
    raw = sqlite3.connect(copy)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()


def test_cli_history_audit_backup_gdpr(tmp_path):
    cli = os.environ.get("HOTCRM_CLI")
    if not cli or not os.path.exists(cli):
        pytest.skip("the hotcrm CLI is not built")
    path = tmp_path / "cli.db"
    with hotcrm.open(path) as db:
        lead_id = db.insert("lead", lead(6, email="linus@example.com"))
        db.update("lead", lead_id, {"title": "Maintainer"})
    run = lambda *args: subprocess.run([cli, *map(str, args)], capture_output=True, text=True, timeout=60)
    history = run("history", path, "lead", lead_id)
    assert history.returncode == 0, history.stderr
    rows = [json.loads(line) for line in history.stdout.splitlines()]
    assert {"field": "title", "old_value": None, "new_value": "Maintainer"}.items() <= rows[-1].items()
    table = run("history", path, "lead", lead_id, "--format", "table")
    assert "Maintainer" in table.stdout and "rows)" in table.stdout
    verified = run("audit", "verify", path)
    assert verified.returncode == 0 and json.loads(verified.stdout)["ok"]
    assert run("backup", path, tmp_path / "copy.db").returncode == 0
    again = run("backup", path, tmp_path / "copy.db")
    assert again.returncode == 2 and "exists" in again.stderr
    assert run("backup", path, tmp_path / "copy.db", "--overwrite").returncode == 0
    exported = run("gdpr", "export", path, "linus@example.com", "--user", "dpo")
    assert exported.returncode == 0 and json.loads(exported.stdout)["records"][0]["id"] == lead_id
    erased = run("gdpr", "erase", path, "linus@example.com")
    assert erased.returncode == 0 and json.loads(erased.stdout)["fields"] >= 2
    assert run("gdpr", "erase", path, "nonsense").returncode == 2
    assert run("history", path, "nothing", lead_id).returncode == 2
    raw = sqlite3.connect(path)
    raw.execute("DELETE FROM _hotcrm_history WHERE seq = 3")
    raw.commit()
    raw.close()
    broken = run("audit", "verify", path)
    assert broken.returncode == 1
    assert json.loads(broken.stdout)["broken_at"] == 3 and "entry 3" in broken.stderr
