"""Loaders for published input-output tables. pandas is used here and nowhere in the engine.

Every loader ends in :func:`economy_from_flows`, which turns flows (money per period) into
coefficients and records in a :class:`LoadReport` what it dropped or assumed.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InvalidInput, Location
from .model import Economy, build_economy

_TOTAL = re.compile(r"^\s*total\b|^T\d{3}$|^TTL_", re.IGNORECASE)
_LABOUR = re.compile(r"compensation|^labou?r$|wages|^V00100$", re.IGNORECASE)
_VALUE_ADDED = re.compile(r"^VALU$|value added", re.IGNORECASE)
_OUTPUT = re.compile(r"^output$|^total output|^T008$", re.IGNORECASE)


@dataclass
class LoadReport:
    """What a loader dropped, changed or assumed, in plain sentences."""

    notes: list[str] = field(default_factory=list)

    def add(self, note: str) -> None:
        self.notes.append(note)


def category_kind(label: str) -> str:
    """Map a final-demand column label to a category kind by its wording."""
    s = label.lower()
    if re.search(r"invest|capital formation|gfcf|fixed", s):
        return "investment"
    if re.search(r"inventor|invnt|valuables|stock", s):
        return "reserves"
    if re.search(r"export|import|expo|impo|abroad|non-?res|cons_abr|cons_nonres", s):
        return "exports"
    if re.search(r"government|ggfc|public|defen[cs]e|local authorit|state and local", s):
        return "public"
    return "consumption"


def economy_from_flows(
    *,
    product_ids: Sequence[str],
    product_names: Sequence[str],
    flows: np.ndarray,
    final_demand: np.ndarray,
    category_ids: Sequence[str],
    labour: np.ndarray | None,
    unit: str,
    report: LoadReport,
    metadata: dict[str, str],
) -> Economy:
    """Coefficients from a flow table: A = Z diag(x)^-1 with x = Z 1 + Y 1.

    ``flows`` is (n, n) intermediate use, ``final_demand`` (n, k), ``labour`` (n,) labour
    input by producing product, in the table's money unit. Negative intermediate flows are set
    to zero and products with no positive output are dropped, both reported.
    """
    Z = np.array(flows, dtype=np.float64)
    Y = np.array(final_demand, dtype=np.float64)
    negative = Z < 0
    if negative.any():
        report.add(f"{int(negative.sum())} negative intermediate entries (total "
                   f"{Z[negative].sum():.6g} {unit}) set to zero")
        Z[negative] = 0.0
    x = Z.sum(axis=1) + Y.sum(axis=1)
    keep = x > 0
    if not keep.all():
        dropped = [product_ids[int(i)] for i in np.flatnonzero(~keep)]
        used = Z[~keep][:, keep].sum()
        report.add(f"{len(dropped)} products with no positive output dropped: "
                   f"{', '.join(dropped[:12])}{' …' if len(dropped) > 12 else ''}; their "
                   f"intermediate use ({used:.6g} {unit}) is treated as a primary input")
        Z = Z[np.ix_(keep, keep)]
        Y = Y[keep]
        x = Z.sum(axis=1) + Y.sum(axis=1)
        product_ids = [p for p, k in zip(product_ids, keep, strict=True) if k]
        product_names = [p for p, k in zip(product_names, keep, strict=True) if k]
        labour = None if labour is None else labour[keep]
    neg_fd = Y < 0
    if neg_fd.any():
        report.add(f"{int(neg_fd.sum())} negative final-demand entries kept (imports, "
                   f"inventory drawdown); they reduce the output required")
    if labour is None:
        report.add("no labour data: labour values are zero")
        l = np.zeros(len(x))
    else:
        if (labour < 0).any():
            report.add(f"{int((labour < 0).sum())} negative labour entries set to zero")
        l = np.clip(labour, 0, None) / x
    metadata = dict(metadata)
    metadata["notes"] = json.dumps(report.notes)
    metadata["unit"] = unit
    return build_economy(
        product_ids=list(product_ids),
        product_names=list(product_names),
        input_coefficients=Z / x,
        final_demand=Y,
        category_ids=list(category_ids),
        category_kinds=[category_kind(c) for c in category_ids],
        labour=l,
        unit=unit,
        metadata=metadata,
    )


def read_table_csv(path: Path | str) -> pd.DataFrame:
    """Read a labelled CSV table as strings, with clear errors for malformed files."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput("file not found", Location(file=str(path)))
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"not UTF-8 text: {exc}", Location(file=str(path))) from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        line = _line_from_parser_error(str(exc))
        raise InvalidInput(f"malformed CSV: {exc}", Location(str(path), line)) from exc
    with open(path, encoding="utf-8", newline="") as f:
        header = [h.strip() for h in next(csv.reader(f), [])]
    seen: set[str] = set()
    for h in header:
        if h in seen:
            raise InvalidInput(f"duplicate column {h!r}", Location(str(path), 1, h))
        seen.add(h)
    df.columns = header
    first = df.columns[0]
    df[first] = df[first].str.strip()
    dup = df[first].duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        label = str(df[first].iat[i])
        raise InvalidInput(f"duplicate row {label!r}", Location(str(path), i + 2, first, label))
    return df.set_index(first)


