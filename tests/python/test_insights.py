"""Forecasts (checked against statsmodels), recommendations and sentiment from Python."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pytest

import hotcrm

T = np.arange(36)
# A trending monthly series with two wiggles, deterministic.
SERIES = 1000 + 35 * T + 120 * np.sin(0.9 * T) + 60 * np.cos(2.3 * T)


def _statsmodels_ets(y, trend, params):
    pd = pytest.importorskip("pandas")
    ets = pytest.importorskip("statsmodels.tsa.exponential_smoothing.ets")  # Debian python3-statsmodels
    model = ets.ETSModel(pd.Series(y), error="add", trend="add" if trend else None, initialization_method="known",
                         initial_level=params["initial_level"],
                         **({"initial_trend": params["initial_trend"]} if trend else {}))
    return model.smooth([params["alpha"], params["beta"]] if trend else [params["alpha"]])


@pytest.mark.parametrize("trend", [True, False])
def test_smoothing_with_fixed_parameters_equals_statsmodels(trend):
    """Same parameters and initial states: fitted values, SSE, forecasts and 95 % intervals agree to 1e-9."""
    ours = hotcrm.exponential_smoothing(SERIES, horizon=6, trend=trend)
    theirs = _statsmodels_ets(SERIES, trend, ours)
    assert np.allclose(ours["fitted"], np.asarray(theirs.fittedvalues), rtol=1e-9)
    assert ours["sse"] == pytest.approx(theirs.sse, rel=1e-9)
    frame = theirs.get_prediction(start=len(SERIES), end=len(SERIES) + 5).summary_frame(alpha=0.05)
    assert np.allclose(ours["mean"], frame["mean"], rtol=1e-9)
    assert np.allclose(ours["lower"], frame["pi_lower"], rtol=1e-9)
    assert np.allclose(ours["upper"], frame["pi_upper"], rtol=1e-9)


def _rough_series():
    """A random walk with drift, from deterministic pseudo-noise: statsmodels' L-BFGS stops in a
    local optimum of Holt's likelihood here, our grid-then-pattern search finds a lower SSE."""
    t = np.arange(48)
    noise = np.sin(t * 12.9898) * 43758.5453 % 1.0 - 0.5
    return 5000 + 40 * t + np.cumsum(200 * noise) + 150 * np.cos(1.7 * t)


@pytest.mark.parametrize("trend", [True, False])
def test_smoothing_sse_never_worse_than_statsmodels_on_a_rough_series(trend):
    pd = pytest.importorskip("pandas")
    ets = pytest.importorskip("statsmodels.tsa.exponential_smoothing.ets")
    y = _rough_series()
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ets.ETSModel(pd.Series(y), error="add", trend="add" if trend else None).fit(disp=False)
    assert hotcrm.exponential_smoothing(y, trend=trend)["sse"] <= fit.sse * (1 + 1e-6)


@pytest.mark.parametrize("trend", [True, False])
def test_smoothing_fit_is_at_least_as_good_as_statsmodels(trend):
    """Fitted by least squares: never a worse SSE than statsmodels' own fit (1e-6 relative), and the
    same one-year forecast within 1 %."""
    pd = pytest.importorskip("pandas")
    ets = pytest.importorskip("statsmodels.tsa.exponential_smoothing.ets")
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ets.ETSModel(pd.Series(SERIES), error="add", trend="add" if trend else None).fit(disp=False)
    ours = hotcrm.exponential_smoothing(SERIES, horizon=12, trend=trend)
    assert ours["sse"] <= fit.sse * (1 + 1e-6)
    assert np.allclose(ours["mean"], np.asarray(fit.forecast(12)), rtol=0.01)


def test_smoothing_refuses_bad_series():
    with pytest.raises(hotcrm.UsageError, match="at least 4 observations"):
        hotcrm.exponential_smoothing([1.0, 2.0, 3.0])
    with pytest.raises(hotcrm.UsageError, match="1-D"):
        hotcrm.exponential_smoothing([[1.0, 2.0]])
    with pytest.raises(hotcrm.UsageError, match="coverage"):
        hotcrm.exponential_smoothing(SERIES, coverage=2.0)


