#!/usr/bin/env python3
"""End-to-end Python benchmark: hotcrm vs Python's own sqlite3 module, same run, same schema.

1. import: a pandas DataFrame of leads from the sample generator (last_name, company, email unique,
   status, annual_revenue, number_of_employees, industry) -> hotcrm.import_records, against sqlite3 executemany of the same
   rows with the same encoding (full rows: system columns, defaults, currency as integer cents) into
   a fresh file whose table and indexes are copied from hotcrm's generated schema (sqlite_master).
   Both timings start from the DataFrame and end with the rows committed.
2. read: hotcrm query(...).to_pandas() of the same rows, against sqlite3
   SELECT ... -> pd.DataFrame(cursor.fetchall()) (currency divided back by 100). Both read the seven
   columns of the rows of the default tenant, ordered by id (what hotcrm's query does).

The standard lead records its field history (a hash-chained entry per created record) and runs
workflow rules; the floor does neither, so hotcrm imports with workflows=False into the standard
catalog with the lead's track_history turned off: the same SQL work on both sides, as bench_store
does. --with-history adds a run with the standard catalog as shipped (history on), against the same
floor; bench_history measures the history's cost.

Usage: PYTHONPATH=<build>/python /usr/bin/python3 benchmarks/python/bench_python.py [--rows N] [--dir D] [--repeat R]
Wall times on a shared machine are noisy: read the ratio, and repeat (--repeat R runs both sides R times,
each pair on fresh files, and prints every pair's ratios and their medians).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import hotcrm

FIELDS = ["last_name", "company", "email", "status", "annual_revenue", "number_of_employees", "industry"]


def make_frame(rows: int, seed: int) -> pd.DataFrame:
    """Leads from the library's sample generator (realistic names, companies, unique e-mails, statuses,
    revenues and head counts consistent with each other), as the numpy dtypes a DataFrame of leads
    has: text as object, revenue as float64, employees as int64. Every generated lead has these seven
    fields and an e-mail, so the lead's rules hold without the other columns."""
    with hotcrm.open(":memory:") as scratch:
        columns = hotcrm.sample_records(scratch, "lead", rows, seed=seed, fields=FIELDS)
    frame = pd.DataFrame({name: np.array(values, dtype=object) for name, values in columns.items()})
    frame["annual_revenue"] = frame["annual_revenue"].astype(np.float64)
    frame["number_of_employees"] = frame["number_of_employees"].astype(np.int64)
    return frame


def catalog_without_lead_history() -> dict:
    """The standard catalog with the lead's field history off (the floor writes no history)."""
    catalog = json.loads(hotcrm.standard_catalog_json())
    for definition in catalog["objects"]:
        if definition["name"] == "lead":
            definition["capabilities"]["track_history"] = False
    return catalog


def bench_hotcrm(path: Path, frame: pd.DataFrame, history: bool = False) -> tuple[float, float, pd.DataFrame]:
    with hotcrm.open(path, None if history else catalog_without_lead_history(), id_seed=1) as db:
        start = time.perf_counter()
        # The store path: the standard lead's workflow rules (a task and an e-mail per new lead) are
        # measured by bench_workflow.
        report = db.import_records("lead", frame, on_error="abort", workflows=False)
        import_seconds = time.perf_counter() - start
        assert report.inserted == len(frame), report.rejected[:3]
        start = time.perf_counter()
        out = db.query("lead", fields=FIELDS).to_pandas()
        read_seconds = time.perf_counter() - start
    return import_seconds, read_seconds, out


