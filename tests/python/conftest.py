"""Fixtures for the hotcrm Python tests: every test runs against real database files in tmp_path."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import hotcrm

FROZEN_NOW = dt.datetime(2024, 5, 1, 12, 30, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "crm.db"


@pytest.fixture
def tmp_db(db_path: Path):
    """A fresh database file with the standard catalog, closed after the test."""
    db = hotcrm.open(db_path, id_seed=42)
    yield db
    db.close()


@pytest.fixture(params=["single_file", "tenant_files"])
def layout_db(request, tmp_path: Path):
    """Like tmp_db, once on one shared file and once on a tenant directory (one file per tenant):
    tests of tenant behaviour take it to prove both layouts behave the same."""
    tenant_files = request.param == "tenant_files"
    db = hotcrm.open(tmp_path / ("tenants" if tenant_files else "crm.db"), id_seed=42, tenant_files=tenant_files)
    yield db
    db.close()


@pytest.fixture
def frozen_db(db_path: Path):
    """Like tmp_db, with the clock frozen at FROZEN_NOW."""
    db = hotcrm.open(db_path, id_seed=7, now=FROZEN_NOW)
    yield db
    db.close()


TICKET = {
    "name": "ticket",
    "label": "Ticket",
    "plural_label": "Tickets",
    "fields": [
        {"name": "subject", "type": "text", "label": "Subject", "required": True, "max_length": 80},
        {"name": "priority", "type": "select", "label": "Priority", "default": "normal",
         "options": [{"value": "low", "label": "Low"}, {"value": "normal", "label": "Normal"},
                     {"value": "high", "label": "High"}]},
        {"name": "tags", "type": "multiselect", "label": "Tags",
         "options": [{"value": "billing", "label": "Billing"}, {"value": "bug", "label": "Bug"},
                     {"value": "vip", "label": "VIP"}]},
        {"name": "amount", "type": "currency", "label": "Amount", "scale": 2},
        {"name": "share", "type": "percent", "label": "Share", "scale": 1},
        {"name": "score", "type": "number", "label": "Score", "scale": 2},
        {"name": "seats", "type": "number", "label": "Seats", "scale": 0},
        {"name": "urgent", "type": "boolean", "label": "Urgent"},
        {"name": "due", "type": "date", "label": "Due"},
        {"name": "opened", "type": "datetime", "label": "Opened"},
        {"name": "code", "type": "text", "label": "Code", "unique": True},
    ],
}


@pytest.fixture
def ticket_catalog(tmp_path: Path) -> Path:
    path = tmp_path / "ticket.json"
    path.write_text(json.dumps(TICKET))
    return path


@pytest.fixture
def ticket_db(tmp_path: Path, ticket_catalog: Path):
    db = hotcrm.open(tmp_path / "tickets.db", catalog=ticket_catalog, id_seed=3)
    yield db
    db.close()


def lead(i: int, **extra):
    """A valid lead record."""
    record = {"last_name": f"Name{i:04d}", "company": f"Company {i % 7}", "email": f"user{i}@example.com"}
    record.update(extra)
    return record
