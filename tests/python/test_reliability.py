"""Recycle bin, query limits and oversized input from Python and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess

import pytest

import hotcrm

CATALOG = [
    {"name": "account", "fields": [
        {"name": "name", "type": "text", "required": True},
        {"name": "code", "type": "text", "unique": True},
        {"name": "contacts", "type": "number",
         "rollup": {"object": "contact", "via": "account_id", "function": "count"}}]},
    {"name": "contact", "fields": [
        {"name": "last_name", "type": "text", "required": True},
        {"name": "account_id", "type": "lookup", "reference": "account", "on_delete": "cascade"}]},
]
NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.timezone.utc)


def test_delete_restore_purge(tmp_path):
    with hotcrm.open(tmp_path / "bin.db", CATALOG, now=NOW) as db:
        account = db.insert("account", {"name": "Acme", "code": "A1"})
        contact = db.insert("contact", {"last_name": "Ng", "account_id": account})
        db.session(user="ana").delete("account", account)
        with pytest.raises(hotcrm.NotFoundError):
            db.get("contact", contact)
        assert db.count("account") == 0
        binned = db.recycle_bin()
        assert {(r["object"], r["deleted_with_id"]) for r in binned} == {("account", None), ("contact", account)}
        assert all(r["deleted_by"] == "ana" and r["deleted_at"] == NOW for r in binned)
        assert len(db.recycle_bin("contact")) == 1
        with pytest.raises(hotcrm.UsageError, match="restore that record"):
            db.restore("contact", contact)
        taken = db.insert("account", {"name": "Other", "code": "A1"})
        with pytest.raises(hotcrm.ConflictError):
            db.restore("account", account)
        db.update("account", taken, {"code": "A2"})
        assert db.restore("account", account) == 2
        assert db.get("account", account)["contacts"] == 1
        assert db.recycle_bin() == []
        db.delete("contact", contact)
        assert db.purge(NOW + dt.timedelta(days=10), dt.timedelta(days=30)) == 0
        assert db.purge(NOW + dt.timedelta(days=31), dt.timedelta(days=30)) == 1
        with pytest.raises(hotcrm.NotFoundError):
            db.restore("contact", contact)
        with pytest.raises(hotcrm.UsageError):
            db.purge(NOW, 30)


def test_query_timeout_and_cancel(tmp_path):
    catalog = [{"name": "item", "fields": [
        {"name": "name", "type": "text"}, {"name": "weight", "type": "number"},
        {"name": "heavy", "type": "formula", "expression": "weight * 3 + LEN(name)", "return_type": "number"}]}]
    with hotcrm.open(tmp_path / "items.db", catalog) as db:
        db.import_records("item", {"name": [f"item {i}" for i in range(20000)], "weight": [i % 97 for i in range(20000)]})
        with pytest.raises(hotcrm.CancelledError) as info:
            db.query("item", order_by="-heavy", timeout=0.001)
        assert info.value.code == hotcrm.ErrorCode.deadline
        token = hotcrm.CancelToken()
        assert not token.cancelled
        token.cancel()
        assert token.cancelled
        with pytest.raises(hotcrm.CancelledError) as info:
            db.query("item", cancel=token)
        assert info.value.code == hotcrm.ErrorCode.cancelled
        with pytest.raises(hotcrm.CancelledError):
            db.aggregate("item", group_by=["name"], aggregates=[("count", None)], cancel=token)
        with pytest.raises(hotcrm.UsageError):
            db.query("item", timeout=-1)
        assert len(db.query("item", where="weight = 3", timeout=60)) > 0


def test_oversized_jsonl_line_is_rejected(tmp_path):
    path = tmp_path / "big.jsonl"
    with open(path, "w") as handle:
        handle.write('{"name": "a"}\n{"name": "' + "x" * (16 * 1024 * 1024) + '"}\n{"name": "b"}\n')
    catalog = [{"name": "item", "fields": [{"name": "name", "type": "text"}]}]
    with hotcrm.open(tmp_path / "big.db", catalog) as db:
        report = db.import_file("item", path, on_error="skip")
        assert report.inserted == 2
        assert [r["code"] for r in report.rejected] == ["too_large"]


def test_cli_recycle_bin_and_timeout(tmp_path):
    cli = os.environ.get("HOTCRM_CLI")
    if not cli or not os.path.exists(cli):
        pytest.skip("the hotcrm CLI is not built")
    path = tmp_path / "cli.db"
    with hotcrm.open(path, CATALOG) as db:
        account = db.insert("account", {"name": "Acme"})
        db.insert("contact", {"last_name": "Ng", "account_id": account})
    run = lambda *args: subprocess.run([cli, *map(str, args)], capture_output=True, text=True, timeout=60)
    assert run("delete", path, "account", account).returncode == 0
    listed = run("recycle-bin", path)
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 2
    restored = run("restore", path, "account", account, "--user", "bo")
    assert restored.returncode == 0, restored.stderr
    assert json.loads(restored.stdout) == {"restored": 2}
    assert run("restore", path, "account", account).returncode == 1  # not in the bin any more
    assert run("delete", path, "account", account).returncode == 0
    purged = run("purge", path, "--older-than", "0", "--now", "2999-01-01T00:00:00Z")
    assert purged.returncode == 0 and json.loads(purged.stdout) == {"purged": 2}
    queried = run("query", path, "account", "--timeout", "5")
    assert queried.returncode == 0, queried.stderr
