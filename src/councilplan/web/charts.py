"""Plotly figures (plain JSON) for the plan dashboard; the browser draws them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

LAYOUT = {"margin": {"l": 50, "r": 10, "t": 40, "b": 50}, "height": 420,
          "font": {"family": "system-ui, sans-serif", "size": 12}}


def _short(label: str, width: int = 38) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def top_bars(title: str, labels: Sequence[str], values: Any, *, top: int = 15,
             axis: str = "") -> dict[str, Any]:
    """The ``top`` largest values as a horizontal bar chart, largest at the top."""
    v = np.asarray(values, dtype=float)
    order = np.argsort(-np.abs(v))[:top][::-1]
    names = [str(labels[i]) for i in order]
    return {"data": [{"type": "bar", "orientation": "h", "x": v[order].tolist(), "y": names,
                      "marker": {"color": "#2f6f4f"}}],
            "layout": LAYOUT | {"title": {"text": title}, "xaxis": {"title": {"text": axis}},
                                "yaxis": _category_axis(names)}}


def _category_axis(names: Sequence[str]) -> dict[str, Any]:
    """Full names as categories (two long names never merge), shortened only on the axis."""
    return {"automargin": True, "tickmode": "array", "tickvals": list(names),
            "ticktext": [_short(n) for n in names]}


def required_vs_limit(title: str, rows: Sequence[dict[str, Any]], top: int = 15
                      ) -> dict[str, Any]:
    """Bottlenecks or binding limits: what the plan needs against what is there."""
    rows = list(rows)[:top][::-1]
    names = [f"{r['kind']}: {r['id']}" for r in rows]
    need_key = "required" if rows and "required" in rows[0] else "used"
    return {"data": [
        {"type": "bar", "orientation": "h", "name": "limit", "y": names,
         "x": [r["limit"] for r in rows], "marker": {"color": "#9bb7a7"}},
        {"type": "bar", "orientation": "h", "name": need_key, "y": names,
         "x": [r[need_key] for r in rows], "marker": {"color": "#b5462f"}}],
        "layout": LAYOUT | {"title": {"text": title}, "barmode": "group",
                            "yaxis": _category_axis(names)}}


def year_lines(title: str, years: Sequence[dict[str, Any]], keys: Sequence[str]
               ) -> dict[str, Any]:
    """Year-by-year lines of a five-year plan's totals."""
    x = [y["period"] for y in years]
    return {"data": [{"type": "scatter", "mode": "lines+markers", "name": k.replace("_", " "),
                      "x": x, "y": [y[k] for y in years]} for k in keys],
            "layout": LAYOUT | {"title": {"text": title}, "yaxis": {"automargin": True},
                                "legend": {"orientation": "h", "y": -0.15},
                                "xaxis": {"title": {"text": "year"}, "dtick": 1}}}
