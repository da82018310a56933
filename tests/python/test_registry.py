"""The model registry from Python: register, list, promote, score (numpy / pandas), monitor, train."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import hotcrm
import hotcrm.models as hm

FEATURES = {"revenue_m": "BLANKVALUE(annual_revenue, 0) / 1000000", "hot": "ISPICKVAL(rating, 'hot')"}
DEFAULT_MODELS = {"lead_score", "opportunity_win_probability", "account_health", "account_churn_risk",
                  "case_sla_breach_risk", "candidate_score"}


def load_leads(db, n=300):
    rows = []
    for i in range(n):
        rows.append({"last_name": f"L{i}", "company": f"C{i}", "email": f"l{i}@x.io",
                     "annual_revenue": (i * 7919) % 5000 * 1000.0, "rating": ["hot", "warm", "cold"][i % 3],
                     "industry": ["technology", "retail"][i % 2],
                     "status": "converted" if (i * 13) % 5 < 2 else "unqualified"})
    report = db.import_records("lead", rows)
    return report.ids


def test_register_list_promote(tmp_db):
    m1 = hm.logistic([0.5, 1.0], -1.0, feature_names=list(FEATURES))
    info = tmp_db.register_model("conv", m1, features=FEATURES, object="lead", metrics={"auc": 0.7})
    assert info["version"] == 1 and info["status"] == "champion" and info["metrics"] == {"auc": 0.7}
    info2 = tmp_db.register_model("conv", hm.logistic([0.2, 2.0], -0.5, feature_names=list(FEATURES)),
                                  features=FEATURES, object="lead", traffic=25)
    assert info2["version"] == 2 and info2["status"] == "challenger" and info2["traffic"] == 25
    names = [(m["name"], m["version"]) for m in tmp_db.models()]
    assert ("conv", 1) in names and ("conv", 2) in names and ("lead_score", 1) in names
    tmp_db.promote("conv", 2)
    model, info = tmp_db.model("conv")
    assert info["version"] == 2 and model.kind == "logistic"
    assert [m["status"] for m in tmp_db.models("conv")] == ["retired", "champion"]
    with pytest.raises(hotcrm.NotFoundError, match="model 'conv' has no version 7"):
        tmp_db.promote("conv", 7)
    with pytest.raises(hotcrm.NotFoundError, match="no model named 'nope'"):
        tmp_db.score("nope")
    with pytest.raises(hotcrm.UsageError, match="register_model 'bad': feature 'revenue_m' does not compile"):
        tmp_db.register_model("bad", m1, features={"revenue_m": "annual_revenu", "hot": "1"}, object="lead")


def test_score_numpy_explain_and_write(tmp_db):
    load_leads(tmp_db)
    model = hm.logistic([0.5, 1.0], -1.0, feature_names=list(FEATURES))
    tmp_db.register_model("conv", model, features=FEATURES, object="lead")
    r = tmp_db.score("conv", explain=True, write=True)
    assert len(r) == 300 and r.written == 300
    X, names, ids = tmp_db.features("lead", FEATURES)
    np.testing.assert_allclose(r.scores, model.predict(X))  # the same as the model on the matrix
    np.testing.assert_allclose(r.base + r.contributions.sum(axis=1), r.raw)
    assert list(r.ids) == ids and r.feature_names == list(FEATURES)
    df = r.to_pandas()
    assert list(df.columns[:2]) == ["id", "score"] and "contribution:hot" in df.columns
    again = tmp_db.score("conv", write=True)
    assert len(again) == 0 and again.skipped == 300
    tmp_db.update("lead", ids[5], {"rating": "warm"})
    third = tmp_db.score("conv", write=True)
    assert list(third.ids) == [ids[5]] and third.record_versions[0] == 2


def test_stable_split(tmp_db):
    load_leads(tmp_db, 1000)
    tmp_db.register_model("conv", hm.logistic([0.5, 1.0], -1.0, feature_names=list(FEATURES)), features=FEATURES,
                          object="lead")
    tmp_db.register_model("conv", hm.logistic([0.1, 1.0], -1.0, feature_names=list(FEATURES)), features=FEATURES,
                          object="lead", traffic=30)
    a, b = tmp_db.score("conv"), tmp_db.score("conv")
    assert (a.model_versions == b.model_versions).all()
    expected = np.array([2 if hotcrm.routing_hash("conv", i) % 10000 < 3000 else 1 for i in a.ids])
    assert (a.model_versions == expected).all()
    assert 0.24 < (a.model_versions == 2).mean() < 0.36


def test_lead_score_default_and_monitor(tmp_db):
    load_leads(tmp_db)
    r = tmp_db.score("lead_score", explain=True, write=True)
    assert set(r.bands) <= {"hot", "warm", "cold", "unqualified"}
    assert ((r.scores >= 0) & (r.scores <= 100)).all()
    assert r.feature_names[0] == "data_completeness"
    tmp_db.set_reference("lead_score", 1)
    report = tmp_db.monitor("lead_score", label="ISPICKVAL(status, 'converted')",
                            where="OR(ISPICKVAL(status, 'converted'), ISPICKVAL(status, 'unqualified'))")
    v = report["versions"][0]
    assert v["scored"] == 300 and v["labelled"] == 300 and abs(v["psi"]) < 1e-12
    assert 0.0 <= v["auc"] <= 1.0 and math.isnan(v["log_loss"])  # points: no probabilities


def test_train_and_monitor(tmp_db):
    load_leads(tmp_db)
    info = tmp_db.train("conv", object="lead", features=FEATURES, label="ISPICKVAL(status, 'converted')")
    assert info["kind"] == "logistic" and info["metrics"]["rows"] == 300 and info["reference"]["count"] == 300
    r = tmp_db.score("conv", write=True)
    v = tmp_db.monitor("conv", label="ISPICKVAL(status, 'converted')")["versions"][0]
    y = np.array([1.0 if tmp_db.get("lead", i)["status"] == "converted" else 0.0 for i in r.ids])
    eps = 1e-15
    p = np.clip(r.scores, eps, 1 - eps)
    assert v["log_loss"] == pytest.approx(float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean()))
    assert sum(b["count"] for b in v["calibration"]) == 300
    assert hotcrm.psi(r.scores, r.scores) == pytest.approx(0.0)


def test_cli_score_and_model(tmp_path):
    """hotcrm score / hotcrm model through the CLI binary (when it is built)."""
    import os
    import subprocess

    cli = os.environ.get("HOTCRM_CLI")
    if not cli or not os.path.exists(cli):
        pytest.skip("the hotcrm CLI is not built")
    path = tmp_path / "cli.db"
    db = hotcrm.open(path)
    load_leads(db, 50)
    db.close()
    doc = tmp_path / "model.json"
    doc.write_text(json.dumps({"name": "conv", "object": "lead", "features": FEATURES,
                               "model": json.loads(hm.logistic([0.5, 1.0], -1.0, feature_names=list(FEATURES)).to_json()),
                               "bands": {"high": 0.5}, "below": "low"}))
    run = lambda *args: subprocess.run([cli, *map(str, args)], capture_output=True, text=True, timeout=60)
    assert run("model", "register", path, doc).stdout.startswith("registered conv version 1 (champion)")
    out = run("score", path, "conv", "--write", "--explain", "--format", "json", "--limit", "10")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == 10 and rows[0]["band"] in ("high", "low") and "contributions" in rows[0]
    assert "10 scores written" in out.stderr
    listed = run("model", "list", path, "--format", "json").stdout.splitlines()
    assert {json.loads(line)["name"] for line in listed} == {"conv"} | DEFAULT_MODELS
    assert set(hotcrm.default_model_names()) == DEFAULT_MODELS
    bad = run("model", "promote", path, "conv", "4")
    assert bad.returncode == 1 and "model 'conv' has no version 4" in bad.stderr
    mon = run("model", "monitor", path, "conv", "--label", "ISPICKVAL(status, 'converted')", "--format", "json")
    assert json.loads(mon.stdout.splitlines()[0])["labelled"] == 10


@pytest.mark.slow
def test_benchmark_smoke(tmp_path):
    """benchmarks/python/bench_registry.py at a tiny size: it runs, checks its answers, prints the ratio."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(Path(hotcrm.__file__).parent.parent), env.get("PYTHONPATH", "")])
    result = subprocess.run([sys.executable, "-W", "error", str(root / "benchmarks" / "python" / "bench_registry.py"),
                             "--rows", "2000", "--dir", str(tmp_path)], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "x floor" in result.stdout
