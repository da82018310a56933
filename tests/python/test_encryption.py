"""Field-level encryption from Python and the CLI: keys as a dict, a callable or a key file; rotation;
no clear value in the file; a missing key is a StoreError with code 4005."""

from __future__ import annotations

import json
import os
import subprocess
from decimal import Decimal

import pytest

import hotcrm

CATALOG = [{"name": "patient", "capabilities": {"track_history": True}, "fields": [
    {"name": "name", "type": "text", "required": True},
    {"name": "diagnosis", "type": "textarea", "encrypted": True},
    {"name": "balance", "type": "currency", "encrypted": True},
]}]


def raw_bytes(path):
    data = b""
    for name in (str(path), str(path) + "-wal"):
        if os.path.exists(name):
            with open(name, "rb") as handle:
                data += handle.read()
    return data


def test_dict_keys_round_trip_and_no_clear_text(tmp_path):
    path = tmp_path / "enc.db"
    key = hotcrm.generate_key()
    assert isinstance(key, bytes) and len(key) == 32 and key != hotcrm.generate_key()
    with hotcrm.open(path, CATALOG, keys={"k1": key}) as db:
        pid = db.insert("patient", {"name": "Ada", "diagnosis": "CONFIDENTIAL-ASTHMA", "balance": Decimal("12.50")})
        assert db.get("patient", pid)["diagnosis"] == "CONFIDENTIAL-ASTHMA"
        assert db.get("patient", pid)["balance"] == Decimal("12.50")
        assert b"CONFIDENTIAL-ASTHMA" not in raw_bytes(path)
        with pytest.raises(hotcrm.UsageError, match="encrypted"):
            db.query("patient", where="diagnosis = 'x'")
        created = {e["field"]: e["new_value"] for e in db.history("patient", pid) if e["operation"] == "create"}
        assert created["diagnosis"] == "CONFIDENTIAL-ASTHMA" and created["balance"] == Decimal("12.50")
    assert b"CONFIDENTIAL-ASTHMA" not in raw_bytes(path)

    with hotcrm.open(path) as db:  # no keys
        with pytest.raises(hotcrm.StoreError, match="without a key provider") as info:
            db.get("patient", pid)
        assert info.value.code == hotcrm.ErrorCode.key == 4005

    # Rotation with a callable: k1 retired, k2 current.
    new_key = hotcrm.generate_key()
    asked = []

    def provider(key_id):
        asked.append(key_id)
        return {"k1": key, "k2": new_key}.get(key_id)

    with hotcrm.open(path, keys=provider, current_key="k2") as db:
        assert db.reencrypt() == 2
        assert db.reencrypt() == 0
        assert db.get("patient", pid)["diagnosis"] == "CONFIDENTIAL-ASTHMA"
    assert sorted(set(asked)) == ["k1", "k2"] and len(asked) == 2  # each key asked once
    with hotcrm.open(path, keys={"k2": new_key}) as db:
        assert db.get("patient", pid)["diagnosis"] == "CONFIDENTIAL-ASTHMA"


def test_key_arguments_are_checked(tmp_path):
    key = hotcrm.generate_key()
    with pytest.raises(hotcrm.UsageError, match="current_key"):
        hotcrm.open(tmp_path / "a.db", CATALOG, keys={"k1": key, "k2": key})
    with pytest.raises(hotcrm.UsageError, match="current_key"):
        hotcrm.open(tmp_path / "b.db", CATALOG, keys=lambda key_id: key)
    with pytest.raises(hotcrm.UsageError, match="32"):
        hotcrm.open(tmp_path / "c.db", CATALOG, keys={"k1": b"short"})
    with pytest.raises(hotcrm.UsageError, match="bytes"):
        hotcrm.open(tmp_path / "d.db", CATALOG, keys={"k1": "not bytes"})


def test_cli_key_file_and_rotation(tmp_path):
    cli = os.environ.get("HOTCRM_CLI")
    if not cli or not os.path.exists(cli):
        pytest.skip("the hotcrm CLI is not built")
    run = lambda *args, env=None: subprocess.run([cli, *map(str, args)], capture_output=True, text=True, timeout=60,
                                                  env={**os.environ, **(env or {})})
    first = run("keys", "new", "k1")
    assert first.returncode == 0 and first.stdout.startswith("k1 ") and len(first.stdout.split()[1]) == 64
    key_file = tmp_path / "keys.txt"
    key_file.write_text(first.stdout)
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(CATALOG))
    db = tmp_path / "cli.db"
    assert run("init", db, "--catalog", catalog).returncode == 0
    inserted = run("--key-file", key_file, "insert", db, "patient", '{"name": "Bo", "diagnosis": "CLI-SECRET"}')
    assert inserted.returncode == 0, inserted.stderr
    record_id = inserted.stdout.strip()
    assert b"CLI-SECRET" not in raw_bytes(db)
    got = run("get", db, "patient", record_id, env={"HOTCRM_KEY_FILE": str(key_file)})
    assert got.returncode == 0 and "CLI-SECRET" in got.stdout, got.stderr
    missing = run("get", db, "patient", record_id)
    assert missing.returncode == 3 and "key" in missing.stderr
    key_file.write_text(first.stdout + run("keys", "new", "k2").stdout)
    rotated = run("--key-file", key_file, "keys", "rotate", db)
    assert rotated.returncode == 0 and json.loads(rotated.stdout) == {"reencrypted": 1}