def _line_from_parser_error(message: str) -> int | None:
    m = re.search(r"line (\d+)", message)
    return int(m.group(1)) if m else None


def numeric_block(df: pd.DataFrame, rows: Sequence[str], cols: Sequence[str], path: Path,
                  *, allow_blank: bool = False) -> np.ndarray:
    """The numbers in ``df.loc[rows, cols]``; blanks and non-numbers name their line and field."""
    block = df.loc[list(rows), list(cols)]
    values = block.apply(lambda c: pd.to_numeric(c.str.strip(), errors="coerce"))
    bad = values.isna().to_numpy().copy()
    if allow_blank:
        bad &= (block.apply(lambda c: c.str.strip()) != "").to_numpy()
    if bad.any():
        i, j = (int(k[0]) for k in np.nonzero(bad))
        line = int(np.flatnonzero(df.index == rows[i])[0]) + 2
        text = block.iat[i, j]
        what = "blank" if not str(text).strip() else f"not a number ({text!r})"
        raise InvalidInput(f"value is {what}",
                           Location(str(path), line, str(cols[j]), str(rows[i])))
    return np.asarray(np.nan_to_num(values.to_numpy(dtype=np.float64), nan=0.0))


def find_subtotals(
    df: pd.DataFrame, cols: list[str], rows: list[str], path: Path
) -> dict[str, str]:
    """Columns that equal the sum of the 2+ columns next to them (subtotals, not categories)."""
    data = numeric_block(df, rows, cols, path, allow_blank=True)
    found: dict[str, str] = {}
    for j, name in enumerate(cols):
        for lo, hi in _neighbour_ranges(j, len(cols)):
            part = data[:, lo:hi].sum(axis=1)
            close = np.abs(part - data[:, j]) <= 1.0 + 1e-6 * np.abs(part) + (hi - lo)
            if close.mean() >= 0.95 and np.abs(data[:, j]).sum() > 0:
                found[name] = f"sum of {', '.join(cols[lo:hi])}"
                break
    return found


def _neighbour_ranges(j: int, n: int) -> list[tuple[int, int]]:
    after = [(j + 1, j + 1 + k) for k in range(2, n - j)]
    before = [(j - k, j) for k in range(2, j + 1)]
    return after + before


