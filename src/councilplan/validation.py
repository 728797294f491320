"""Input checks shared by every layer: convert once at the boundary, name the input in errors."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Literal, TypeAlias

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from .errors import InvalidInput, Location

MatrixLike: TypeAlias = "sp.spmatrix | sp.sparray | NDArray[Any] | ArrayLike"
FloatArray: TypeAlias = NDArray[np.float64]
IndexArray: TypeAlias = NDArray[np.int64]

def check_matrix(
    A: MatrixLike,
    *,
    name: str,
    shape: tuple[int, int] | None = None,
    format: Literal["csr", "csc"] = "csr",
    ensure_non_negative: bool = False,
    row_labels: Any = None,
    col_labels: Any = None,
) -> sp.csr_array | sp.csc_array:
    """Return ``A`` as a float64 sparse array in ``format``, checked for shape and finite values.

    Errors name ``name`` and, when labels are given, the row and column of the first bad entry.
    """
    if sp.issparse(A):
        M = sp.csr_array(A) if format == "csr" else sp.csc_array(A)
    else:
        dense = np.asarray(A, dtype=np.float64)
        if dense.ndim != 2:
            raise InvalidInput(f"{name} must be 2-dimensional, got {dense.ndim} dimensions")
        M = sp.csr_array(dense) if format == "csr" else sp.csc_array(dense)
    if M.dtype != np.float64:
        M = M.astype(np.float64)
    if shape is not None and M.shape != shape:
        raise InvalidInput(f"{name} has shape {M.shape}, expected {shape}")
    M.sum_duplicates()
    bad = ~np.isfinite(M.data)
    if ensure_non_negative:
        bad |= M.data < 0
    if bad.any():
        _raise_bad_entry(M, int(np.flatnonzero(bad)[0]), name, format, row_labels, col_labels)
    return M


def _raise_bad_entry(
    M: sp.csr_array | sp.csc_array,
    k: int,
    name: str,
    format: str,
    row_labels: Any,
    col_labels: Any,
) -> None:
    major = int(np.searchsorted(M.indptr, k, side="right") - 1)
    minor = int(M.indices[k])
    row, col = (major, minor) if format == "csr" else (minor, major)
    value = float(M.data[k])
    kind = "not finite" if not np.isfinite(value) else "negative"
    r = row_labels[row] if row_labels is not None else row
    c = col_labels[col] if col_labels is not None else col
    raise InvalidInput(f"{name}[{r!s}, {c!s}] is {kind} ({value!r})", Location(item=f"{r} / {c}"))


def check_vector(
    x: ArrayLike,
    *,
    name: str,
    size: int | None = None,
    ensure_non_negative: bool = False,
    allow_inf: bool = False,
    labels: Any = None,
) -> FloatArray:
    """Return ``x`` as a 1-d float64 array, checked for length and values."""
    v = np.asarray(x, dtype=np.float64)
    if v.ndim != 1:
        raise InvalidInput(f"{name} must be 1-dimensional, got shape {v.shape}")
    if size is not None and v.shape[0] != size:
        raise InvalidInput(f"{name} has length {v.shape[0]}, expected {size}")
    bad = np.isnan(v) if allow_inf else ~np.isfinite(v)
    if ensure_non_negative:
        bad |= v < 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        label = labels[i] if labels is not None else i
        kind = "negative" if v[i] < 0 else "not a finite number"
        raise InvalidInput(f"{name}[{label!s}] is {kind} ({v[i]!r})", Location(item=str(label)))
    return v


def read_csv_rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """(line, row) pairs of a small CSV file with the given columns; errors name file and line."""
    if not path.is_file():
        raise InvalidInput("file not found", Location(file=str(path)))
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidInput(f"missing column {missing[0]!r}", Location(str(path), 1, missing[0]))
        rows = list(enumerate(reader, start=2))
    for line, row in rows:
        if None in row or any(row[c] is None for c in columns):
            raise InvalidInput("wrong number of fields", Location(str(path), line))
    return rows


def non_negative_number(row: dict[str, str], field: str, line: int, path: Path) -> float:
    """The number in ``row[field]``; not a number, infinite or negative names file and line."""
    try:
        value = float(row[field])
    except (TypeError, ValueError):
        raise InvalidInput(f"value {row[field]!r} is not a number",
                           Location(str(path), line, field)) from None
    if not np.isfinite(value) or value < 0:
        raise InvalidInput(f"value {row[field]!r} must be a non-negative number",
                           Location(str(path), line, field))
    return value
