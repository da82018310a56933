"""Access control from Python and the CLI: permission sets, field-level security, sharing."""

from __future__ import annotations

import json
import os
import subprocess
from decimal import Decimal

import pytest

import hotcrm
from conftest import lead


@pytest.fixture
def org(layout_db):
    db = layout_db  # every access-control test runs on one shared file and on a tenant directory
    db.define_role("head")
    db.define_role("rep_a", "head")
    db.define_role("rep_b", "head")
    db.set_user("boss", role="head")
    db.set_user("ana", role="rep_a")
    db.set_user("bo", role="rep_b")
    db.set_user("root", administrator=True)
    db.grant("sales", "lead", ["create", "read", "edit", "delete"])
    db.grant_field("sales", "lead", "annual_revenue", read=False)
    db.grant_field("finance", "lead", "annual_revenue", read=True, edit=True)
    for user in ("boss", "ana", "bo"):
        db.assign_permission_set(user, "sales")
    db.assign_permission_set("boss", "finance")
    db.set_sharing_model("lead", "private")
    ids = {
        "ana": db.insert("lead", lead(1, owner_id="ana", annual_revenue=Decimal("100"))),
        "bo": db.insert("lead", lead(2, owner_id="bo", annual_revenue=Decimal("200"))),
    }
    return db, ids


def test_private_sharing_and_the_role_hierarchy(org):
    db, ids = org
    ana = db.session(user="ana", access="user")
    assert ana.count("lead") == 1
    assert [row["id"] for row in ana.query("lead")] == [ids["ana"]]
    assert list(ana.query("lead").to_numpy("id")) == [ids["ana"]]
    assert len(ana.query("lead").to_pandas()) == 1
    assert ana.find("lead", ids["bo"]) is None
    with pytest.raises(hotcrm.NotFoundError):
        ana.get("lead", ids["bo"])
    with pytest.raises(hotcrm.NotFoundError):
        ana.update("lead", ids["bo"], {"title": "x"})
    boss = db.session(user="boss", access="user")
    assert boss.count("lead") == 2
    assert boss.update("lead", ids["ana"], {"title": "Lead"}) == 2
    # The default session kind is system: explicit, and it bypasses.
    assert db.session(user="ana").count("lead") == 2
    assert db.session(user="root", access="user").count("lead") == 2
    with pytest.raises(hotcrm.UsageError):
        db.session(user="ana", access="admin")


def test_hidden_fields_and_permission_errors(org):
    db, ids = org
    ana = db.session(user="ana", access="user")
    assert "annual_revenue" not in ana.get("lead", ids["ana"])
    assert "annual_revenue" not in ana.query("lead").fields
    with pytest.raises(hotcrm.SchemaError, match="unknown field"):
        ana.query("lead", fields=["annual_revenue"])
    with pytest.raises(hotcrm.Error, match="unknown field annual_revenue"):
        ana.count("lead", where="annual_revenue * 2 > 10")
    with pytest.raises(hotcrm.ValidationError):
        ana.update("lead", ids["ana"], {"annual_revenue": Decimal("5")})
    assert "annual_revenue" in db.session(user="boss", access="user").get("lead", ids["ana"])
    access = ana.access("lead")
    assert access["hidden_fields"] == ["annual_revenue"] and not access["bypass"]
    assert set(access["permissions"]) == {"create", "read", "edit", "delete"}
    # Without the permission: PermissionError, a subclass of hotcrm.Error, nothing written.
    db.grant("sales", "lead", ["read"])
    with pytest.raises(hotcrm.PermissionError) as raised:
        ana.insert("lead", lead(3))
    assert raised.value.code_name == "store.permission"
    with pytest.raises(hotcrm.PermissionError):
        ana.delete("lead", ids["ana"])
    with pytest.raises(hotcrm.PermissionError):
        ana.import_records("lead", [lead(4)])
    with pytest.raises(hotcrm.PermissionError):
        ana.grant("sales", "lead", ["read", "edit"])
    assert db.count("lead") == 2


def test_sharing_rules_and_manual_shares(org):
    db, ids = org
    ana = db.session(user="ana", access="user")
    db.add_sharing_rule("companies", "lead", "company = 'Company 2'", "role:rep_a")
    assert ana.count("lead") == 2
    assert "owner_id" in ana.explain("lead")
    with pytest.raises(hotcrm.PermissionError):
        ana.update("lead", ids["bo"], {"title": "x"})
    db.remove_sharing_rule("lead", "companies")
    assert ana.count("lead") == 1
    db.share("lead", ids["bo"], "user:ana", access="edit")
    assert ana.update("lead", ids["bo"], {"title": "Shared"}) == 2
    assert db.shares("lead", ids["bo"]) == [{"grantee": "user:ana", "access": "edit"}]
    db.unshare("lead", ids["bo"], "user:ana")
    assert ana.count("lead") == 1
    db.add_to_group("team", "ana")
    db.share("lead", ids["bo"], "group:team")
    assert ana.count("lead") == 2
    with pytest.raises(hotcrm.UsageError):
        db.share("lead", ids["bo"], "team:x")
    assert db.user_access("ana") == {"user": "ana", "role": "rep_a", "administrator": False}


