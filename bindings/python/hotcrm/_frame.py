"""Column conversion between pandas / numpy and hotcrm (internal).

Import side: :func:`as_columns` turns a DataFrame or a dict of columns into one numpy array per
column (float64, int64, bool, datetime64[us] or object) plus an optional null mask; the C++ side
reads the arrays directly, so no per-row Python dict is ever built. Export side: :func:`to_pandas`
assembles a DataFrame from the arrays that ``QueryResult._pandas_columns`` builds in C++.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any, List, Optional, Tuple

import numpy as np

from ._core import UsageError

__all__ = ["as_columns", "to_pandas"]

_INT64_MAX = np.iinfo(np.int64).max

Columns = Tuple[List[str], List[np.ndarray], List[Optional[np.ndarray]], int]


def _normalize_array(name: str, values: np.ndarray) -> np.ndarray:
    """Converts a 1-D numpy array to one of the dtypes the C++ reader accepts."""
    if values.ndim != 1:
        raise UsageError(f"column {name!r} must be one-dimensional, not {values.ndim}-dimensional")
    kind = values.dtype.kind
    if kind == "f":
        return values.astype(np.float64, copy=False)
    if kind == "i":
        return values.astype(np.int64, copy=False)
    if kind == "u":
        if values.size and values.max() > _INT64_MAX:
            return values.astype(object)
        return values.astype(np.int64, copy=False)
    if kind == "b":
        return values
    if kind == "M":
        return values.astype("datetime64[us]", copy=False)
    if kind == "U":
        return values.astype(object)
    if kind == "S":
        return values.astype(str).astype(object)
    if kind == "O":
        return values
    raise UsageError(f"column {name!r} has the unsupported dtype {values.dtype} "
                     "(use numbers, bool, datetime64, str or objects)")


def _series_column(name: str, series: Any) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    pd = sys.modules["pandas"]
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _normalize_array(name, series.astype(object).to_numpy()), None
    if isinstance(dtype, pd.DatetimeTZDtype):
        naive = series.dt.tz_convert("UTC").dt.tz_localize(None)
        return _normalize_array(name, naive.to_numpy()), None
    if pd.api.types.is_extension_array_dtype(dtype):
        mask = series.isna().to_numpy(dtype=bool)
        kind = getattr(dtype, "kind", "O")
        if kind in "iu":
            return series.to_numpy(dtype="int64", na_value=0), mask
        if kind == "b":
            return series.to_numpy(dtype=bool, na_value=False), mask
        if kind == "f":
            return series.to_numpy(dtype="float64", na_value=np.nan), None
        return series.to_numpy(dtype=object, na_value=None), None
    return _normalize_array(name, series.to_numpy()), None


def _list_column(values: Any) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        out[i] = value
    return out


def as_columns(data: Any) -> Optional[Columns]:
    """(names, arrays, masks, rows) for a DataFrame or a dict of columns; None for anything else."""
    pd = sys.modules.get("pandas")
    names: List[str] = []
    arrays: List[np.ndarray] = []
    masks: List[Optional[np.ndarray]] = []
    if pd is not None and isinstance(data, pd.DataFrame):
        rows = len(data.index)
        for position, name in enumerate(data.columns):
            if not isinstance(name, str):
                raise UsageError(f"DataFrame column names must be str field names, not {name!r}")
            values, mask = _series_column(name, data.iloc[:, position])
            names.append(name)
            arrays.append(values)
            masks.append(mask)
        return names, arrays, masks, rows
    if isinstance(data, Mapping):
        rows = -1
        for name, column in data.items():
            if not isinstance(name, str):
                raise UsageError(f"field names must be str, not {name!r}")
            if pd is not None and isinstance(column, pd.Series):
                values, mask = _series_column(name, column)
            elif isinstance(column, np.ndarray):
                values, mask = _normalize_array(name, column), None
            elif isinstance(column, (list, tuple)):
                values, mask = _list_column(column), None
            else:
                raise UsageError(
                    "a dict passed to import_records maps field names to columns (lists, numpy arrays or "
                    f"Series); {name!r} holds a {type(column).__name__}. To insert one record use insert()")
            if rows >= 0 and len(values) != rows:
                raise UsageError(f"column {name!r} has {len(values)} values, the previous columns {rows}")
            rows = len(values)
            names.append(name)
            arrays.append(values)
            masks.append(mask)
        return names, arrays, masks, max(rows, 0)
    return None


def to_pandas(result: Any, decimals: str = "float") -> Any:
    """Builds the DataFrame of QueryResult.to_pandas (see its docstring for the dtypes)."""
    if decimals not in ("float", "object"):
        raise UsageError(f'decimals must be "float" or "object", not {decimals!r}')
    import pandas as pd

    data = {}
    for name, kind, values, mask in result._pandas_columns(decimals == "object"):
        if kind == "integer" and mask is not None:
            column: Any = pd.arrays.IntegerArray(values, mask)
        elif kind == "boolean" and mask is not None:
            column = pd.arrays.BooleanArray(values, mask)
        elif kind == "datetime":
            column = pd.Series(values.astype("datetime64[ns]"), copy=False).dt.tz_localize("UTC")
        elif kind == "date":
            column = values.astype("datetime64[ns]")
        else:
            column = values
        data[name] = column
    # The arrays were made for this frame and nothing else holds them: no copy, and no consolidation
    # of the text columns into one 2-D block (a copy of every cell pointer, a quarter of a large read).
    frame = pd.DataFrame(data, columns=list(result.fields), copy=False)
    return frame
