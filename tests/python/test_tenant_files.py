"""One database file per tenant (hotcrm.open(dir, tenant_files=True)) behind the same Session API."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

import hotcrm
from conftest import lead


def raw(path: Path) -> bytes:
    """A file's bytes and its write-ahead log's: what a reader of the disk sees."""
    wal = Path(str(path) + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_each_tenant_writes_only_its_own_file(tmp_path):
    root = tmp_path / "tenants"
    with hotcrm.open(root, tenant_files=True, id_seed=5) as db:
        assert db.tenant_files and db.path == str(root)
        assert repr(db) == f"<hotcrm.Database path='{root}' tenant_files tenant='default'>"
        for tenant in ("zqalpha", "zqbeta"):
            s = db.session(user=f"{tenant}-user", tenant=tenant)
            lead_id = s.insert("lead", lead(1, last_name=f"{tenant}-lead", email=f"{tenant}@example.com"))
            s.update("lead", lead_id, {"company": f"{tenant}-company"})
            s.import_records("lead", [lead(2, last_name=f"{tenant}-imported")])
            s.set_user(f"{tenant}-admin", administrator=True)
            s.export_person(f"{tenant}@example.com")
            assert s.count("lead") == 2
        assert db.tenants() == ["default", "zqalpha", "zqbeta"]
        assert db.count("lead") == 0
    alpha, beta = raw(root / "zqalpha.db"), raw(root / "zqbeta.db")
    assert b"zqalpha-lead" in alpha and b"zqalpha-imported" in alpha and b"zqalpha-company" in alpha
    assert b"zqbeta-lead" in beta
    assert b"zqbeta" not in alpha and b"zqalpha" not in beta
    assert b"zqalpha" not in raw(root / "default.db")


def test_bad_names_and_paths_are_usage_errors(tmp_path):
    with hotcrm.open(tmp_path / "tenants", tenant_files=True) as db:
        for bad in ("../up", "a/b", "Upper", ".x", ""):
            with pytest.raises(hotcrm.UsageError):
                db.session(user="u", tenant=bad)
        assert db.tenants() == ["default"]
    (tmp_path / "file.db").write_text("x")
    with pytest.raises(hotcrm.UsageError, match="is a file, not a tenant directory"):
        hotcrm.open(tmp_path / "file.db", tenant_files=True)
    with pytest.raises(hotcrm.UsageError, match="invalid tenant name"):
        hotcrm.open(tmp_path / "other", tenant_files=True, tenant="../x")


def test_read_only_directory_creates_nothing(tmp_path):
    root = tmp_path / "tenants"
    with hotcrm.open(root, tenant_files=True, tenant="acme") as db:
        db.insert("lead", lead(1))
    with hotcrm.open(root, tenant_files=True, read_only=True) as db:
        assert db.session(user="u", tenant="acme").count("lead") == 1
        with pytest.raises(hotcrm.UsageError, match="has no file"):
            db.session(user="u", tenant="nobody")
        with pytest.raises(hotcrm.UsageError, match="tenant 'default' has no file"):
            db.count("lead")
    # (SQLite's -wal / -shm companions of the file read may appear: no new database file.)
    assert sorted(p.name for p in root.iterdir() if not p.name.endswith(("-wal", "-shm"))) == ["acme.db", "catalog.json"]


def test_run_due_for_every_tenant_is_the_same_loop_in_both_layouts(layout_db):
    for i, tenant in enumerate(("north", "south")):
        layout_db.session(user="system", tenant=tenant).insert("lead", lead(i))
    tenants = layout_db.tenants()
    assert {"north", "south"} <= set(tenants)
    for tenant in tenants:
        layout_db.session(user="system", tenant=tenant).run_due("2030-01-01T00:00:00Z")
    assert [layout_db.session(user="system", tenant=t).count("lead") for t in ("north", "south")] == [1, 1]


def test_cli_tenant_directory(tmp_path):
    cli = os.environ.get("HOTCRM_CLI")
    if not cli or not os.path.exists(cli):
        pytest.skip("the hotcrm CLI is not built")
    root = tmp_path / "tenants"
    run = lambda *args: subprocess.run([cli, *map(str, args)], capture_output=True, text=True, timeout=60)
    made = run("init", root, "--tenant-files", "--packages", "crm")
    assert made.returncode == 0, made.stderr
    assert run("--tenant", "acme", "insert", root, "lead", '{"last_name": "Acme lead", "company": "A", "email": "a@acme.test"}').returncode == 0
    inserted = run("insert", root, "lead", '{"last_name": "Globex lead", "company": "G", "email": "g@globex.test"}', "--tenant", "globex")
    assert inserted.returncode == 0, inserted.stderr
    assert run("tenants", root).stdout.split() == ["acme", "default", "globex"]
    assert run("--tenant", "acme", "count", root, "lead").stdout.strip() == "1"
    assert "Globex lead" not in run("query", root, "lead", "--tenant", "acme", "--format", "json").stdout
    assert "Globex lead" in run("query", root, "lead", "--tenant", "globex", "--format", "json").stdout
    bad = run("--tenant", "../x", "count", root, "lead")
    assert bad.returncode == 2 and "invalid tenant name" in bad.stderr
    # A single file lists the tenant ids it holds.
    single = tmp_path / "one.db"
    assert run("init", single, "--packages", "crm").returncode == 0
    assert run("--tenant", "t1", "insert", single, "lead", '{"last_name": "x", "company": "y", "email": "x@y.test"}').returncode == 0
    assert run("tenants", single).stdout.split() == ["t1"]
