#!/usr/bin/env python3
"""hotcrm quickstart: create a database, write leads, query them, import a DataFrame.

Run from a build tree:
    PYTHONPATH=<build>/python /usr/bin/python3 examples/python/quickstart.py [crm.db]
Without an argument the database goes to a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import hotcrm


def run(path: Path) -> None:
    with hotcrm.open(path) as db:
        print("objects:", ", ".join(db.objects()))

        # Records are dicts; currency is decimal.Decimal, never float.
        lead_id = db.insert("lead", {"last_name": "Ng", "company": "Acme", "email": "ng@acme.io",
                                     "annual_revenue": Decimal("2500000.00")})
        db.update("lead", lead_id, {"status": "contacted"})
        print("lead:", {k: v for k, v in db.get("lead", lead_id).items() if v is not None and k != "tenant_id"})

        # Errors are exceptions with a stable code and, for record values, a list of field errors.
        try:
            db.insert("lead", {"last_name": "Duplicate", "company": "Acme", "email": "ng@acme.io"})
        except hotcrm.ConflictError as error:
            print("conflict:", error.errors[0]["field"], error.errors[0]["code"])
        try:
            db.insert("lead", {"last_name": "Bad", "email": "nope"})
        except hotcrm.ValidationError as error:
            print("rejected:", [(e["field"], e["code"]) for e in error.errors])

        # Work on behalf of a user, atomically.
        with db.session(user="u-17") as s, db.transaction():
            for i in range(3):
                s.insert("lead", {"last_name": f"Lee{i}", "company": "Globex", "email": f"lee{i}@globex.com",
                                  "status": "contacted", "annual_revenue": Decimal(1_000_000 * (i + 1))})

        # Bulk import: a DataFrame goes column by column into the engine.
        try:
            import pandas as pd
        except ImportError:
            pd = None
        if pd is not None:
            frame = pd.DataFrame({
                "last_name": ["Kim", "Ono", None],
                "company": ["Initech", "Hooli", "Umbrella"],
                "email": ["kim@initech.com", "ono@hooli.com", "x@umbrella.com"],
                "annual_revenue": [3_500_000.0, float("nan"), 10.0],
                "status": "contacted",
            })
            report = db.import_records("lead", frame, on_error="skip")
            print(f"import: {report.inserted} inserted, rejected {report.rejected}")

        res = db.query("lead", where="status = 'contacted' AND annual_revenue > 1000000",
                       order_by=["-annual_revenue", "last_name"], limit=50, fields=["last_name", "annual_revenue"])
        print(f"{len(res)} contacted leads above 1M:")
        for row in res:
            print(f"  {row['last_name']:<8} {row['annual_revenue']:>14}")
        print("revenue as numpy:", res.to_numpy("annual_revenue"))
        if pd is not None:
            print(res.to_pandas().dtypes.to_string())
        by_status = db.aggregate("lead", group_by=["status"], aggregates=[("count", None), ("sum", "annual_revenue")])
        print("by status:", [(r["status"], r["count"], r["sum_annual_revenue"]) for r in by_status])
        db.delete("lead", lead_id)
        print("leads left:", db.count("lead"))


def main(argv: list[str]) -> int:
    if len(argv) > 1:
        run(Path(argv[1]))
    else:
        with tempfile.TemporaryDirectory() as folder:
            run(Path(folder) / "crm.db")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
