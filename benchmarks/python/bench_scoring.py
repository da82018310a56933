#!/usr/bin/env python3
"""Scoring benchmark: hotcrm.models against numpy, scikit-learn and XGBoost, same run, same data.

1. logistic: a 16-coefficient logistic model over a 1,000,000 x 16 float64 matrix;
   floor: numpy ``1 / (1 + exp(-(X @ w + b)))``.
2. trees: a 100-tree depth-6 binary ensemble trained by each library on the same data, then
   predict over the same 1,000,000 x 16 matrix (10% NaN for XGBoost and HistGradientBoosting):
   hotcrm's import of each model against the library's own predict (probabilities).
3. TreeSHAP: hotcrm's explain against XGBoost's ``predict(pred_contribs=True)``.

Every answer is checked against the floor's before its time is printed. Each timing is the best
of --repeat runs. Libraries run with their default threads (XGBoost and scikit-learn use both
cores); hotcrm runs on one thread.

Usage: PYTHONPATH=<build>/python /usr/bin/python3 benchmarks/python/bench_scoring.py [--rows N]
Wall times on a shared machine are noisy: read the ratios, and repeat.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Callable, Tuple

import numpy as np

import hotcrm
import hotcrm.models as hm


def best_of(repeat: int, fn: Callable[[], object]) -> Tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def line(label: str, rows: int, seconds: float, floor: float | None = None, floor_name: str = "") -> None:
    text = f"{label:<44} {rows / seconds:>14,.0f} rows/s ({seconds * 1e3:9.1f} ms)"
    if floor is not None:
        text += f"   {floor / seconds:6.2f}x {floor_name}"
    print(text, flush=True)


def make_data(rows: int, cols: int, seed: int) -> Tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, cols))
    margin = X[:, 0] - 0.5 * X[:, 1] + X[:, 2] * X[:, 3] + np.sin(2 * X[:, 4]) + 0.3 * rng.normal(size=rows)
    return X, (margin > 0).astype(np.float64)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows scored (default 1,000,000)")
    parser.add_argument("--train-rows", type=int, default=20_000, help="rows the ensembles are trained on")
    parser.add_argument("--shap-rows", type=int, default=20_000, help="rows explained by TreeSHAP")
    parser.add_argument("--trees", type=int, default=100)
    parser.add_argument("--depth", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-gb", action="store_true", help="skip GradientBoostingClassifier (slow to train)")
    parser.add_argument("--sections", default="logistic,trees,treeshap",
                        help="comma-separated subset of logistic,trees,treeshap (default: all)")
    args = parser.parse_args(argv)
    cols = 16

    import sklearn
    import xgboost as xgb

    X, _ = make_data(args.rows, cols, 1)
    X_nan = X.copy()
    X_nan[np.random.default_rng(2).random(X.shape) < 0.1] = np.nan
    X_train, y_train = make_data(args.train_rows, cols, 3)
    X_train_nan = X_train.copy()
    X_train_nan[np.random.default_rng(4).random(X_train.shape) < 0.1] = np.nan
    print(f"hotcrm {hotcrm.__version__}, numpy {np.__version__}, scikit-learn {sklearn.__version__}, "
          f"xgboost {xgb.__version__}, {os.cpu_count()} cpus; {args.rows:,} x {cols} float64, best of {args.repeat}")

    sections = set(args.sections.split(","))

    # 1. logistic scoring
    if "logistic" in sections:
        logistic_section(X, args.repeat)

    # 2. tree ensembles
    booster = xgb.XGBClassifier(n_estimators=args.trees, max_depth=args.depth, tree_method="hist", learning_rate=0.1)
    booster.fit(X_train_nan, y_train)
    xgb_model = hm.from_xgboost(booster)
    if "trees" in sections:
        trees_section(args, booster, xgb_model, X, X_nan, X_train, X_train_nan, y_train)
    if "treeshap" in sections:
        treeshap_section(args, booster, xgb_model, X_nan)
    return 0


def logistic_section(X: np.ndarray, repeat: int) -> None:
    cols = X.shape[1]
    w = np.linspace(-1, 1, cols)
    b = 0.25
    model = hm.logistic(w, b)
    numpy_seconds, expected = best_of(repeat, lambda: 1.0 / (1.0 + np.exp(-(X @ w + b))))
    hotcrm_seconds, got = best_of(repeat, lambda: model.predict(X))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    line("logistic  numpy 1/(1+exp(-(X@w+b)))", len(X), numpy_seconds)
    line("logistic  hotcrm predict", len(X), hotcrm_seconds, numpy_seconds, "numpy (target >= 1x)")


def trees_section(args, booster, xgb_model, X, X_nan, X_train, X_train_nan, y_train) -> None:
    from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier

    xgb_seconds, xgb_p = best_of(args.repeat, lambda: booster.predict_proba(X_nan)[:, 1])
    ours_seconds, ours_p = best_of(args.repeat, lambda: xgb_model.predict(X_nan))
    np.testing.assert_allclose(ours_p, xgb_p, rtol=0, atol=1e-6)
    line(f"trees     xgboost predict_proba ({args.trees} trees)", args.rows, xgb_seconds)
    line("trees     hotcrm predict (xgboost model)", args.rows, ours_seconds, xgb_seconds, "xgboost")

    hgb = HistGradientBoostingClassifier(max_iter=args.trees, max_depth=args.depth, max_leaf_nodes=None,
                                         early_stopping=False, learning_rate=0.1, random_state=0)
    hgb.fit(X_train_nan, y_train)
    hgb_model = hm.from_sklearn(hgb)
    hgb_seconds, hgb_p = best_of(args.repeat, lambda: hgb.predict_proba(X_nan)[:, 1])
    ours_seconds, ours_p = best_of(args.repeat, lambda: hgb_model.predict(X_nan))
    np.testing.assert_allclose(ours_p, hgb_p, rtol=0, atol=1e-12)
    line("trees     sklearn HistGradientBoosting", args.rows, hgb_seconds)
    line("trees     hotcrm predict (HistGradientBoosting)", args.rows, ours_seconds, hgb_seconds,
         "sklearn HGB (target >= 2x)")

    if not args.skip_gb:
        gb = GradientBoostingClassifier(n_estimators=args.trees, max_depth=args.depth, random_state=0)
        gb.fit(X_train[:5000], y_train[:5000])
        gb_model = hm.from_sklearn(gb)
        gb_seconds, gb_p = best_of(args.repeat, lambda: gb.predict_proba(X)[:, 1])
        ours_seconds, ours_p = best_of(args.repeat, lambda: gb_model.predict(X))
        np.testing.assert_allclose(ours_p, gb_p, rtol=0, atol=1e-12)
        line("trees     sklearn GradientBoosting", args.rows, gb_seconds)
        line("trees     hotcrm predict (GradientBoosting)", args.rows, ours_seconds, gb_seconds,
             "sklearn GB (target >= 2x)")


def treeshap_section(args, booster, xgb_model, X_nan) -> None:
    import xgboost as xgb

    X_shap = X_nan[: args.shap_rows]
    dmatrix = xgb.DMatrix(X_shap)
    xgb_seconds, expected = best_of(args.repeat, lambda: booster.get_booster().predict(dmatrix, pred_contribs=True))
    ours_seconds, (base, contributions) = best_of(args.repeat, lambda: xgb_model.explain(X_shap))
    scale = np.maximum(1, np.abs(expected).sum(axis=1, keepdims=True))
    assert np.all(np.abs(contributions - expected[:, :-1]) <= 1e-6 * scale), "TreeSHAP differs from xgboost"
    assert np.abs(base - expected[:, -1]).max() <= 1e-6
    line("treeshap  xgboost pred_contribs", len(X_shap), xgb_seconds)
    line("treeshap  hotcrm explain", len(X_shap), ours_seconds, xgb_seconds, "xgboost")
    # Like for like: hotcrm explains on one thread, XGBoost uses every core by default.
    single = booster.get_booster().copy()
    single.set_param({"nthread": 1})
    one_seconds, one = best_of(args.repeat, lambda: single.predict(dmatrix, pred_contribs=True))
    np.testing.assert_array_equal(one, expected)
    line("treeshap  xgboost pred_contribs, 1 thread", len(X_shap), one_seconds)
    line("treeshap  hotcrm explain (1 thread)", len(X_shap), ours_seconds, one_seconds, "xgboost on 1 thread")


if __name__ == "__main__":
    sys.exit(main())