def load_symmetric(path: Path | str) -> Economy:
    """Load a symmetric (product-by-product or industry-by-industry) table in CSV.

    The product block is found by matching row labels to column labels (``DOM_xx`` rows to
    ``Dxx`` columns in OECD tables). Other columns are final-demand categories, except totals
    and subtotals, which are detected and dropped. Labour is the compensation-of-employees row;
    failing that, value added (reported).
    """
    path = Path(path)
    df = read_table_csv(path)
    report = LoadReport()
    rows, cols = list(df.index), list(df.columns)
    row_of = _match_product_rows(rows, cols)
    if len(row_of) < 2:
        raise InvalidInput("no product block: row labels do not match column labels",
                           Location(file=str(path)))
    products = list(row_of)
    prow = [row_of[p] for p in products]
    if any(r.startswith("IMP_") for r in rows):
        report.add("imported-product rows (IMP_) not used: imports are a primary input here")
    other = [c for c in cols if c not in row_of]
    totals = [c for c in other if _TOTAL.search(c)]
    candidates = [c for c in other if c not in totals]
    subtotals = find_subtotals(df, candidates, prow, path)
    fd_cols = [c for c in candidates if c not in subtotals]
    Yall = numeric_block(df, prow, fd_cols, path)
    empty = [c for j, c in enumerate(fd_cols) if not np.any(Yall[:, j])]
    fd_cols = [c for c in fd_cols if c not in empty]
    for c, why in subtotals.items():
        report.add(f"column {c!r} dropped: it is a subtotal ({why})")
    if totals:
        report.add(f"total columns dropped: {', '.join(totals)}")
    if empty:
        report.add(f"final-demand columns with no product entries dropped: {', '.join(empty)}")
    Z = numeric_block(df, prow, products, path)
    Y = numeric_block(df, prow, fd_cols, path)
    labour = _labour_row(df, rows, products, path, report)
    _compare_output_row(df, rows, products, Z.sum(1) + Y.sum(1), path, report)
    return economy_from_flows(
        product_ids=products, product_names=products, flows=Z, final_demand=Y,
        category_ids=fd_cols, labour=labour, unit=_unit_of(path), report=report,
        metadata={"source": str(path), "kind": "symmetric"},
    )


def _match_product_rows(rows: list[str], cols: list[str]) -> dict[str, str]:
    """Map each product column label to its row label."""
    row_set = set(rows)
    matched: dict[str, str] = {}
    for c in cols:
        if c in row_set:
            matched[c] = c
        elif c.startswith("D") and f"DOM_{c[1:]}" in row_set:
            matched[c] = f"DOM_{c[1:]}"
    return matched


def _labour_row(df: pd.DataFrame, rows: list[str], cols: list[str], path: Path,
                report: LoadReport) -> np.ndarray | None:
    for pattern, note in ((_LABOUR, None), (_VALUE_ADDED, "value added used as labour input "
                                            "(the table has no compensation-of-employees row)")):
        found = [r for r in rows if pattern.search(r)]
        if found:
            report.add(f"row {found[0]!r}: {note or 'labour input (money per period)'}")
            return np.asarray(numeric_block(df, [found[0]], cols, path).ravel())
    return None


def _compare_output_row(df: pd.DataFrame, rows: list[str], cols: list[str], x: np.ndarray,
                        path: Path, report: LoadReport) -> None:
    found = [r for r in rows if _OUTPUT.search(r)]
    if not found:
        report.add("no output row: gross output taken as intermediate plus final use")
        return
    published = numeric_block(df, [found[0]], cols, path, allow_blank=True).ravel()
    gap = np.abs(published - x)
    report.add(f"gross output = intermediate + final use; it differs from row {found[0]!r} by "
               f"at most {gap.max():.6g} (sum {gap.sum():.6g}), from rounding in the table")


def _unit_of(path: Path) -> str:
    text = str(path).lower()
    if "oecd" in text or "bea" in text:
        return "USD million"
    if "ons" in text or "uk" in text:
        return "GBP million"
    return "money unit"


