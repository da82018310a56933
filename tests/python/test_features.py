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


def _activity(who, when, kind="call", who_object="lead"):
    return {"subject": f"{kind} {when:%Y-%m-%d}", "type": kind, "who_object": who_object, "who_id": who,
            "activity_date": when}


def test_aggregates_of_related_records(frozen_db):
    import datetime as dt

    from conftest import FROZEN_NOW
    ids = frozen_db.import_records("lead", [lead(i) for i in range(3)]).ids
    day = dt.timedelta(days=1)
    frozen_db.import_records("activity", [
        _activity(ids[0], FROZEN_NOW - 2 * day), _activity(ids[0], FROZEN_NOW - 40 * day),
        _activity(ids[0], FROZEN_NOW - 30 * day, "email"), _activity(ids[1], FROZEN_NOW - 10 * day),
        _activity(ids[2], FROZEN_NOW - 1 * day, who_object="contact")])  # another object's id space
    recent = hotcrm.aggregate("activity", "who_id", where="ISPICKVAL(who_object, 'lead')",
                              date_field="activity_date", within_days=30)
    X, names, row_ids = frozen_db.features("lead", {
        "recent": recent,
        "calls": hotcrm.aggregate("activity", "who_id", where="AND(ISPICKVAL(who_object, 'lead'), ISPICKVAL(type, 'call'))"),
        "last": hotcrm.aggregate("activity", "who_id", "max", field="activity_date",
                                 where="ISPICKVAL(who_object, 'lead')", hidden=True),
        "idle_days": "NOW() - last"})
    assert names == ["recent", "calls", "idle_days"] and row_ids == ids
    assert X[:, 0].tolist() == [2.0, 1.0, 0.0]
    assert X[:, 1].tolist() == [2.0, 1.0, 0.0]
    assert X[0, 2] == pytest.approx(2.0) and X[1, 2] == pytest.approx(10.0) and np.isnan(X[2, 2])
    # The same specs as (name, spec) pairs, and the errors name the feature.
    X2, _, _ = frozen_db.features("lead", [("recent", recent)])
    assert X2[:, 0].tolist() == [2.0, 1.0, 0.0]
    with pytest.raises(hotcrm.UsageError, match="feature 'n'.*no object 'nothing'"):
        frozen_db.features("lead", {"n": hotcrm.aggregate("nothing", "who_id")})
    with pytest.raises(hotcrm.UsageError, match="within_days"):
        frozen_db.features("lead", {"n": hotcrm.aggregate("activity", "who_id", date_field="activity_date",
                                                          within_days=-1)})
    with pytest.raises(hotcrm.ParseError, match="unknown key"):
        frozen_db.features("lead", {"n": {"aggregate": {"object": "activity", "via": "who_id", "days": 3}}})
    with pytest.raises(hotcrm.UsageError, match="formula string or a dict"):
        frozen_db.features("lead", {"n": 3})


def test_models_register_with_aggregates(frozen_db):
    ids = frozen_db.import_records("lead", [lead(i) for i in range(2)]).ids
    frozen_db.import_records("activity", [_activity(ids[1], dt_minus(days)) for days in (1, 2, 3)])
    count = hotcrm.aggregate("activity", "who_id", where="ISPICKVAL(who_object, 'lead')")
    info = frozen_db.register_model("busy", hotcrm.models.linear([2.0], 1.0, feature_names=["activities"]),
                                    features={"activities": count}, object="lead", round="half_up")
    assert info["features"]["activities"]["aggregate"]["object"] == "activity" and info["round"] == "half_up"
    r = frozen_db.score("busy")
    assert r.scores.tolist() == [1.0, 7.0]


def dt_minus(days):
    import datetime as dt

    from conftest import FROZEN_NOW
    return FROZEN_NOW - dt.timedelta(days=days)


def test_features_in_chunks_stream_the_matrix(frozen_db):
    frozen_db.import_records("lead", [lead(i, number_of_employees=i) for i in range(10)])
    spec = {"employees": "number_of_employees", "twice": "number_of_employees * 2"}
    X, names, ids = frozen_db.features("lead", spec)
    blocks = []
    seen = frozen_db.features_in_chunks("lead", spec, lambda x, n, i: blocks.append((x.copy(), list(i))), chunk_rows=4)
    assert seen == 10 and [len(b[1]) for b in blocks] == [4, 4, 2]
    assert np.array_equal(np.vstack([b[0] for b in blocks]), X) and sum((b[1] for b in blocks), []) == ids
    assert frozen_db.features_in_chunks("lead", spec, lambda x, n, i: False, chunk_rows=4) == 4  # stopped
    empty = []
    assert frozen_db.features_in_chunks("lead", spec, lambda x, n, i: empty.append(n), where="number_of_employees > 99") == 0
    assert empty == [["employees", "twice"]]
