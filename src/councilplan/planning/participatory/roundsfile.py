"""The per-round CSV in the layout of csvgen (section 7 of the specification).

Numbers are written with Python's shortest round-trip repr, which parses to the same doubles as
csvgen's Java ``Double.toString`` output, though the text may differ (``5.2E-4``/``0.00052``).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from ...errors import InvalidInput, Location
from ...validation import FloatArray
from .councils import Councils
from .procedure import Experiment, Round

BLOCKS = ("prices", "deltas", "pdlist", "supply", "demand", "surplus", "threshold")
CLASS_SUFFIX = ("private-goods", "intermediate-goods", "nature", "labor", "public-goods")
PRICE_NAMES = ("private-good-prices", "intermediate-good-prices", "nature-prices",
               "labor-prices", "public-good-prices")


def header(n: int, n_wc: int) -> list[str]:
    cols = [":iteration", ":color"]
    cols += [f":{name}-{i}" for name in PRICE_NAMES for i in range(1, n + 1)]
    for block in ("new-deltas", "pdlist", "supply", "demand", "surplus", "threshold-report"):
        cols += [f":{block}-{cls}-{i}" for cls in CLASS_SUFFIX for i in range(1, n + 1)]
    for w in range(1, n_wc + 1):
        cols += [f"wc_{w}_output", f"wc_{w}_effort"]
    return cols


def _row(r: Round) -> list[str]:
    t = r.tally
    numbers = np.concatenate([r.prices, r.delta, r.state, t.supply, t.demand, t.surplus,
                              t.threshold])
    wc = np.empty(2 * len(r.wc_output))
    wc[0::2], wc[1::2] = r.wc_output, r.wc_effort
    return [str(r.iteration), f":{r.colour}", *map(repr, numbers.tolist()),
            *map(repr, wc.tolist())]


def _exponent_row(c: Councils, n: int) -> list[str]:
    cells = ["exponent-sum"] + [""] * (35 * n + 1)
    for value in c.exponent_sums().tolist():
        cells += [repr(value), ""]
    return cells


def write_rounds_csv(experiment: Experiment, path: Path | str) -> Path:
    """Write every round of every year, each year followed by its exponent-sum row."""
    first = experiment.years[0].councils
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8", newline="") as f:
        _write_line(f, header(first.goods_per_class, first.n_wc))
        for year in experiment.years:
            for r in year.rounds:
                _write_line(f, _row(r))
            _write_line(f, _exponent_row(year.councils, first.goods_per_class))
    return path


def _write_line(f: IO[str], cells: list[str]) -> None:
    f.write(",".join(cells) + "\n")


@dataclass(frozen=True)
class PrintedYear:
    """One year of a rounds file: per round the 350 good columns and the WC columns."""

    iterations: np.ndarray
    colours: tuple[str, ...]
    goods: FloatArray  # (n_rounds, 7, 5n) in BLOCKS order
    wc_output: FloatArray  # (n_rounds, n_wc)
    wc_effort: FloatArray
    exponent_sums: FloatArray

    def block(self, name: str) -> FloatArray:
        return self.goods[:, BLOCKS.index(name)]


def read_rounds_csv(path: Path | str, goods_per_class: int = 10) -> list[PrintedYear]:
    """Read a csvgen (or our) rounds file into its years."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"unreadable rounds file: {exc}", Location(file=str(path))) from exc
    width = 2 + 35 * goods_per_class
    years: list[PrintedYear] = []
    current: list[tuple[int, list[str]]] = []
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split(",")
        if cells[0] == "exponent-sum":
            years.append(_year(current, cells, width, path))
            current = []
        else:
            current.append((number, cells))
    if current:
        raise InvalidInput("rounds after the last exponent-sum row (truncated file?)",
                           Location(str(path), current[-1][0]))
    return years


def _year(rows: list[tuple[int, list[str]]], sums: list[str], width: int, path: Path
          ) -> PrintedYear:
    try:
        numbers = np.array([[float(v) for v in cells[2:]] for _, cells in rows])
        exponent_sums = np.array([float(v) for v in sums[width::2]])
    except ValueError as exc:
        raise InvalidInput(f"not a number: {exc}", Location(file=str(path))) from exc
    n_goods = (width - 2) // 7
    goods = numbers[:, : width - 2].reshape(len(rows), 7, n_goods)
    wc = numbers[:, width - 2:]
    return PrintedYear(np.array([int(cells[0]) for _, cells in rows]),
                       tuple(cells[1].lstrip(":") for _, cells in rows), goods,
                       wc[:, 0::2], wc[:, 1::2], exponent_sums)


def printed_goods(r: Round) -> FloatArray:
    """A round's 7 good blocks in file order, for comparison with :class:`PrintedYear`."""
    t = r.tally
    return np.stack([r.prices, r.delta, r.state, t.supply, t.demand, t.surplus, t.threshold])