def load_supply_use(path: Path | str) -> Economy:
    """Load supply (make) and use tables into product-by-product coefficients.

    Technology assumption: the *industry technology assumption*. Each industry uses the same
    input mix for every commodity it makes, so A = B D with B = U diag(g)^-1 (inputs per unit of
    industry output) and D = V diag(q)^-1 (each industry's share of each commodity's output).
    It never gives negative coefficients. ``path`` is a directory holding files whose names
    contain ``make`` and ``use``, and optionally ``codes.csv`` with ``code,role,name``.
    """
    directory = Path(path)
    make_path, use_path = _find_table(directory, "make"), _find_table(directory, "use")
    make, use = read_table_csv(make_path), read_table_csv(use_path)
    report = LoadReport()
    names = _code_names(directory)
    make, use = (df.drop(columns="name") if "name" in df.columns else df for df in (make, use))
    industries = [r for r in make.index if not _TOTAL.search(r)]
    commodities = [c for c in make.columns if not _TOTAL.search(c)]
    missing = [c for c in commodities if c not in use.index]
    if missing:
        raise InvalidInput(f"commodity {missing[0]!r} of the make table has no row in the use "
                           "table", Location(str(use_path), item=missing[0]))
    absent = [i for i in industries if i not in use.columns]
    if absent:
        raise InvalidInput(f"industry {absent[0]!r} of the make table has no column in the use "
                           "table", Location(str(use_path), item=absent[0]))
    V = numeric_block(make, industries, commodities, make_path)
    U = numeric_block(use, commodities, industries, use_path)
    fd_cols = [c for c in use.columns if c not in set(industries) and not _TOTAL.search(c)]
    Y = numeric_block(use, commodities, fd_cols, use_path)
    comp_rows = [r for r in use.index if _LABOUR.search(r)
                 or _LABOUR.search(names.get(r, "") or "")]
    if (V < 0).any():
        i, j = (int(k[0]) for k in np.nonzero(V < 0))
        raise InvalidInput("negative entry in the make table", Location(
            str(make_path), i + 2, commodities[j], industries[i]))
    made = V.sum(axis=0) > 0
    if not made.all():
        gone = [c for c, k in zip(commodities, made, strict=True) if not k]
        report.add(f"commodities that no industry makes dropped: {', '.join(gone)}; their use "
                   "is treated as a primary input (imports)")
        commodities = [c for c, k in zip(commodities, made, strict=True) if k]
        V, U, Y = V[:, made], U[made], Y[made]
    q, g = V.sum(axis=0), V.sum(axis=1)
    neg = U < 0
    if neg.any():
        report.add(f"{int(neg.sum())} negative use entries (total {U[neg].sum():.6g}) set to zero")
        U = np.where(neg, 0.0, U)
    ind_keep = g > 0
    if not ind_keep.all():
        report.add("industries with no output dropped: "
                   + ", ".join(i for i, k in zip(industries, ind_keep, strict=True) if not k))
    D = np.divide(V, q, out=np.zeros_like(V), where=q > 0)[ind_keep]
    B = U[:, ind_keep] / g[ind_keep]
    A = B @ D
    labour = None
    if comp_rows:
        comp = numeric_block(use, [comp_rows[0]], industries, use_path).ravel()[ind_keep]
        labour = (comp / g[ind_keep]) @ D * q
        report.add(f"row {comp_rows[0]!r}: labour input (compensation of employees), "
                   "assigned to commodities by market shares")
    report.add("technology assumption: industry technology (A = B D), product by product")
    labels = [names.get(c, c) for c in commodities]
    published = (A * q).sum(axis=1) + Y.sum(axis=1)
    report.add(f"commodity output from the make table differs from intermediate + final use "
               f"by at most {np.abs(published - q).max():.6g} (rounding)")
    return economy_from_flows(
        product_ids=commodities, product_names=labels, flows=A * q, final_demand=Y,
        category_ids=fd_cols, labour=labour, unit=_unit_of(directory), report=report,
        metadata={"source": str(directory), "kind": "supply-use",
                  "technology_assumption": "industry"},
    )


