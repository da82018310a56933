"""Feature matrices from the database, straight into a scoring model."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

import hotcrm
from conftest import lead


def test_features_feed_a_model(frozen_db):
    rows = [lead(i, annual_revenue=Decimal(1_000_000 * i), number_of_employees=10 * i,
                 industry=("technology" if i % 2 else "finance"), rating=("hot" if i % 3 == 0 else "cold"))
            for i in range(1, 31)]
    frozen_db.import_records("lead", rows)
    X, names, ids = frozen_db.features(
        "lead", {"revenue_m": "annual_revenue / 1000000", "employees": "number_of_employees",
                 "hot": "ISPICKVAL(rating, 'hot')"},
        where="number_of_employees >= 50", one_hot=["industry"])
    assert X.dtype == np.float64 and X.shape == (26, 3 + 10)
    assert names[:4] == ["revenue_m", "employees", "hot", "industry=technology"]
    first = frozen_db.get("lead", ids[0])
    assert X[0, 0] == pytest.approx(float(first["annual_revenue"]) / 1e6)
    assert X[0, 1] == first["number_of_employees"]
    assert X[0, 2] == (1.0 if first["rating"] == "hot" else 0.0)
    assert X[:, 3:].sum(axis=1).tolist() == [1.0] * 26  # exactly one industry each

    model = hotcrm.models.logistic(coef=[0.1, 0.01, 1.0] + [0.0] * 10, intercept=-2.0, feature_names=names)
    scores = model.predict(X)
    assert scores.shape == (26,) and np.all((scores > 0) & (scores < 1))


def test_bad_features_are_usage_errors(frozen_db):
    with pytest.raises(hotcrm.UsageError, match="feature 'name' is text"):
        frozen_db.features("lead", {"name": "last_name"})
    with pytest.raises(hotcrm.UsageError, match="picklist"):
        frozen_db.features("lead", {}, one_hot=["last_name"])
    X, names, ids = frozen_db.features("lead", {"revenue": "annual_revenue"})
    assert X.shape == (0, 1) and ids == []
