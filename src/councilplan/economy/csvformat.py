"""The economy as plain CSV files keyed by ids: an open format for people and other tools.

Files (a blank ``capacity`` or ``limit`` means no limit)::

    products.csv       id,name,unit
    plants.csv         id
    techniques.csv     id,product,plant,capacity
    inputs.csv         technique,product,quantity        (per unit of the technique's output)
    resources.csv      id,kind,unit,limit                 (kind: labour or natural)
    resource_use.csv   technique,resource,quantity
    final_demand.csv   product,category,kind,quantity
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import scipy.sparse as sp

from ..errors import InvalidInput, Location
from .formats import atomic_directory
from .model import Economy, IdIndex

COLUMNS = {
    "products.csv": ("id", "name", "unit"),
    "plants.csv": ("id",),
    "techniques.csv": ("id", "product", "plant", "capacity"),
    "inputs.csv": ("technique", "product", "quantity"),
    "resources.csv": ("id", "kind", "unit", "limit"),
    "resource_use.csv": ("technique", "resource", "quantity"),
    "final_demand.csv": ("product", "category", "kind", "quantity"),
}


def write_economy_csv(economy: Economy, directory: Path | str) -> Path:
    """Write ``economy`` as the CSV files above; atomic as a whole."""
    e = economy
    T, R = sp.coo_array(e.input_coefficients), sp.coo_array(e.resource_coefficients)
    fd_cols, fd_rows = np.nonzero(e.final_demand.T)  # grouped by category, in order
    cap = pa.array(e.capacity, pa.float64(), mask=~np.isfinite(e.capacity))
    limit = pa.array(e.resource_limits, pa.float64(), mask=~np.isfinite(e.resource_limits))
    tables = {
        "products.csv": {"id": e.products.ids, "name": e.product_names, "unit": e.product_units},
        "plants.csv": {"id": e.plants.ids},
        "techniques.csv": {"id": e.techniques.ids, "product": e.products.ids.take(
            e.technique_product), "plant": e.plants.ids.take(e.technique_plant), "capacity": cap},
        "inputs.csv": {"technique": e.techniques.ids.take(T.row), "product": e.products.ids.take(
            T.col), "quantity": T.data},
        "resources.csv": {"id": e.resources.ids, "kind": list(e.resource_kinds),
                          "unit": list(e.resource_units), "limit": limit},
        "resource_use.csv": {"technique": e.techniques.ids.take(R.row),
                             "resource": e.resources.ids.take(R.col), "quantity": R.data},
        "final_demand.csv": {
            "product": e.products.ids.take(fd_rows), "category": e.categories.ids.take(fd_cols),
            "kind": [e.category_kinds[j] for j in fd_cols],
            "quantity": e.final_demand[fd_rows, fd_cols]},
    }
    with atomic_directory(Path(directory)) as tmp:
        for name, columns in tables.items():
            pacsv.write_csv(pa.table(columns), tmp / name)
        (tmp / "metadata.json").write_text(json.dumps(dict(e.metadata), indent=2) + "\n")
    return Path(directory)


def _read(directory: Path, name: str) -> pd.DataFrame:
    path = directory / name
    if not path.is_file():
        raise InvalidInput("missing file", Location(file=str(path)))
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        line = None
        if "line" in str(exc):
            digits = str(exc).split("line")[1].split()[0].strip(",")
            line = int(digits) if digits.isdigit() else None
        raise InvalidInput(f"malformed CSV: {exc}", Location(str(path), line)) from exc
    missing = [c for c in COLUMNS[name] if c not in df.columns]
    if missing:
        raise InvalidInput(f"missing column {missing[0]!r}", Location(str(path), 1, missing[0]))
    return df


def _numbers(df: pd.DataFrame, column: str, path: Path, *, blank_is_inf: bool = False
             ) -> np.ndarray:
    text = df[column].str.strip()
    values = np.array(pd.to_numeric(text, errors="coerce"), dtype=np.float64)
    blank = (text == "").to_numpy()
    if blank_is_inf:
        values[blank] = np.inf
    bad = np.isnan(values) | (~np.isfinite(values) & ~blank) | (values < 0)
    if column == "quantity" and path.name == "final_demand.csv":
        bad = np.isnan(values) | np.isinf(values)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raw = df[column].iat[i]
        what = "negative" if not np.isnan(values[i]) and values[i] < 0 else "not a number"
        raise InvalidInput(f"value {raw!r} is {what}", Location(str(path), i + 2, column))
    return values


def _index(df: pd.DataFrame, what: str, path: Path) -> IdIndex:
    dup = df["id"].duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InvalidInput(f"duplicate {what} id {df['id'].iat[i]!r}",
                           Location(str(path), i + 2, "id", str(df["id"].iat[i])))
    return IdIndex(pa.array(df["id"].tolist(), pa.string()), what)


def _positions(index: IdIndex, df: pd.DataFrame, column: str, path: Path) -> np.ndarray:
    try:
        return index.positions(pa.array(df[column].tolist(), pa.string()))
    except InvalidInput as exc:
        bad = exc.location.item
        i = int(np.flatnonzero((df[column] == bad).to_numpy())[0])
        raise InvalidInput(exc.reason, Location(str(path), i + 2, column, bad)) from None


def read_economy_csv(directory: Path | str) -> Economy:
    """Read the CSV files above; errors name the file, line and field."""
    d = Path(directory)
    if not d.is_dir():
        raise InvalidInput("not a directory of economy CSV files", Location(file=str(d)))
    frames = {name: _read(d, name) for name in COLUMNS}
    products = _index(frames["products.csv"], "product", d / "products.csv")
    plants = _index(frames["plants.csv"], "plant", d / "plants.csv")
    techniques = _index(frames["techniques.csv"], "technique", d / "techniques.csv")
    resources = _index(frames["resources.csv"], "resource", d / "resources.csv")
    tech, inputs, ruse, fd = (frames[n] for n in
                              ("techniques.csv", "inputs.csv", "resource_use.csv",
                               "final_demand.csv"))
    units = frames["products.csv"]["unit"].to_numpy()
    _check_units(products, units, inputs, d / "inputs.csv")
    _check_units(products, units, fd, d / "final_demand.csv")
    T = _sparse(techniques, products, inputs, "product", d / "inputs.csv")
    R = _sparse(techniques, resources, ruse, "resource", d / "resource_use.csv")
    cats = list(dict.fromkeys(fd["category"].tolist()))
    kinds = _category_kinds(fd, cats, d / "final_demand.csv")
    categories = IdIndex(pa.array(cats, pa.string()), "final-demand category")
    Y = np.zeros((len(products), len(cats)))
    np.add.at(Y, (_positions(products, fd, "product", d / "final_demand.csv"),
                  _positions(categories, fd, "category", d / "final_demand.csv")),
              _numbers(fd, "quantity", d / "final_demand.csv"))
    res = frames["resources.csv"]
    metadata = {"source": str(d), "kind": "csv"}
    if (d / "metadata.json").is_file():
        metadata = json.loads((d / "metadata.json").read_text()) | {"source": str(d)}
    return Economy(
        products=products,
        product_names=pa.array(frames["products.csv"]["name"].tolist(), pa.string()),
        product_units=pa.array(frames["products.csv"]["unit"].tolist(), pa.string()),
        techniques=techniques,
        technique_product=_positions(products, tech, "product", d / "techniques.csv"),
        technique_plant=_positions(plants, tech, "plant", d / "techniques.csv"),
        capacity=_numbers(tech, "capacity", d / "techniques.csv", blank_is_inf=True),
        input_coefficients=T,
        plants=plants,
        resources=resources,
        resource_kinds=tuple(res["kind"].tolist()),
        resource_units=tuple(res["unit"].tolist()),
        resource_limits=_numbers(res, "limit", d / "resources.csv", blank_is_inf=True),
        resource_coefficients=R,
        categories=categories,
        category_kinds=kinds,
        final_demand=Y,
        metadata=metadata,
    )


def _sparse(rows: IdIndex, cols: IdIndex, df: pd.DataFrame, column: str, path: Path
            ) -> sp.csr_array:
    r = _positions(rows, df, "technique", path)
    c = _positions(cols, df, column, path)
    v = _numbers(df, "quantity", path)
    key = r * len(cols) + c
    _, first, counts = np.unique(key, return_index=True, return_counts=True)
    if (counts > 1).any():
        i = int(np.sort(np.flatnonzero(np.isin(key, key[first[counts > 1]])))[1])
        raise InvalidInput(f"duplicate entry for technique {df['technique'].iat[i]!r} and "
                           f"{column} {df[column].iat[i]!r}", Location(str(path), i + 2))
    return sp.csr_array((v, (r, c)), shape=(len(rows), len(cols)))


def _check_units(products: IdIndex, units: np.ndarray, df: pd.DataFrame, path: Path) -> None:
    """An optional ``unit`` column must agree with the product's unit in products.csv."""
    if "unit" not in df.columns:
        return
    expected = units[_positions(products, df, "product", path)]
    wrong = np.flatnonzero(df["unit"].to_numpy() != expected)
    if wrong.size:
        i = int(wrong[0])
        raise InvalidInput(
            f"unit {df['unit'].iat[i]!r} disagrees with product {df['product'].iat[i]!r}, "
            f"measured in {expected[i]!r}",
            Location(str(path), i + 2, "unit", str(df["product"].iat[i])))


def _category_kinds(fd: pd.DataFrame, cats: list[str], path: Path) -> tuple[str, ...]:
    kinds = []
    for c in cats:
        found = fd.loc[fd["category"] == c, "kind"].unique()
        if len(found) != 1:
            i = int(np.flatnonzero((fd["category"] == c).to_numpy())[-1])
            raise InvalidInput(f"category {c!r} is given different kinds: {', '.join(found)}",
                               Location(str(path), i + 2, "kind", c))
        kinds.append(str(found[0]))
    return tuple(kinds)
