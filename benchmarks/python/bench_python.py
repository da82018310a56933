#!/usr/bin/env python3
"""End-to-end Python benchmark: hotcrm vs Python's own sqlite3 module, same run, same schema.

1. import: a pandas DataFrame of leads from the sample generator (last_name, company, email unique,
   status, annual_revenue, number_of_employees, industry) -> hotcrm.import_records, against sqlite3 executemany of the same
   rows with the same encoding (full rows: system columns, defaults, currency as integer cents) into
   a fresh file whose table and indexes are copied from hotcrm's generated schema (sqlite_master).
   Both timings start from the DataFrame and end with the rows committed. Three floors (--floors):
   - defaults: Python's sqlite3 as it comes (a 2 MiB page cache), WAL and synchronous=NORMAL as
     hotcrm; the indexes are maintained row by row. The floor the 3x target is set against.
   - tuned: the same with the pragmas hotcrm sets (64 MiB cache, sorter threads).
   - bulk: tuned, and the secondary indexes dropped before the rows and created after them, in the
     same transaction: what hotcrm does itself, written by hand; the SQL work that no engine on
     SQLite can skip.
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


FLOORS = ("defaults", "tuned", "bulk")
WIDTH = 42  # of the label column


def hotcrm_pragmas(db: sqlite3.Connection) -> None:
    """The pragmas hotcrm sets on a file it opens for writing (src/store/database.cpp, default options),
    except foreign_keys: the floor's file has only the lead table, whose lookups the rows leave empty,
    and SQLite checks no key of an empty lookup."""
    db.execute("PRAGMA temp_store = FILE")
    db.execute("PRAGMA cache_size = -65536")  # OpenOptions::cache_size_mb = 64
    db.execute(f"PRAGMA threads = {min(max(os.cpu_count() or 1, 1), 4)}")


def bench_sqlite(hotcrm_path: Path, path: Path, frame: pd.DataFrame, floor: str = "defaults",
                 read: bool = True) -> tuple[float, float, pd.DataFrame | None]:
    """Python's sqlite3 doing hotcrm's SQL work, configured as `floor` says (FLOORS); returns the
    import's and (when `read`) the read's seconds and the rows read."""
    source = sqlite3.connect(hotcrm_path)
    table_sql = source.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'lead'").fetchone()[0]
    index_sql = [row[0] for row in source.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'lead' AND sql IS NOT NULL")]
    columns = [row[1] for row in source.execute('PRAGMA table_info("lead")')]
    source.close()

    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")  # as hotcrm
    db.execute("PRAGMA synchronous = NORMAL")
    if floor != "defaults":
        hotcrm_pragmas(db)
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
    # bulk: hotcrm keeps the partial lookup indexes that an import leaves empty; so does this floor.
    rebuilt = [] if floor != "bulk" else [index for index in index_sql if " WHERE " not in index]
    with db:
        for index in rebuilt:
            db.execute(f"DROP INDEX {index.split(' ON ')[0].split()[-1]}")
        db.executemany(sql, zip(*(given[name] for name in names)))
        for index in rebuilt:
            db.execute(index)
    import_seconds = time.perf_counter() - start

    read_seconds, out = 0.0, None
    if read:
        start = time.perf_counter()
        cursor = db.execute(f"SELECT {', '.join(FIELDS)} FROM lead WHERE tenant_id = ? ORDER BY id", ("default",))
        out = pd.DataFrame(cursor.fetchall(), columns=FIELDS)
        out["annual_revenue"] = out["annual_revenue"] / 100
        read_seconds = time.perf_counter() - start
    else:
        assert db.execute("SELECT count(*) FROM lead").fetchone()[0] == rows
    db.close()
    return import_seconds, read_seconds, out


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:>12,.0f} rows/s ({seconds:7.3f} s)"


def run_pair(args: argparse.Namespace, frame: pd.DataFrame) -> dict[str, float]:
    """One hotcrm run and one run of each floor on fresh files; prints them and returns the ratios,
    keyed "import <floor>" and "read"."""
    ratios = {}
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        folder = Path(folder)
        h_import, h_read, h_out = bench_hotcrm(folder / "hotcrm.db", frame)
        print(f"{'import   hotcrm.import_records(DataFrame)':<{WIDTH}} {rate(args.rows, h_import)}")
        for floor in args.floors:
            first = floor == args.floors[0]  # the first floor also measures the read
            s_import, s_read, s_out = bench_sqlite(folder / "hotcrm.db", folder / f"sqlite-{floor}.db", frame, floor,
                                                   read=first)
            ratios[f"import {floor}"] = s_import / h_import
            print(f"{'import   sqlite3 executemany, ' + floor:<{WIDTH}} {rate(args.rows, s_import)}")
            print(f"{'import   ratio hotcrm/sqlite3 ' + floor:<{WIDTH}} {s_import / h_import:6.2f}x")
            if first:
                assert len(h_out) == len(s_out) == args.rows
                first_import, read_floor = s_import, s_read
        if args.with_history:
            t_import, _, _ = bench_hotcrm(folder / "history.db", frame, history=True)
            print(f"{'import   hotcrm with field history':<{WIDTH}} {rate(args.rows, t_import)}")
            print(f"{'import   ratio with history / ' + args.floors[0]:<{WIDTH}} "
                  f"{first_import / t_import:6.2f}x (the floor writes no history)")
        ratios["read"] = read_floor / h_read
        print(f"{'read     hotcrm query().to_pandas()':<{WIDTH}} {rate(args.rows, h_read)}")
        print(f"{'read     sqlite3 fetchall -> DataFrame':<{WIDTH}} {rate(args.rows, read_floor)} ({args.floors[0]})")
        print(f"{'read     ratio hotcrm/sqlite3':<{WIDTH}} {ratios['read']:6.2f}x")
        print(f"dtypes   hotcrm: {dict((k, str(v)) for k, v in h_out.dtypes.items())}")
    return ratios


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows to import and read (default 1,000,000)")
    parser.add_argument("--dir", type=Path, default=None, help="folder for the database files (default: a temp dir)")
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--with-history", action="store_true",
                        help="also import into the standard catalog as shipped (the lead's field history on)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of both sides; prints the median ratios")
    parser.add_argument("--floors", default=",".join(FLOORS),
                        help=f"comma-separated floors to run, the first also for the read (default: {','.join(FLOORS)})")
    args = parser.parse_args(argv)
    if args.rows <= 0:
        parser.error("--rows must be positive")
    if args.repeat <= 0:
        parser.error("--repeat must be positive")
    args.floors = [floor.strip() for floor in args.floors.split(",") if floor.strip()]
    unknown = [floor for floor in args.floors if floor not in FLOORS]
    if not args.floors or unknown:
        parser.error(f"--floors takes some of {', '.join(FLOORS)} (got {args.floors})")

    frame = make_frame(args.rows, args.seed)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} cores")
    print(f"hotcrm {hotcrm.__version__}, sqlite3 {sqlite3.sqlite_version}, pandas {pd.__version__}, "
          f"numpy {np.__version__}, {args.rows:,} rows")
    runs: dict[str, list[float]] = {}
    for run in range(args.repeat):
        if args.repeat > 1:
            print(f"run {run + 1} of {args.repeat}")
        for key, ratio in run_pair(args, frame).items():
            runs.setdefault(key, []).append(ratio)
    if args.repeat > 1:
        for key, ratios in runs.items():
            print(f"median   {key + ' ratio':<22} {statistics.median(ratios):6.2f}x "
                  f"(runs: {', '.join(f'{r:.2f}x' for r in ratios)})")
    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