def test_forecast_from_the_database(tmp_path):
    db = hotcrm.open(tmp_path / "f.db", now=dt.datetime(2026, 3, 15, 12, tzinfo=dt.timezone.utc), id_seed=1)
    account = db.insert("account", {"name": "Acme"})
    for month in range(1, 13):  # a year of wins, growing
        db.insert("opportunity", {"name": f"W{month}", "account_id": account, "stage": "closed_won",
                                  "amount": Decimal(1000 * month), "close_date": dt.date(2025, month, 1) + dt.timedelta(days=60)})
    db.insert("opportunity", {"name": "Lost", "account_id": account, "stage": "closed_lost", "amount": Decimal(10),
                              "close_date": dt.date(2026, 2, 1)})
    db.insert("opportunity", {"name": "Open", "account_id": account, "stage": "negotiation", "amount": Decimal("5000.50"),
                              "close_date": dt.date(2026, 4, 2)})
    f = db.forecast(3)
    # Closed in the last 365 days: 11 wins (the first closed on 2025-03-02) and the loss.
    assert f["won"] == 11 and f["closed"] == 12
    april = f["months"][1]
    assert april["month"] == dt.date(2026, 4, 1) and april["opportunities"] == 1
    assert april["weighted"] == Decimal("4000.400000")  # 80 %
    assert april["forecast"] == Decimal("3900.39")  # x (7 x 12 + 3 x 11) / 120, to the cent
    assert f["smoothing"]["method"] == "holt" and len(f["history"]) == 12
    assert all(m["lower"] <= m["smoothed"] <= m["upper"] for m in f["months"])
    assert f["total"] == sum(m["forecast"] for m in f["months"])
    with pytest.raises(hotcrm.UsageError, match="between 1 and 120"):
        db.forecast(0)
    db.close()


def test_recommend_and_sentiment(tmp_path):
    db = hotcrm.open(tmp_path / "r.db", id_seed=2)
    account = db.insert("account", {"name": "Acme"})
    opp = db.insert("opportunity", {"name": "D", "account_id": account, "stage": "proposal",
                                    "close_date": dt.date(2030, 1, 1)})
    book = db.insert("pricebook", {"name": "Standard"})
    a, b, c = (db.insert("product", {"name": n}) for n in ("Alpha", "Beta", "Gamma"))
    quotes = []
    for items in ([a, b], [a, b], [a, c], [a]):
        q = db.insert("quote", {"name": "Q", "opportunity_id": opp, "account_id": account, "pricebook_id": book,
                                "expiration_date": dt.date(2030, 1, 1)})
        for n, product in enumerate(items):
            db.insert("quote_line_item", {"quote_id": q, "product_id": product, "line_number": n + 1,
                                          "list_price": Decimal(1), "unit_price": Decimal(1)})
        quotes.append(q)
    recs = db.recommend(quotes[3])
    assert [r["name"] for r in recs] == ["Beta"]
    assert recs[0]["score"] == pytest.approx(2 / math.sqrt(4 * 2)) and recs[0]["because"] == a
    assert [r["name"] for r in db.recommend(products=[a], min_support=1)] == ["Beta", "Gamma"]
    with pytest.raises(hotcrm.UsageError, match="not both"):
        db.recommend()
    with pytest.raises(hotcrm.NotFoundError):
        db.recommend("nope")

    s = hotcrm.sentiment("The agent was very helpful, but the app still crashes!")
    assert s["label"] == "negative" and s["total"] == pytest.approx(sum(t["contribution"] for t in s["terms"]))
    assert [t["word"] for t in s["terms"]] == ["helpful", "crashes"]
    assert hotcrm.sentiment("not bad")["label"] == "positive"
    case = db.insert("support_case", {"subject": "S", "description": "d", "origin": "web", "account_id": account})
    db.insert("case_comment", {"case_id": case, "body": "Absolutely unacceptable, I am furious"})
    run = db.sentiment("case_comment", "body", write="ai_sentiment")
    assert run["labels"] == ["angry"] and run["written"] == 1 and run["scores"][0] < -0.5
    db.close()