def test_tenants_never_mix(org):
    db, ids = org
    other = db.session(user="system", tenant="other")
    other.set_user("ana")
    other.grant("sales", "lead", ["read"])
    other.assign_permission_set("ana", "sales")
    assert db.session(user="ana", tenant="other", access="user").count("lead") == 0
    assert db.session(user="ana", tenant="other", access="user").find("lead", ids["ana"]) is None


def test_cli_access_commands(tmp_path):
    cli = os.environ.get("HOTCRM_CLI")
    if not cli or not os.path.exists(cli):
        pytest.skip("the hotcrm CLI is not built")
    path = tmp_path / "cli.db"
    with hotcrm.open(path) as db:
        mine = db.insert("lead", lead(1, owner_id="ana"))
        theirs = db.insert("lead", lead(2, owner_id="bo"))
    run = lambda *args: subprocess.run([cli, *map(str, args)], capture_output=True, text=True, timeout=60)
    for args in (("role", path, "rep"), ("user", path, "ana", "--role", "rep"), ("user", path, "bo"),
                 ("grant", path, "sales", "lead", "read,edit"), ("assign", path, "ana", "sales"),
                 ("field", path, "sales", "lead", "annual_revenue", "--hidden"), ("sharing", path, "lead", "private")):
        done = run("access", *args)
        assert done.returncode == 0, (args, done.stderr)
    count = run("count", path, "lead")
    assert count.stdout.strip() == "2"
    shown = run("query", path, "lead", "--as", "ana", "--format", "json")
    assert shown.returncode == 0, shown.stderr
    assert mine in shown.stdout and theirs not in shown.stdout and "annual_revenue" not in shown.stdout
    exported = run("export", path, "lead", "--as", "ana")
    assert mine in exported.stdout and theirs not in exported.stdout
    assert run("access", "share", path, "lead", theirs, "user:ana").returncode == 0
    assert theirs in run("query", path, "lead", "--as", "ana", "--format", "json").stdout
    show = json.loads(run("access", "show", path, "lead", "--user", "ana").stdout)
    assert show["hidden_fields"] == ["annual_revenue"] and show["permissions"] == ["read", "edit"]
    bad = run("access", "sharing", path, "lead", "open")
    assert bad.returncode != 0 and "unknown sharing model" in bad.stderr
    assert show["hierarchy"] is True and show["controlled_by"] == []
    assert run("access", "sharing", path, "lead", "--no-hierarchy").returncode == 0
    assert json.loads(run("access", "show", path, "lead", "--user", "ana").stdout)["hierarchy"] is False
    assert run("access", "sharing", path, "lead", "private", "--hierarchy").returncode == 0
    assert json.loads(run("access", "show", path, "lead", "--user", "ana").stdout)["hierarchy"] is True
    neither = run("access", "sharing", path, "lead")
    assert neither.returncode == 2 and "--no-hierarchy" in neither.stderr
    both = run("access", "sharing", path, "lead", "--hierarchy", "--no-hierarchy")
    assert both.returncode != 0
    # A group: members with or without the hierarchy switch, and the switch alone.
    assert run("access", "group", path, "emea", "ana", "--no-hierarchy").returncode == 0
    assert run("access", "group", path, "emea", "--hierarchy").returncode == 0
    assert run("access", "group", path, "emea", "ana", "--remove").returncode == 0
    nothing = run("access", "group", path, "emea")
    assert nothing.returncode == 2 and "give a user" in nothing.stderr
    assert run("access", "group", path, "emea", "--remove").returncode == 2


def test_shares_roll_up_the_hierarchy_unless_switched_off(org):
    db, ids = org
    shared = db.insert("lead", lead(3, owner_id="nobody"))
    db.share("lead", shared, "user:ana")
    boss = db.session(user="boss", access="user")
    bo = db.session(user="bo", access="user")
    assert boss.count("lead") == 3  # ana's, bo's, and the one shared with ana
    assert boss.get("lead", shared)["id"] == shared
    assert bo.count("lead") == 1 and bo.find("lead", shared) is None
    assert boss.access("lead")["hierarchy"] is True
    db.set_sharing_hierarchy("lead", False)
    assert boss.access("lead")["hierarchy"] is False
    assert boss.count("lead") == 0
    with pytest.raises(hotcrm.NotFoundError):
        boss.get("lead", shared)
    with pytest.raises(hotcrm.NotFoundError):
        boss.update("lead", ids["ana"], {"title": "x"})
    assert db.session(user="ana", access="user").count("lead") == 2
    with pytest.raises(hotcrm.PermissionError):
        boss.set_sharing_hierarchy("lead", True)
    db.set_sharing_hierarchy("lead", True)
    assert boss.count("lead") == 3


