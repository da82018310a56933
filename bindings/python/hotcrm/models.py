"""hotcrm.models: scoring models over numpy matrices, with exact Shapley explanations.

>>> import numpy as np, hotcrm.models as hm
>>> m = hm.logistic([0.5, -1.0], -0.2, feature_names=["visits", "days_idle"])
>>> X = np.array([[4.0, 1.0]])
>>> round(float(m.predict(X)[0]), 4)
0.69
>>> base, contributions = m.explain(X)   # base + contributions.sum(1) == m.predict_raw(X)

Every model's ``predict(X)``, ``predict_raw(X)`` and ``explain(X)`` take a 2-D float64 array (rows x
features; NaN = missing), read in place when it is C-contiguous, and release the GIL. See
docs/scoring.md.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _core
from ._core import Model, NaiveBayesTable, UsageError

__all__ = [
    "Model",
    "NaiveBayesTable",
    "from_json",
    "from_sklearn",
    "from_xgboost",
    "linear",
    "logistic",
    "naive_bayes",
    "points",
    "train_logistic",
]

FeatureSpec = Union[str, Tuple[str, Sequence[str]]]


def _numbers(values: Any, what: str) -> np.ndarray:
    """values as a 1-D float64 array, or hotcrm.UsageError naming the argument."""
    try:
        return np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError) as error:
        raise UsageError(f"{what}: expected numbers ({error})") from None


def from_json(text: Union[str, bytes]) -> Model:
    """A model from our JSON (``Model.to_json()``). Raises hotcrm.ParseError naming the JSON path."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    return _core.model_from_json(text)


def from_xgboost(source: Any) -> Model:
    """A tree ensemble from XGBoost: a JSON model file path (``save_model("x.json")``), an
    ``xgboost.Booster`` or a fitted ``xgboost.XGBModel`` (XGBClassifier, XGBRegressor).

    Supported: gbtree boosters with objectives binary:logistic, reg:logistic (probability out),
    reg:squarederror, binary:logitraw (raw out). Missing values (NaN) follow each node's default.
    """
    if isinstance(source, (str, os.PathLike)):
        return _core.load_xgboost(os.fspath(source))
    booster = source.get_booster() if hasattr(source, "get_booster") else source
    if not hasattr(booster, "save_raw"):
        raise UsageError(f"from_xgboost: expected a path, an xgboost.Booster or an XGBModel, not {type(source).__name__}")
    raw = booster.save_raw(raw_format="json")
    return _core.xgboost_from_json(bytes(raw).decode("utf-8"))


def linear(coef: Sequence[float], intercept: float = 0.0, feature_names: Optional[Sequence[FeatureSpec]] = None,
           mean: Optional[Sequence[float]] = None) -> Model:
    """Linear regression ``w·x + b``. ``mean`` is the explanation background (default zeros):
    contribution_j = w_j (x_j - mean_j), base = w·mean + b. NaN input raises UsageError."""
    return _core.linear_model(_numbers(coef, "coef"), float(intercept), feature_names,
                              None if mean is None else _numbers(mean, "mean"))


def logistic(coef: Sequence[float], intercept: float = 0.0, feature_names: Optional[Sequence[FeatureSpec]] = None,
             mean: Optional[Sequence[float]] = None) -> Model:
    """Logistic regression: ``predict`` gives sigmoid(w·x + b); ``explain`` works in log-odds."""
    return _core.logistic_model(_numbers(coef, "coef"), float(intercept), feature_names,
                                None if mean is None else _numbers(mean, "mean"))


def train_logistic(X: Any, y: Any, l2: float = 1.0, *, max_iterations: int = 100, tolerance: float = 1e-9,
                   fit_intercept: bool = True,
                   feature_names: Optional[Sequence[FeatureSpec]] = None) -> Tuple[Model, Dict[str, Any]]:
    """Deterministic L2-regularised logistic regression (Newton / IRLS, no randomness).

    Minimises sum(log-loss) + l2/2 |w|^2, the objective of scikit-learn's
    ``LogisticRegression(C=1/l2)``. Returns ``(model, metrics)`` with metrics
    ``{log_loss, auc, iterations, converged, gradient_norm}`` on the training data; the model's
    explanation background is the column means of X.
    """
    return _core.train_logistic(X, _numbers(y, "y"), float(l2), int(max_iterations),
                                float(tolerance), bool(fit_intercept), feature_names)


