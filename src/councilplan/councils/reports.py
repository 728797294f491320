"""Fulfilment reports: what plants made, used and delivered, checked in public.

Falsified reports are what the documents warn of, so three checks run on every report:
a delivery is entered twice (by the supplier and by the receiver) and any difference is
flagged; a plant's output above what its reported inputs allow under its technique is flagged
("output without inputs"); and deliveries from or to parties nobody knows are flagged.
Fulfilment is measured against what consumer councils asked for, in the receivers' entries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..economy.model import Economy
from ..errors import InvalidInput
from ..validation import non_negative_number, read_csv_rows


@dataclass(frozen=True)
class PlantReport:
    """A plant's report for one technique: output and the inputs it used, by product id."""

    plant: str
    technique: str
    output: float
    inputs: Mapping[str, float]


@dataclass(frozen=True)
class Delivery:
    """One side's entry of a delivery; ``entered_by`` is "supplier" or "receiver"."""

    supplier: str
    receiver: str
    product: str
    quantity: float
    entered_by: str


@dataclass(frozen=True)
class Flag:
    kind: str  # "mismatch", "impossible output", "unknown party", "unknown technique"
    subject: str
    detail: str


@dataclass(frozen=True)
class FulfilmentReport:
    flags: tuple[Flag, ...]
    fulfilment: Mapping[tuple[str, str], float]  # (council, product) -> delivered / requested


def check_reports(economy: Economy, reports: Iterable[PlantReport],
                  deliveries: Iterable[Delivery], councils: Iterable[str],
                  requests: Mapping[tuple[str, str], float], *, rtol: float = 1e-6
                  ) -> FulfilmentReport:
    """Run the public checks and measure fulfilment of the consumer councils' requests."""
    flags: list[Flag] = []
    flags += _check_outputs(economy, reports, rtol)
    parties = set(economy.plants) | set(councils)
    entries: dict[tuple[str, str, str], dict[str, float]] = defaultdict(dict)
    for d in deliveries:
        if d.entered_by not in ("supplier", "receiver"):
            raise InvalidInput(f"a delivery is entered by the supplier or the receiver, not "
                               f"{d.entered_by!r}")
        for who in (d.supplier, d.receiver):
            if who not in parties:
                flags.append(Flag("unknown party", who,
                                  f"{d.entered_by} entered a delivery of {d.quantity:g} "
                                  f"{d.product} from {d.supplier} to {d.receiver}"))
        key = (d.supplier, d.receiver, d.product)
        entries[key][d.entered_by] = entries[key].get(d.entered_by, 0.0) + d.quantity
    for (supplier, receiver, product), sides in sorted(entries.items()):
        sent, got = sides.get("supplier"), sides.get("receiver")
        if sent is None or got is None or not np.isclose(sent, got, rtol=rtol, atol=0):
            flags.append(Flag("mismatch", f"{supplier} -> {receiver}",
                              f"{product}: supplier entered {_show(sent)}, receiver entered "
                              f"{_show(got)}"))
    received: dict[tuple[str, str], float] = defaultdict(float)
    for (_, receiver, product), sides in entries.items():
        received[(receiver, product)] += sides.get("receiver", 0.0)
    fulfilment = {key: (received.get(key, 0.0) / want if want > 0 else float("nan"))
                  for key, want in requests.items()}
    return FulfilmentReport(tuple(flags), fulfilment)


def _show(value: float | None) -> str:
    return "nothing" if value is None else f"{value:g}"


def _check_outputs(e: Economy, reports: Iterable[PlantReport], rtol: float) -> list[Flag]:
    """Under a Leontief technique, output can be at most min_i(input_i / coefficient_i)."""
    flags = []
    for r in reports:
        try:
            t = int(e.techniques.positions([r.technique])[0])
        except InvalidInput:
            flags.append(Flag("unknown technique", r.plant, f"technique {r.technique!r}"))
            continue
        if e.plants[int(e.technique_plant[t])] != r.plant:
            flags.append(Flag("unknown technique", r.plant,
                              f"{r.technique!r} does not run at {r.plant!r}"))
            continue
        row = slice(e.input_coefficients.indptr[t], e.input_coefficients.indptr[t + 1])
        needed = e.input_coefficients.indices[row]
        coeffs = e.input_coefficients.data[row]
        allowed = np.inf
        for product, a in zip(needed, coeffs, strict=True):
            if a > 0:
                allowed = min(allowed, r.inputs.get(e.products[int(product)], 0.0) / a)
        if r.output > allowed * (1 + rtol):
            flags.append(Flag("impossible output", r.plant,
                              f"reported {r.output:g} of {e.products[int(e.technique_product[t])]}"
                              f" but its reported inputs allow at most {allowed:g}"))
    return flags


def _read_csv(path: Path, columns: tuple[str, ...], numeric: tuple[str, ...]
              ) -> list[dict[str, Any]]:
    """Rows of a small CSV file as dicts, numeric fields as floats; errors name file and line."""
    rows: list[dict[str, Any]] = []
    for line, row in read_csv_rows(path, columns):
        parsed: dict[str, Any] = dict(row)
        for c in numeric:
            parsed[c] = non_negative_number(row, c, line, path)
        rows.append(parsed)
    return rows


def read_report_files(reports: Path, deliveries: Path, requests: Path
                      ) -> tuple[list[PlantReport], list[Delivery], dict[tuple[str, str], float]]:
    """``reports.csv`` plant,technique,output,product,used (one row per input used);
    ``deliveries.csv`` supplier,receiver,product,quantity,entered_by;
    ``requests.csv`` council,product,quantity."""
    grouped: dict[tuple[str, str], tuple[float, dict[str, float]]] = {}
    for row in _read_csv(reports, ("plant", "technique", "output", "product", "used"),
                         ("output", "used")):
        key = (row["plant"], row["technique"])
        _, used = grouped.setdefault(key, (row["output"], {}))
        used[row["product"]] = used.get(row["product"], 0.0) + row["used"]
    plant_reports = [PlantReport(p, t, out, used) for (p, t), (out, used) in grouped.items()]
    entries = [Delivery(r["supplier"], r["receiver"], r["product"], r["quantity"],
                        r["entered_by"])
               for r in _read_csv(deliveries, ("supplier", "receiver", "product", "quantity",
                                               "entered_by"), ("quantity",))]
    wanted: dict[tuple[str, str], float] = {}
    for r in _read_csv(requests, ("council", "product", "quantity"), ("quantity",)):
        wanted[(r["council"], r["product"])] = wanted.get((r["council"], r["product"]), 0.0) \
            + r["quantity"]
    return plant_reports, entries, wanted


def read_targets_quantities(path: Path) -> dict[str, float]:
    """``product,target`` rows: the quantities a priority ballot's weights attach to."""
    return {r["product"]: r["target"] for r in _read_csv(Path(path), ("product", "target"),
                                                         ("target",))}