def _find_table(directory: Path, word: str) -> Path:
    if not directory.is_dir():
        raise InvalidInput("supply-use input must be a directory with make and use tables",
                           Location(file=str(directory)))
    found = sorted(p for p in directory.glob("*.csv") if word in p.name.lower())
    if len(found) != 1:
        raise InvalidInput(f"expected exactly one CSV file with {word!r} in its name, found "
                           f"{len(found)}", Location(file=str(directory)))
    return found[0]


def _code_names(directory: Path) -> dict[str, str]:
    """Commodity names from an optional ``codes.csv`` (code, role, name)."""
    path = directory / "codes.csv"
    if not path.is_file():
        return {}
    codes = pd.read_csv(path, dtype=str, keep_default_na=False)
    if not {"code", "name"} <= set(codes.columns):
        raise InvalidInput("codes.csv needs columns code and name", Location(file=str(path)))
    if "role" in codes.columns:
        codes = codes[codes["role"].isin(["commodity", "value_added"])]
    return dict(zip(codes["code"], codes["name"], strict=True))


def load_pymrio(source: Any) -> Economy:
    """Load any pymrio ``IOSystem`` (an object, a directory saved by pymrio, or ``"test"``).

    Products are ``region/sector``; final-demand categories are summed over regions. Labour is a
    satellite row about compensation or employment, failing that value added (reported).
    """
    import pymrio

    io = source
    if isinstance(source, str | Path):
        io = pymrio.load_test() if str(source) == "test" else _pymrio_load(Path(source))
    report = LoadReport()
    Z, Y = io.Z, io.Y
    if Z is None and getattr(io, "A", None) is not None and getattr(io, "x", None) is not None:
        Z = io.A * io.x.iloc[:, 0].to_numpy()
        report.add("flows Z computed from A and x")
    if Z is None or Y is None:
        raise InvalidInput("pymrio system has no Z (or A and x) and Y")
    labels = [f"{r}/{s}" for r, s in Z.index]
    Yc = Y.T.groupby(level=-1, sort=False).sum().T
    labour = _pymrio_labour(io, Z.columns, report)
    return economy_from_flows(
        product_ids=labels, product_names=labels, flows=Z.to_numpy(), final_demand=Yc.to_numpy(),
        category_ids=[str(c) for c in Yc.columns], labour=labour,
        unit=str((getattr(io, "unit", None) is not None and io.unit.iloc[0, 0]) or "money unit"),
        report=report, metadata={"source": str(getattr(io, "name", "pymrio")), "kind": "pymrio"},
    )


def _pymrio_load(path: Path) -> Any:
    import pymrio

    if not path.exists():
        raise InvalidInput("pymrio directory not found", Location(file=str(path)))
    try:
        return pymrio.load_all(path)
    except Exception as exc:  # pymrio raises many types for unreadable folders
        raise InvalidInput(f"pymrio could not read it: {exc}", Location(file=str(path))) from exc


def _pymrio_labour(io: Any, columns: Any, report: LoadReport) -> np.ndarray | None:
    fallback = None
    for ext in io.get_extensions(data=True):
        F = getattr(ext, "F", None)
        if F is None:
            continue
        for row in F.index:
            text = " ".join(map(str, row)) if isinstance(row, tuple) else str(row)
            values = F.loc[[row]].reindex(columns=columns).to_numpy(dtype=float).ravel()
            if _LABOUR.search(text) or "employ" in text.lower():
                report.add(f"labour from satellite row {text!r} of extension {ext.name!r}")
                return np.asarray(values)
            if fallback is None and _VALUE_ADDED.search(text):
                fallback = (text, ext.name, values)
    if fallback is not None:
        report.add(f"value added ({fallback[0]!r} of {fallback[1]!r}) used as labour input")
        return np.asarray(fallback[2])
    return None
