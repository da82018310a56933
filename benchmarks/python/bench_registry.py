#!/usr/bin/env python3
"""End-to-end scoring benchmark: score N leads from the database with explanations and write the
scores back, hotcrm's registry against the same job in Python with sqlite3 + numpy, same run.

hotcrm: ``db.score("conv", explain=True, write=True)`` with a registered 6-feature logistic model
(features are formulas over the lead; scores, model version, record version and a top-3 factor JSON
go to the scores table in one transaction).
floor: one ``SELECT`` of the same fields with Python's sqlite3, the same features in numpy, the
same logistic model, contributions ``w * (x - mean)``, a top-3 factor JSON per row, and an
``executemany`` upsert into a table of the same shape, committed once.

Each side scores a fresh copy of the same file (so the write is a first write, no rows skipped).
The scores are checked equal before the times are printed.

Usage: PYTHONPATH=<build>/python /usr/bin/python3 benchmarks/python/bench_registry.py [--rows N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import tempfile
import time

import numpy as np

import hotcrm
import hotcrm.models as hm

FEATURES = {
    "revenue_m": "BLANKVALUE(annual_revenue, 0) / 1000000",
    "employees_k": "BLANKVALUE(number_of_employees, 0) / 1000",
    "hot": "ISPICKVAL(rating, 'hot')",
    "warm": "ISPICKVAL(rating, 'warm')",
    "tech": "ISPICKVAL(industry, 'technology')",
    "web": "ISPICKVAL(lead_source, 'web')",
}
COEF = np.array([0.02, 0.3, 1.2, 0.5, 0.4, -0.2])
INTERCEPT = -1.5
MEAN = np.array([2.5, 0.5, 0.33, 0.33, 0.2, 0.25])


# The lead fields the model reads, and those the lead's rules need beside them (an e-mail).
LEAD_FIELDS = ["last_name", "company", "email", "annual_revenue", "number_of_employees", "rating", "industry",
               "lead_source"]


def build(path: str, rows: int) -> None:
    """Leads from the library's sample generator (one batch, so the e-mails are unique), imported."""
    db = hotcrm.open(path, id_seed=11)
    leads = hotcrm.sample_records(db, "lead", rows, seed=7, fields=LEAD_FIELDS)
    db.import_records("lead", leads, workflows=False)
    model = hm.logistic(COEF, INTERCEPT, feature_names=list(FEATURES), mean=MEAN)
    db.register_model("conv", model, features=FEATURES, object="lead")
    db.close()


def floor_job(path: str) -> np.ndarray:
    con = sqlite3.connect(path)
    rows = con.execute("SELECT id, version, annual_revenue, number_of_employees, rating, industry, lead_source "
                       "FROM lead WHERE tenant_id = 'default' ORDER BY rowid").fetchall()
    ids = [r[0] for r in rows]
    version = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
    # Currency is stored as scaled integers or text; decode through float as the engine does.
    revenue = np.array([0.0 if r[2] is None else float(r[2]) for r in rows]) / 100.0
    employees = np.array([0.0 if r[3] is None else float(r[3]) for r in rows])
    rating = np.array([r[4] for r in rows], dtype=object)
    industry = np.array([r[5] for r in rows], dtype=object)
    source = np.array([r[6] for r in rows], dtype=object)
    X = np.column_stack([revenue / 1e6, employees / 1e3, rating == "hot", rating == "warm", industry == "technology",
                         source == "web"]).astype(np.float64)
    contributions = COEF * (X - MEAN)
    base = float(COEF @ MEAN + INTERCEPT)
    raw = base + contributions.sum(axis=1)
    scores = 1.0 / (1.0 + np.exp(-raw))
    names = list(FEATURES)
    order = np.argsort(-contributions, axis=1)
    out = []
    for i in range(len(ids)):
        c = contributions[i]
        pos = [{"feature": names[j], "value": repr(X[i, j]), "contribution": float(c[j])} for j in order[i, :3] if c[j] > 0]
        neg = [{"feature": names[j], "value": repr(X[i, j]), "contribution": float(c[j])} for j in order[i, ::-1][:3] if c[j] < 0]
        out.append(("conv", ids[i], "lead", 1, int(version[i]), float(scores[i]), float(raw[i]),
                    json.dumps({"base": base, "raw": float(raw[i]), "positive": pos, "negative": neg}), 0))
    con.execute("CREATE TABLE IF NOT EXISTS py_scores (model TEXT, record_id TEXT, object TEXT, model_version INTEGER, "
                "record_version INTEGER, score REAL, raw REAL, explanation TEXT, scored_at INTEGER, "
                "PRIMARY KEY (model, record_id))")
    con.executemany("INSERT INTO py_scores VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (model, record_id) DO UPDATE SET "
                    "score = excluded.score, raw = excluded.raw, explanation = excluded.explanation", out)
    con.commit()
    con.close()
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dir", default=None, help="folder for the database files (default: a temporary one)")
    args = parser.parse_args()
    folder = args.dir or tempfile.mkdtemp(prefix="hotcrm-bench-registry-")
    source = os.path.join(folder, "leads.db")
    start = time.perf_counter()
    build(source, args.rows)
    print(f"built {args.rows:,} leads in {time.perf_counter() - start:.1f} s", flush=True)
    copies = []
    for name in ("hotcrm.db", "python.db"):
        target = os.path.join(folder, name)
        shutil.copyfile(source, target)
        copies.append(target)

    start = time.perf_counter()
    floor_scores = floor_job(copies[1])
    floor = time.perf_counter() - start

    db = hotcrm.open(copies[0])
    start = time.perf_counter()
    result = db.score("conv", explain=True, write=True)
    ours = time.perf_counter() - start
    assert result.written == args.rows, result.written
    np.testing.assert_allclose(result.scores, floor_scores, rtol=1e-12)
    db.close()

    n = args.rows
    print(f"{'python sqlite3 + numpy (floor)':<40} {n / floor:>12,.0f} rows/s ({floor:8.2f} s)")
    print(f"{'hotcrm db.score(explain, write)':<40} {n / ours:>12,.0f} rows/s ({ours:8.2f} s)   {floor / ours:5.2f}x floor")
    if args.dir is None:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