def bench_sqlite(hotcrm_path: Path, path: Path, frame: pd.DataFrame) -> tuple[float, float, pd.DataFrame]:
    source = sqlite3.connect(hotcrm_path)
    table_sql = source.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'lead'").fetchone()[0]
    index_sql = [row[0] for row in source.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'lead' AND sql IS NOT NULL")]
    columns = [row[1] for row in source.execute('PRAGMA table_info("lead")')]
    source.close()

    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")  # the pragmas hotcrm uses
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute(table_sql)
    for sql in index_sql:
        db.execute(sql)
    db.commit()

    start = time.perf_counter()
    rows = len(frame)
    now = int(time.time() * 1_000_000)
    ids = [f"{i:016x}" for i in range(rows)]
    # The same encoding hotcrm writes: currency as integer cents, booleans as 0/1, defaults filled.
    cents = np.round(frame["annual_revenue"].to_numpy() * 100).astype(np.int64).tolist()
    given = {
        "id": ids, "created_at": [now] * rows, "updated_at": [now] * rows, "created_by": ["system"] * rows,
        "updated_by": ["system"] * rows, "owner_id": ["system"] * rows, "tenant_id": ["default"] * rows,
        "version": [1] * rows, "last_name": frame["last_name"].tolist(), "company": frame["company"].tolist(),
        "email": frame["email"].tolist(), "status": frame["status"].tolist(), "annual_revenue": cents,
        "number_of_employees": frame["number_of_employees"].tolist(), "industry": frame["industry"].tolist(),
        "lead_score": [0] * rows, "data_completeness": [0] * rows, "is_in_public_pool": [0] * rows,
        "is_converted": [0] * rows,
    }
    names = [c for c in columns if c in given]
    sql = f'INSERT INTO "lead" ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})'
    with db:
        db.executemany(sql, zip(*(given[name] for name in names)))
    import_seconds = time.perf_counter() - start

    start = time.perf_counter()
    cursor = db.execute(f"SELECT {', '.join(FIELDS)} FROM lead WHERE tenant_id = ? ORDER BY id", ("default",))
    out = pd.DataFrame(cursor.fetchall(), columns=FIELDS)
    out["annual_revenue"] = out["annual_revenue"] / 100
    read_seconds = time.perf_counter() - start
    db.close()
    return import_seconds, read_seconds, out


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:>12,.0f} rows/s ({seconds:7.3f} s)"


def run_pair(args: argparse.Namespace, frame: pd.DataFrame) -> tuple[float, float]:
    """One hotcrm run and one sqlite3 run on fresh files; prints them and returns (import, read) ratios."""
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        folder = Path(folder)
        h_import, h_read, h_out = bench_hotcrm(folder / "hotcrm.db", frame)
        s_import, s_read, s_out = bench_sqlite(folder / "hotcrm.db", folder / "sqlite.db", frame)
        if args.with_history:
            t_import, _, _ = bench_hotcrm(folder / "history.db", frame, history=True)
        assert len(h_out) == len(s_out) == args.rows
        print(f"import   hotcrm.import_records(DataFrame) {rate(args.rows, h_import)}")
        print(f"import   sqlite3 executemany              {rate(args.rows, s_import)}")
        print(f"import   ratio hotcrm/sqlite3 throughput  {s_import / h_import:6.2f}x")
        if args.with_history:
            print(f"import   hotcrm with field history        {rate(args.rows, t_import)}")
            print(f"import   ratio with history / sqlite3     {s_import / t_import:6.2f}x (the floor writes no history)")
        print(f"read     hotcrm query().to_pandas()       {rate(args.rows, h_read)}")
        print(f"read     sqlite3 fetchall -> DataFrame    {rate(args.rows, s_read)}")
        print(f"read     ratio hotcrm/sqlite3 throughput  {s_read / h_read:6.2f}x")
        print(f"dtypes   hotcrm: {dict((k, str(v)) for k, v in h_out.dtypes.items())}")
    return s_import / h_import, s_read / h_read


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows to import and read (default 1,000,000)")
    parser.add_argument("--dir", type=Path, default=None, help="folder for the database files (default: a temp dir)")
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--with-history", action="store_true",
                        help="also import into the standard catalog as shipped (the lead's field history on)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of both sides; prints the median ratios")
    args = parser.parse_args(argv)
    if args.rows <= 0:
        parser.error("--rows must be positive")
    if args.repeat <= 0:
        parser.error("--repeat must be positive")

    frame = make_frame(args.rows, args.seed)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} cores")
    print(f"hotcrm {hotcrm.__version__}, sqlite3 {sqlite3.sqlite_version}, pandas {pd.__version__}, "
          f"numpy {np.__version__}, {args.rows:,} rows")
    import_ratios, read_ratios = [], []
    for run in range(args.repeat):
        if args.repeat > 1:
            print(f"run {run + 1} of {args.repeat}")
        import_ratio, read_ratio = run_pair(args, frame)
        import_ratios.append(import_ratio)
        read_ratios.append(read_ratio)
    if args.repeat > 1:
        print(f"median   import ratio {statistics.median(import_ratios):6.2f}x "
              f"(runs: {', '.join(f'{r:.2f}x' for r in import_ratios)})")
        print(f"median   read ratio   {statistics.median(read_ratios):6.2f}x "
              f"(runs: {', '.join(f'{r:.2f}x' for r in read_ratios)})")
    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
