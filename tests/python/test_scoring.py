"""hotcrm.models against scikit-learn and XGBoost: predictions, exact explanations, NaN rules, errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

import hotcrm
import hotcrm.models as hm

sklearn = pytest.importorskip("sklearn")
xgb = pytest.importorskip("xgboost")
from sklearn.ensemble import (GradientBoostingClassifier, GradientBoostingRegressor,  # noqa: E402
                              HistGradientBoostingClassifier, RandomForestClassifier)
from sklearn.linear_model import LinearRegression, LogisticRegression  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """OpenMP spin-waiting on a shared, loaded machine makes scikit-learn's histogram trees 50x
    slower; one thread keeps this module quick."""
    with threadpool_limits(1):
        yield


def make_data(rows: int = 3000, cols: int = 8, seed: int = 0, missing: float = 0.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, cols))
    y = (X[:, 0] + X[:, 1] * X[:, 2] - 0.5 * X[:, 3] + rng.normal(size=rows) > 0).astype(int)
    if missing:
        X[rng.random(X.shape) < missing] = np.nan
    return X, y


def assert_additive(model, X, tolerance=1e-9):
    base, contributions = model.explain(X)
    assert base.shape == (len(X),)
    assert contributions.shape == X.shape
    raw = model.predict_raw(X)
    np.testing.assert_allclose(base + contributions.sum(axis=1), raw, rtol=0, atol=tolerance)


@pytest.fixture(scope="module")
def data():
    return make_data()


@pytest.fixture(scope="module")
def data_nan():
    return make_data(seed=1, missing=0.1)


@pytest.fixture(scope="module")
def xgb_classifier(data_nan):
    X, y = data_nan
    return xgb.XGBClassifier(n_estimators=100, max_depth=6, tree_method="hist", n_jobs=1).fit(X, y)


# ---- linear models ----------------------------------------------------------------------------

def test_logistic_regression_matches_sklearn(data):
    X, y = data
    est = LogisticRegression(C=0.5).fit(X, y)
    model = hm.from_sklearn(est, background=X)
    assert model.kind == "logistic" and model.outputs_probability
    np.testing.assert_allclose(model.predict(X), est.predict_proba(X)[:, 1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(model.predict_raw(X), est.decision_function(X), rtol=0, atol=1e-12)
    base, contributions = model.explain(X)
    np.testing.assert_allclose(contributions, est.coef_[0] * (X - X.mean(axis=0)), rtol=0, atol=1e-12)
    np.testing.assert_allclose(base, est.coef_[0] @ X.mean(axis=0) + est.intercept_[0], rtol=0, atol=1e-12)
    assert_additive(model, X)


def test_linear_regression_matches_sklearn(data):
    X, _ = data
    target = X @ np.arange(1.0, 9.0) + 3 + np.sin(X[:, 0])
    est = LinearRegression().fit(X, target)
    model = hm.from_sklearn(est, feature_names=[f"x{i}" for i in range(8)])
    assert model.kind == "linear" and model.feature_names[0] == "x0"
    np.testing.assert_allclose(model.predict(X), est.predict(X), rtol=0, atol=1e-9)
    assert_additive(model, X)


def test_train_logistic_matches_sklearn_and_is_deterministic(data):
    X, y = data
    model, metrics = hm.train_logistic(X, y, l2=2.0)
    again, metrics_again = hm.train_logistic(X, y, l2=2.0)
    assert model.to_json() == again.to_json() and metrics == metrics_again
    assert metrics["converged"] and metrics["iterations"] < 20
    est = LogisticRegression(C=0.5, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(X, y)
    np.testing.assert_allclose(model.predict(X), est.predict_proba(X)[:, 1], rtol=0, atol=1e-6)
    assert metrics["auc"] == pytest.approx(roc_auc_score(y, model.predict(X)), abs=1e-12)
    p = est.predict_proba(X)[:, 1]
    assert metrics["log_loss"] == pytest.approx(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)), abs=1e-6)
    # background = column means: the contributions average to zero
    _, contributions = model.explain(X)
    np.testing.assert_allclose(contributions.mean(axis=0), 0, atol=1e-12)


# ---- scikit-learn tree ensembles --------------------------------------------------------------

def test_hist_gradient_boosting_with_missing_values(data_nan):
    X, y = data_nan
    est = HistGradientBoostingClassifier(max_iter=60, random_state=0).fit(X, y)
    model = hm.from_sklearn(est)
    assert model.kind == "tree_ensemble"
    np.testing.assert_allclose(model.predict(X), est.predict_proba(X)[:, 1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(model.predict_raw(X), est.decision_function(X), rtol=0, atol=1e-12)
    assert_additive(model, X)
    # An all-NaN row follows the missing_go_to_left path in every node
    row = np.full((1, X.shape[1]), np.nan)
    assert model.predict(row)[0] == pytest.approx(est.predict_proba(row)[0, 1], abs=1e-12)


def test_gradient_boosting_classifier_and_its_nan_error(data, data_nan):
    X, y = data
    est = GradientBoostingClassifier(n_estimators=40, max_depth=3, random_state=0).fit(X, y)
    model = hm.from_sklearn(est)
    np.testing.assert_allclose(model.predict(X), est.predict_proba(X)[:, 1], rtol=0, atol=1e-12)
    assert_additive(model, X)
    X_nan, _ = data_nan
    with pytest.raises(hotcrm.UsageError, match="does not support missing values"):
        model.predict(X_nan)
    with pytest.raises(hotcrm.UsageError, match="does not support missing values"):
        model.explain(X_nan)


def test_gradient_boosting_regressor(data):
    X, _ = data
    target = X[:, 0] * 3 + X[:, 1] ** 2
    est = GradientBoostingRegressor(n_estimators=30, random_state=0).fit(X, target)
    model = hm.from_sklearn(est)
    assert not model.outputs_probability
    np.testing.assert_allclose(model.predict(X), est.predict(X), rtol=0, atol=1e-9)


# ---- XGBoost ----------------------------------------------------------------------------------

def test_xgboost_file_predictions_and_missing_values(tmp_path, xgb_classifier, data_nan):
    X, _ = data_nan
    path = tmp_path / "model.json"
    xgb_classifier.save_model(str(path))
    model = hm.from_xgboost(path)
    assert model.n_features == X.shape[1]
    np.testing.assert_allclose(model.predict(X), xgb_classifier.predict_proba(X)[:, 1], rtol=0, atol=1e-6)
    booster = xgb_classifier.get_booster()
    margin = booster.predict(xgb.DMatrix(X), output_margin=True)
    # XGBoost sums in float32; hotcrm in float64: equal to float32 resolution ...
    raw = model.predict_raw(X)
    assert np.all(np.abs(raw - margin) <= 1e-6 * np.maximum(1, np.abs(margin)))
    # ... and exactly the double sum of the leaves XGBoost reaches (pred_leaf).
    leaves = booster.predict(xgb.DMatrix(X), pred_leaf=True).astype(int)
    trees = json.loads(path.read_text())["learner"]["gradient_booster"]["model"]["trees"]
    leaf_values = [np.float32(t["split_conditions"]).astype(np.float64) for t in trees]
    exact = np.array([sum(leaf_values[t][leaves[r, t]] for t in range(len(trees))) for r in range(200)])
    np.testing.assert_allclose(raw[:200], exact, rtol=0, atol=1e-12)
    assert hm.from_xgboost(xgb_classifier).to_json() == model.to_json()


def test_treeshap_matches_xgboost_pred_contribs(xgb_classifier, data_nan):
    X = data_nan[0][:1000]
    model = hm.from_xgboost(xgb_classifier)
    base, contributions = model.explain(X)
    expected = xgb_classifier.get_booster().predict(xgb.DMatrix(X), pred_contribs=True)
    # XGBoost computes TreeSHAP and sums 100 trees in float32, hotcrm in float64 (exact: see the
    # brute-force test in tests/scoring): they agree within 1e-6 relative to the row's attribution
    # mass, a few float32 ulps.
    scale = np.maximum(1, np.abs(expected).sum(axis=1, keepdims=True))
    assert np.all(np.abs(contributions - expected[:, :-1]) <= 1e-6 * scale)
    assert np.abs(base - expected[:, -1]).max() <= 1e-6
    assert_additive(model, X)


def test_xgboost_regression(data):
    X, _ = data
    target = X[:, 0] * 2 - X[:, 4]
    est = xgb.XGBRegressor(n_estimators=20, max_depth=4, n_jobs=1).fit(X, target)
    model = hm.from_xgboost(est)
    assert not model.outputs_probability
    np.testing.assert_allclose(model.predict(X), est.predict(X), rtol=0, atol=1e-5)
    expected = est.get_booster().predict(xgb.DMatrix(X), pred_contribs=True)
    np.testing.assert_allclose(model.explain(X)[1], expected[:, :-1], rtol=1e-6, atol=1e-6)


# ---- points, naive Bayes, JSON, top factors ---------------------------------------------------

def test_points_scorecard_and_top_factors():
    model = hm.points([
        {"name": "employees", "edges": [10, 100], "points": [0, 5, 10], "missing_points": -2},
        {"name": "industry", "categories": ["technology", "finance"], "points": [20, 10], "weight": 0.5},
    ], base_points=50)
    X = np.array([[5, 0], [150, 1], [np.nan, 7]])
    np.testing.assert_array_equal(model.predict(X), [60, 65, 48])
    top = model.top_factors(X, row=0, k=1)
    assert top["positive"][0]["text"] == "industry = technology: +10.00"
    assert hm.from_json(model.to_json()).to_json() == model.to_json()
    assert_additive(model, X, 0)


def test_naive_bayes_incremental_equals_rebuild():
    features = {"source": ["web", "referral", "event"], "country": ["fr", "be"]}
    X = np.array([[0, 0], [0, 1], [1, 0], [2, np.nan], [1, 1], [0, 0]])
    y = np.array([1, 0, 1, 1, 0, 0])
    rebuilt = hm.naive_bayes(features)
    rebuilt.observe(X, y)
    incremental = hm.naive_bayes(features)
    for row, won in zip(X, y):
        incremental.observe_one(row, bool(won))
    assert incremental == rebuilt
    assert rebuilt.counts(0) == ([1.0, 1.0, 1.0], [2.0, 1.0, 0.0])
    model = rebuilt.model()
    # Odoo: P(won) = s_won / (s_won + s_lost), frequencies + 0.1
    p_web_fr = (3.1 * (1.1 / 3.1) * (2.1 / 3.1)) / (3.1 * (1.1 / 3.1) * (2.1 / 3.1) + 3.1 * (2.1 / 3.1) * (1.1 / 3.1))
    assert model.predict(np.array([[0.0, 0.0]]))[0] == pytest.approx(p_web_fr, abs=1e-15)
    assert_additive(model, X, 1e-12)
    with pytest.raises(hotcrm.UsageError, match="not a category code"):
        incremental.observe_one([5, 0], True)


def test_model_json_round_trip_and_malformed_json(xgb_classifier, data_nan):
    X, _ = data_nan
    model = hm.from_xgboost(xgb_classifier)
    again = hm.from_json(model.to_json(indent=1))
    np.testing.assert_array_equal(again.predict(X), model.predict(X))
    doc = json.loads(model.to_json())
    doc["trees"][2]["threshold"][0] = "high"
    with pytest.raises(hotcrm.ParseError, match="/trees/2/threshold/0: 'high' is not a number"):
        hm.from_json(json.dumps(doc))
    with pytest.raises(hotcrm.ParseError, match="not valid JSON"):
        hm.from_json("{")
    import pickle
    unpickled = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(unpickled.predict(X), model.predict(X))


# ---- errors and input conversion --------------------------------------------------------------

def test_errors_are_hotcrm_exceptions(data):
    X, y = data
    model = hm.logistic(np.ones(8), 0.0)
    with pytest.raises(hotcrm.UsageError, match="expects 8 feature columns, the matrix has 3"):
        model.predict(X[:, :3])
    with pytest.raises(hotcrm.UsageError, match="expected a 2-D array"):
        model.predict(X[0])
    with pytest.raises(hotcrm.UsageError, match="expected a numeric array"):
        model.predict(np.array([["a"] * 8]))
    with pytest.raises(hotcrm.UsageError, match="feature 'f2' is missing"):
        model.predict(np.where(np.arange(8) == 2, np.nan, 1.0)[None, :])
    with pytest.raises(hotcrm.UsageError, match="RandomForestClassifier is not supported"):
        hm.from_sklearn(RandomForestClassifier(n_estimators=2, random_state=0).fit(X[:100], y[:100]))
    with pytest.raises(hotcrm.UsageError, match="multi-class"):
        hm.from_sklearn(LogisticRegression().fit(X[:300], np.arange(300) % 3))
    with pytest.raises(hotcrm.Error, match="cannot read"):
        hm.from_xgboost("/nonexistent/model.json")
    with pytest.raises(hotcrm.UsageError, match="row 5 of 3 rows"):
        model.top_factors(X[:3], row=5)
    with pytest.raises(hotcrm.UsageError, match="coef: expected numbers"):
        hm.logistic(["a", "b"])
    with pytest.raises(hotcrm.UsageError, match="rule 0 has no 'points'"):
        hm.points([{"name": "a"}])
    with pytest.raises(hotcrm.UsageError, match="1 band edges need 2 points"):
        hm.points([{"name": "a", "edges": [1], "points": [1]}])


def test_non_contiguous_and_integer_inputs_are_converted(data):
    X, _ = data
    model = hm.logistic(np.linspace(-1, 1, 8), 0.3)
    expected = model.predict(X)
    np.testing.assert_array_equal(model.predict(np.asfortranarray(X)), expected)
    np.testing.assert_array_equal(model.predict(X[::2]), expected[::2])
    ints = np.arange(16, dtype=np.int32).reshape(2, 8)
    np.testing.assert_array_equal(model.predict(ints), model.predict(ints.astype(np.float64)))
    assert model.predict(np.empty((0, 8))).shape == (0,)


@pytest.mark.slow
def test_benchmark_smoke():
    """benchmarks/python/bench_scoring.py at a tiny size: it runs, checks its answers, prints ratios."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join([str(Path(hotcrm.__file__).parent.parent), env.get("PYTHONPATH", "")])
    result = subprocess.run(
        [sys.executable, "-W", "error", str(root / "benchmarks" / "python" / "bench_scoring.py"), "--rows", "3000",
         "--train-rows", "600", "--shap-rows", "200", "--trees", "5", "--depth", "3", "--repeat", "1"],
        capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("rows/s") == 12
    assert "x numpy (target >= 1x)" in result.stdout
    assert "x xgboost" in result.stdout
