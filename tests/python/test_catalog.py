"""Catalogs: hotcrm.open(catalog=...), objects(), describe()."""

from __future__ import annotations

import json

import pytest

import hotcrm
from conftest import TICKET


def test_objects_and_describe(tmp_db):
    objects = tmp_db.objects()
    assert len(objects) == 72  # every package of the standard catalog
    assert {"account", "contact", "lead", "opportunity", "user", "support_case", "employee"} <= set(objects)
    d = tmp_db.describe("lead")
    assert d["name"] == "lead" and d["label"] == "Lead"
    assert [r["name"] for r in d["rules"]] == ["email_or_phone_required", "converted_status_final",
                                               "high_revenue_requires_industry", "high_score_not_in_public_pool"]
    fields = d["fields"]
    assert list(fields)[0] == "id" and fields["id"]["system"] is True
    assert fields["last_name"]["type"] == "text" and fields["last_name"]["required"] is True
    assert fields["last_name"]["max_length"] == 80
    assert fields["email"]["unique"] is True
    assert fields["status"]["options"] == ["new", "contacted", "qualified", "unqualified", "converted"]
    assert fields["status"]["default"] == "new"
    assert fields["status"]["option_labels"]["contacted"] == "Contacted"
    assert fields["annual_revenue"]["type"] == "currency" and fields["annual_revenue"]["scale"] == 2
    assert fields["converted_account_id"]["reference"] == "account"
    assert fields["converted_account_id"]["read_only"] is True
    assert d["capabilities"]["searchable"] is True


def test_catalog_file(ticket_db):
    assert ticket_db.objects() == ["ticket"]
    assert ticket_db.describe("ticket")["fields"]["tags"]["type"] == "multiselect"
    assert json.loads(ticket_db.catalog_json("ticket"))["name"] == "ticket"


def test_catalog_folder_and_dict(tmp_path):
    folder = tmp_path / "objects"
    (folder / "sub").mkdir(parents=True)
    (folder / "ticket.json").write_text(json.dumps(TICKET))
    (folder / "sub" / "note.json").write_text(json.dumps({"name": "note", "fields": [{"name": "body", "type": "textarea"}]}))
    with hotcrm.open(tmp_path / "a.db", catalog=folder) as db:
        assert sorted(db.objects()) == ["note", "ticket"]
    with hotcrm.open(":memory:", catalog={"name": "note", "fields": [{"name": "body", "type": "text"}]}) as db:
        assert db.objects() == ["note"]


def test_extend_standard(tmp_path):
    project = {"name": "project", "fields": [
        {"name": "title", "type": "text", "required": True},
        {"name": "account_id", "type": "lookup", "reference": "account", "on_delete": "cascade"}]}
    path = tmp_path / "project.json"
    path.write_text(json.dumps(project))
    with pytest.raises(hotcrm.SchemaError):
        hotcrm.open(tmp_path / "x.db", catalog=path)  # account is unknown on its own
    with hotcrm.open(tmp_path / "y.db", catalog=path, extend_standard=True) as db:
        assert "project" in db.objects() and "lead" in db.objects()
        account = db.insert("account", {"name": "Acme"})
        project_id = db.insert("project", {"title": "P", "account_id": account})
        res = db.query("project", fields=["title", "account_id.name"])
        assert res[0] == {"title": "P", "account_id.name": "Acme"}
        assert res.kinds["account_id.name"] == "text"
        db.delete("account", account)
        assert db.find("project", project_id) is None


def test_invalid_catalog_is_schema_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "thing", "fields": [{"name": "x", "type": "nonsense"}]}))
    with pytest.raises(hotcrm.SchemaError) as info:
        hotcrm.open(tmp_path / "b.db", catalog=bad)
    assert "nonsense" in str(info.value) and info.value.code == 2000
    with pytest.raises(hotcrm.Error):
        hotcrm.open(tmp_path / "c.db", catalog=tmp_path / "missing.json")


def test_destructive_migration_is_refused(tmp_path):
    path = tmp_path / "m.db"
    two = {"name": "note", "fields": [{"name": "a", "type": "text"}, {"name": "b", "type": "text"}]}
    one = {"name": "note", "fields": [{"name": "a", "type": "text"}]}
    hotcrm.open(path, catalog=two).close()
    with pytest.raises(hotcrm.SchemaError) as info:
        hotcrm.open(path, catalog=one)
    assert info.value.code == hotcrm.ErrorCode.schema_conflict
    with hotcrm.open(path, catalog=one, allow_destructive=True) as db:
        assert db.migration