def points(rules: Sequence[Mapping[str, Any]], base_points: float = 0.0) -> Model:
    """A points scorecard. One rule per feature (column), as a dict:

    - ``name``: the feature name;
    - numeric: ``edges`` (ascending) and ``points`` (len(edges) + 1 values: x < edges[0], ...,
      x >= edges[-1]);
    - categorical: ``categories`` (labels of the codes 0, 1, ...) and ``points`` (one per category);
    - ``missing_points`` (default 0): for NaN and unknown codes; ``weight`` (default 1).

    The score is base_points + sum(weight * points); explain returns those terms.
    """
    features = []
    encoded = []
    for index, rule in enumerate(rules):
        try:
            feature: Dict[str, Any] = {"name": str(rule["name"])}
            if rule.get("categories"):
                feature["categories"] = [str(c) for c in rule["categories"]]
            encoded.append({"edges": [float(e) for e in rule.get("edges", [])],
                            "points": [float(p) for p in rule["points"]],
                            "missing_points": float(rule.get("missing_points", 0.0)),
                            "weight": float(rule.get("weight", 1.0))})
        except KeyError as error:
            raise UsageError(f"points: rule {index} has no {error}") from None
        except (TypeError, ValueError, AttributeError) as error:
            raise UsageError(f"points: rule {index}: {error}") from None
        features.append(feature)
    return from_json(json.dumps({"format": "hotcrm.model", "version": 1, "kind": "points", "features": features,
                                 "base_points": float(base_points), "rules": encoded}))


def naive_bayes(features: Union[Mapping[str, Sequence[str]], Sequence[Tuple[str, Sequence[str]]]]) -> NaiveBayesTable:
    """Empty won/lost frequency tables for categorical features ``{name: [category labels]}``.
    Fill with ``observe(X, y)`` or ``observe_one(row, won)``; ``.model()`` gives the scoring Model."""
    items = features.items() if isinstance(features, Mapping) else features
    return NaiveBayesTable([(str(name), [str(c) for c in categories]) for name, categories in items])


# ---- scikit-learn -----------------------------------------------------------------------------

def _feature_list(estimator: Any, count: int, feature_names: Optional[Sequence[str]]) -> list:
    if feature_names is None:
        names = getattr(estimator, "feature_names_in_", None)
        feature_names = [str(n) for n in names] if names is not None else [f"f{i}" for i in range(count)]
    if len(feature_names) != count:
        raise UsageError(f"from_sklearn: {len(feature_names)} feature names for {count} features")
    return [{"name": str(n)} for n in feature_names]


def _background(background: Any, count: int) -> Optional[np.ndarray]:
    if background is None:
        return None
    data = np.asarray(background, dtype=np.float64)
    if data.ndim != 2 or data.shape[1] != count:
        raise UsageError(f"from_sklearn: background must be a 2-D array with {count} columns")
    return data.mean(axis=0)


def _thresholds(values: np.ndarray) -> list:
    """Thresholds for our JSON, which writes infinities as the strings "inf" / "-inf"."""
    return [("inf" if v > 0 else "-inf") if np.isinf(v) else float(v) for v in values.astype(float)]


def _ensemble_json(features: list, trees: list, base_margin: float, link: str, split: str, missing: str) -> str:
    return json.dumps({"format": "hotcrm.model", "version": 1, "kind": "tree_ensemble", "features": features,
                       "base_margin": float(base_margin), "link": link, "split": split, "missing": missing,
                       "trees": trees})


def _hist_gradient_boosting(estimator: Any, feature_names: Optional[Sequence[str]], link: str) -> Model:
    if getattr(estimator, "n_trees_per_iteration_", 1) != 1:
        raise UsageError("from_sklearn: multi-class HistGradientBoostingClassifier is not supported (binary only)")
    if getattr(estimator, "is_categorical_", None) is not None and np.any(estimator.is_categorical_):
        raise UsageError("from_sklearn: categorical features of HistGradientBoosting are not supported")
    trees = []
    for iteration in estimator._predictors:
        nodes = iteration[0].nodes
        leaf = nodes["is_leaf"].astype(bool)
        trees.append({
            "left": np.where(leaf, -1, nodes["left"]).astype(int).tolist(),
            "right": np.where(leaf, -1, nodes["right"]).astype(int).tolist(),
            "feature": np.where(leaf, -1, nodes["feature_idx"]).astype(int).tolist(),
            "threshold": _thresholds(np.where(leaf, 0.0, nodes["num_threshold"])),
            "value": np.where(leaf, nodes["value"], 0.0).astype(float).tolist(),
            "cover": nodes["count"].astype(float).tolist(),
            "default_left": nodes["missing_go_to_left"].astype(bool).tolist(),
        })
    base = float(np.asarray(estimator._baseline_prediction).ravel()[0])
    features = _feature_list(estimator, int(estimator.n_features_in_), feature_names)
    return from_json(_ensemble_json(features, trees, base, link, "less_equal", "default_child"))


