"""The quickstart example and the benchmark (smoke size) run against the build tree."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import hotcrm

ROOT = Path(__file__).resolve().parents[2]


def run_script(script: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(Path(hotcrm.__file__).parent.parent), env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-W", "error", str(script), *args], capture_output=True, text=True,
                          env=env, timeout=600)


@pytest.mark.slow
def test_quickstart_runs(tmp_path):
    db = tmp_path / "quickstart.db"
    result = run_script(ROOT / "examples" / "python" / "quickstart.py", str(db))
    assert result.returncode == 0, result.stderr
    assert "contacted leads above 1M" in result.stdout
    assert "conflict: email unique" in result.stdout
    with hotcrm.open(db) as again:
        assert again.count("lead") == 5


@pytest.mark.slow
def test_benchmark_smoke(tmp_path):
    result = run_script(ROOT / "benchmarks" / "python" / "bench_python.py", "--rows", "2000", "--dir", str(tmp_path),
                        "--repeat", "2")
    assert result.returncode == 0, result.stderr
    # Per run: hotcrm's import, the three floors' imports, both reads; a ratio per floor and the read's.
    assert result.stdout.count("rows/s") == 12
    assert result.stdout.count("ratio hotcrm/sqlite3") == 8
    for key in ("import defaults", "import tuned", "import bulk", "read"):
        assert f"median   {key} ratio" in result.stdout


def test_stubs_match_the_module():
    """_core.pyi declares exactly the public names of hotcrm._core, and every method of its classes."""
    stub = Path(hotcrm._core.__file__).with_name("_core.pyi")
    tree = ast.parse(stub.read_text())
    declared = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            declared[node.name] = {n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AnnAssign))
                                   and not isinstance(n, ast.AnnAssign)} | {
                n.target.id for n in node.body if isinstance(n, ast.AnnAssign)}
        elif isinstance(node, ast.FunctionDef):
            declared[node.name] = None
        elif isinstance(node, ast.AnnAssign):
            declared[node.target.id] = None
    public = {name for name in dir(hotcrm._core) if not name.startswith("_") or name == "__version__"}
    assert public == set(declared) - {"_QueryResultIterator"} | ({"__version__"} & set(declared))
    for name, members in declared.items():
        if members is None or name.endswith("Error") or name == "Error":
            continue
        cls = getattr(hotcrm._core, name)
        actual = {m for m in vars(cls) if not m.startswith("_") or m in {
            "__len__", "__iter__", "__getitem__", "__enter__", "__exit__", "__next__", "__bool__"}}
        assert actual <= members, (name, actual - members)


def test_docstrings_everywhere():
    for name in hotcrm.__all__:
        obj = getattr(hotcrm, name)
        if name in ("__version__",):
            continue
        assert getattr(obj, "__doc__", None), name
        if isinstance(obj, type) and not issubclass(obj, BaseException):
            for member, value in vars(obj).items():
                if not member.startswith("_") and callable(getattr(value, "__get__", None)):
                    assert value.__doc__, f"{name}.{member}"
    assert hotcrm.Database.__repr__ is not object.__repr__