def test_standard_catalog_json():
    doc = json.loads(hotcrm.standard_catalog_json())
    names = {o["name"] for o in doc["objects"]}
    assert len(names) == 72 and {"account", "contact", "lead", "opportunity", "user"} <= names


def test_packages_select_part_of_the_standard_catalog(db_path):
    names = [package["name"] for package in hotcrm.packages()]
    assert names[0] == "platform" and {"crm", "support", "hr"} <= set(names)
    with hotcrm.open(db_path, packages=["hr"]) as db:
        objects = set(db.objects())
        assert "employee" in objects and "user" in objects
        assert "lead" not in objects and "invoice" not in objects
    with pytest.raises(hotcrm.UsageError, match="nosuch"):
        hotcrm.open(db_path.with_name("other.db"), packages=["nosuch"])
    with pytest.raises(hotcrm.UsageError, match="packages="):
        hotcrm.open(db_path.with_name("third.db"), catalog={"name": "x", "fields": []}, packages=["crm"])


def test_rollups_are_described_and_kept(tmp_db):
    subtotal = tmp_db.describe("quote")["fields"]["subtotal"]
    assert subtotal["read_only"] is True
    assert subtotal["rollup"] == {"object": "quote_line_item", "via": "quote_id", "function": "sum",
                                  "field": "total_price", "filter": None}
    contract_value = tmp_db.describe("account")["fields"]["contract_value"]["rollup"]
    assert contract_value["filter"] == "ISPICKVAL(status, 'activated')"


def test_package_extensions(tmp_path):
    marketing = next(p for p in hotcrm.packages() if p["name"] == "marketing")
    assert {e["object"]: e["fields"] for e in marketing["extends"]} == {"lead": ["campaign_id"],
                                                                         "opportunity": ["campaign_id"]}
    products = next(p for p in hotcrm.packages() if p["name"] == "products")
    assert products["extends"] == [{"object": "opportunity", "fields": ["quote_count"],
                                    "validation_rules": ["proposal_requires_quote"]}]
    with hotcrm.open(tmp_path / "all.db") as db:
        fields = db.describe("opportunity")["fields"]
        assert fields["campaign_id"]["package"] == "marketing" and fields["amount"]["package"] is None
        assert fields["quote_count"]["rollup"]["function"] == "count"
        rules = {r["name"]: r["package"] for r in db.describe("opportunity")["rules"]}
        assert rules["proposal_requires_quote"] == "products" and rules["closed_won_requires_amount"] is None
        account = db.insert("account", {"name": "Acme"})
        campaign = db.insert("campaign", {"name": "Spring"})
        db.insert("opportunity", {"name": "D", "account_id": account, "close_date": "2026-06-30",
                                  "stage": "closed_won", "amount": "1250.50", "campaign_id": campaign})
        assert str(db.get("campaign", campaign)["actual_revenue"]) == "1250.50"
    with hotcrm.open(tmp_path / "crm.db", packages=["crm"]) as db:
        assert "campaign_id" not in db.describe("opportunity")["fields"]


def test_extend_standard_with_an_extension(tmp_path):
    extension = {"extends": "lead", "fields": [{"name": "shoe_size", "type": "number", "min": 20}]}
    with hotcrm.open(tmp_path / "x.db", catalog=extension, extend_standard=True) as db:
        lead = db.insert("lead", {"last_name": "Ng", "company": "Acme", "email": "ng@acme.io", "shoe_size": 42})
        assert db.get("lead", lead)["shoe_size"] == 42
        assert db.describe("lead")["fields"]["shoe_size"]["package"] is None
    clash = {"extends": "opportunity", "fields": [{"name": "campaign_id", "type": "text"}]}
    with pytest.raises(hotcrm.SchemaError) as info:
        hotcrm.open(tmp_path / "y.db", catalog=clash, extend_standard=True)
    assert "package 'marketing' already defines" in str(info.value)
    with pytest.raises(hotcrm.SchemaError) as info:
        hotcrm.open(tmp_path / "z.db", catalog=extension)  # alone, the lead it extends is missing
    assert "extends unknown object 'lead'" in str(info.value)