def _gradient_boosting(estimator: Any, feature_names: Optional[Sequence[str]], link: str) -> Model:
    stages = estimator.estimators_
    if stages.shape[1] != 1:
        raise UsageError("from_sklearn: multi-class GradientBoostingClassifier is not supported (binary only)")
    count = int(estimator.n_features_in_)
    # The initial raw prediction is a constant for the default init ('prior' / mean) and 'zero'.
    probe = np.zeros((2, count))
    probe[1] = 1e6
    init = np.asarray(estimator._raw_predict_init(probe), dtype=np.float64).ravel()
    if init[0] != init[1]:
        raise UsageError("from_sklearn: a GradientBoosting init estimator that depends on X is not supported")
    rate = float(estimator.learning_rate)
    trees = []
    for stage in stages[:, 0]:
        tree = stage.tree_
        leaf = tree.children_left < 0
        trees.append({
            "left": np.where(leaf, -1, tree.children_left).astype(int).tolist(),
            "right": np.where(leaf, -1, tree.children_right).astype(int).tolist(),
            "feature": np.where(leaf, -1, tree.feature).astype(int).tolist(),
            "threshold": _thresholds(np.where(leaf, 0.0, tree.threshold)),
            # sklearn adds learning_rate * value per stage: the same product, the same order
            "value": np.where(leaf, rate * tree.value[:, 0, 0], 0.0).astype(float).tolist(),
            "cover": tree.weighted_n_node_samples.astype(float).tolist(),
            "default_left": [True] * tree.node_count,
        })
    features = _feature_list(estimator, count, feature_names)
    return from_json(_ensemble_json(features, trees, float(init[0]), link, "less_equal_f32", "error"))


def from_sklearn(estimator: Any, *, feature_names: Optional[Sequence[str]] = None, background: Any = None) -> Model:
    """A model from a fitted scikit-learn estimator, predicting what it predicts (within 1e-6):

    - ``LogisticRegression`` (binary) -> logistic; ``predict`` = ``predict_proba(X)[:, 1]``;
    - ``LinearRegression`` -> linear;
    - ``HistGradientBoostingClassifier`` (binary) / ``HistGradientBoostingRegressor`` -> tree
      ensemble; NaN follows each node's ``missing_go_to_left``;
    - ``GradientBoostingClassifier`` (binary) / ``GradientBoostingRegressor`` -> tree ensemble;
      these have no NaN support, so NaN raises UsageError.

    ``background`` (a matrix, for linear models) sets the explanation background to its column
    means (default zeros). Feature names default to ``feature_names_in_`` or f0, f1, ...
    """
    kind = type(estimator).__name__
    if not hasattr(estimator, "n_features_in_"):
        raise UsageError(f"from_sklearn: {kind} is not a fitted scikit-learn estimator")
    count = int(estimator.n_features_in_)
    if kind in ("LogisticRegression", "LinearRegression"):
        coef = np.asarray(estimator.coef_, dtype=np.float64)
        if coef.ndim == 2 and coef.shape[0] != 1:
            raise UsageError(f"from_sklearn: multi-class/multi-output {kind} is not supported")
        intercept = float(np.asarray(estimator.intercept_, dtype=np.float64).ravel()[0]) \
            if np.ndim(estimator.intercept_) else float(estimator.intercept_)
        factory = logistic if kind == "LogisticRegression" else linear
        names = [f["name"] for f in _feature_list(estimator, count, feature_names)]
        return factory(coef.ravel(), intercept, names, _background(background, count))
    if kind == "HistGradientBoostingClassifier":
        return _hist_gradient_boosting(estimator, feature_names, "logistic")
    if kind == "HistGradientBoostingRegressor":
        return _hist_gradient_boosting(estimator, feature_names, "identity")
    if kind == "GradientBoostingClassifier":
        return _gradient_boosting(estimator, feature_names, "logistic")
    if kind == "GradientBoostingRegressor":
        return _gradient_boosting(estimator, feature_names, "identity")
    raise UsageError(f"from_sklearn: {kind} is not supported (LogisticRegression, LinearRegression, "
                     "HistGradientBoostingClassifier/Regressor, GradientBoostingClassifier/Regressor)")