def test_a_group_can_keep_its_shares_from_its_members_managers(org):
    db, ids = org
    shared = db.insert("lead", lead(3, owner_id="nobody"))
    db.add_to_group("emea", "ana")
    db.share("lead", shared, "group:emea")
    boss = db.session(user="boss", access="user")
    assert boss.count("lead") == 3  # ana's, bo's, and the one shared with ana's group
    db.set_group_hierarchy("emea", False)
    assert boss.count("lead") == 2 and boss.find("lead", shared) is None
    assert db.session(user="ana", access="user").find("lead", shared) is not None
    with pytest.raises(hotcrm.PermissionError):
        boss.set_group_hierarchy("emea", True)
    db.set_group_hierarchy("emea", True)
    assert boss.count("lead") == 3


DETAIL_CATALOG = [
    {"name": "account", "fields": [{"name": "name", "type": "text", "required": True}]},
    {"name": "visit", "fields": [
        {"name": "subject", "type": "text", "required": True},
        {"name": "account_id", "type": "master_detail", "reference": "account", "required": True}]},
]


def test_a_detail_follows_its_master(tmp_path):
    with hotcrm.open(tmp_path / "detail.db", catalog=DETAIL_CATALOG, id_seed=5) as db:
        for user in ("ana", "bo"):
            db.set_user(user)
            db.assign_permission_set(user, "sales")
        for obj in ("account", "visit"):
            db.grant("sales", obj, ["create", "read", "edit", "delete"])
        mine = db.insert("account", {"name": "Mine", "owner_id": "ana"})
        theirs = db.insert("account", {"name": "Theirs", "owner_id": "bo"})
        # The visit's owner does not matter: its account decides.
        my_visit = db.insert("visit", {"subject": "a", "account_id": mine, "owner_id": "bo"})
        their_visit = db.insert("visit", {"subject": "b", "account_id": theirs, "owner_id": "ana"})
        ana = db.session(user="ana", access="user")
        assert [row["id"] for row in ana.query("visit")] == [my_visit]
        assert ana.count("visit") == 1
        assert ana.access("visit")["controlled_by"] == ["account_id"]
        with pytest.raises(hotcrm.NotFoundError):
            ana.get("visit", their_visit)
        with pytest.raises(hotcrm.NotFoundError):
            ana.update("visit", their_visit, {"subject": "x"})
        with pytest.raises(hotcrm.NotFoundError):
            ana.insert("visit", {"subject": "x", "account_id": theirs})
        db.share("account", theirs, "user:ana")  # read: the visit reads, but is not ana's to change
        assert ana.get("visit", their_visit)["subject"] == "b"
        with pytest.raises(hotcrm.PermissionError):
            ana.update("visit", their_visit, {"subject": "x"})
        with pytest.raises(hotcrm.PermissionError):
            ana.insert("visit", {"subject": "x", "account_id": theirs})
        with pytest.raises(hotcrm.PermissionError):
            ana.delete("visit", their_visit)
        db.share("account", theirs, "user:ana", access="edit")
        assert ana.update("visit", their_visit, {"subject": "c"}) == 2
        # A detail has no sharing of its own to configure.
        for configure in (lambda: db.set_sharing_model("visit", "public_read"),
                          lambda: db.set_sharing_hierarchy("visit", False),
                          lambda: db.add_sharing_rule("all", "visit", "TRUE", "user:bo"),
                          lambda: db.share("visit", my_visit, "user:bo")):
            with pytest.raises(hotcrm.UsageError, match="detail of account"):
                configure()
        assert db.session(user="bo", access="user").find("visit", my_visit) is None


def test_lead_conversion_into_an_account_the_user_cannot_see(org):
    db, ids = org
    for name in ("account", "contact", "opportunity"):
        db.grant("sales", name, ["create", "read", "edit", "delete"])
    db.set_sharing_model("account", "private")
    hidden = db.insert("account", {"name": "Hidden", "owner_id": "bo"})
    ana = db.session(user="ana", access="user")
    contacts = db.count("contact")
    with pytest.raises(hotcrm.NotFoundError, match="no account"):
        ana.convert_lead(ids["ana"], account_id=hidden)
    assert db.count("contact") == contacts
    assert not db.get("lead", ids["ana"])["is_converted"]
    own = db.insert("account", {"name": "Own", "owner_id": "ana"})
    converted = ana.convert_lead(ids["ana"], account_id=own)
    assert db.get("contact", converted["contact_id"])["account_id"] == own
