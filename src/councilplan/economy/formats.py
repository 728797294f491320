"""Economies on disk: Parquet files with a JSON manifest of content hashes.

Layout of an economy directory (positions refer to rows of the id tables, whose order the
manifest's hashes pin)::

    manifest.json          format, version, counts, sha256 of every file, metadata
    products.parquet       id, name, unit
    techniques.parquet     id, product (position), plant (position), capacity, n_inputs, n_resources
    inputs.parquet         product (position), coefficient   -- CSR rows in technique order
    resource_use.parquet   resource (position), coefficient  -- CSR rows in technique order
    plants.parquet         id
    resources.parquet      id, kind, unit, limit
    categories.parquet     id, kind
    final_demand.parquet   one float64 column per category, one row per product
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import scipy.sparse as sp

from ..errors import InvalidInput, Location
from .model import Economy, IdIndex

FORMAT = "councilplan-economy"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


@contextmanager
def atomic_directory(target: Path) -> Iterator[Path]:
    """Yield a temporary directory that replaces ``target`` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_economy(economy: Economy, directory: Path | str) -> Path:
    """Write ``economy`` as Parquet files plus ``manifest.json``; atomic as a whole."""
    directory = Path(directory)
    e = economy
    T, R = e.input_coefficients, e.resource_coefficients
    tables: dict[str, pa.Table] = {
        "products.parquet": pa.table(
            {"id": e.products.ids, "name": e.product_names, "unit": e.product_units}),
        "techniques.parquet": pa.table({
            "id": e.techniques.ids,
            "product": e.technique_product,
            "plant": e.technique_plant,
            "capacity": e.capacity,
            "n_inputs": np.diff(T.indptr),
            "n_resources": np.diff(R.indptr),
        }),
        "inputs.parquet": pa.table({"product": T.indices, "coefficient": T.data}),
        "resource_use.parquet": pa.table({"resource": R.indices, "coefficient": R.data}),
        "plants.parquet": pa.table({"id": e.plants.ids}),
        "resources.parquet": pa.table({
            "id": e.resources.ids, "kind": list(e.resource_kinds),
            "unit": list(e.resource_units), "limit": e.resource_limits}),
        "categories.parquet": pa.table(
            {"id": e.categories.ids, "kind": list(e.category_kinds)}),
        "final_demand.parquet": pa.table(
            {c: e.final_demand[:, j] for j, c in enumerate(e.categories)}),
    }
    with atomic_directory(directory) as tmp:
        files = {}
        for name, table in tables.items():
            pq.write_table(table, tmp / name, compression="zstd")
            files[name] = {"sha256": file_sha256(tmp / name), "rows": table.num_rows}
        manifest = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "counts": {
                "products": e.n_products, "techniques": e.n_techniques, "plants": e.n_plants,
                "resources": e.n_resources, "categories": len(e.categories),
                "inputs": int(T.nnz), "resource_uses": int(R.nnz),
            },
            "files": files,
            "metadata": dict(e.metadata),
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return directory


def read_manifest(directory: Path | str) -> dict[str, Any]:
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise InvalidInput("not an economy directory (no manifest.json)", Location(file=str(path)))
    try:
        manifest: dict[str, Any] = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise InvalidInput(f"malformed manifest: {exc}", Location(str(path), line)) from exc
    if manifest.get("format") != FORMAT or manifest.get("version") != FORMAT_VERSION:
        raise InvalidInput(
            f"manifest is not {FORMAT} version {FORMAT_VERSION}", Location(file=str(path)))
    return manifest


def read_economy(directory: Path | str, *, verify: bool = True) -> Economy:
    """Read an economy directory, checking every file against the manifest's hash and counts."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    files: dict[str, Any] = manifest.get("files", {})
    tables = {}
    for name in (
        "products.parquet", "techniques.parquet", "inputs.parquet", "resource_use.parquet",
        "plants.parquet", "resources.parquet", "categories.parquet", "final_demand.parquet",
    ):
        tables[name] = _read_checked(directory / name, files.get(name), verify)
    return _economy_from_tables(tables, manifest.get("metadata", {}), directory)


def _read_checked(path: Path, entry: dict[str, Any] | None, verify: bool) -> pa.Table:
    loc = Location(file=str(path))
    if entry is None:
        raise InvalidInput("file is not listed in manifest.json", loc)
    if not path.is_file():
        raise InvalidInput("file listed in manifest.json is missing", loc)
    if verify and file_sha256(path) != entry.get("sha256"):
        raise InvalidInput("content hash differs from manifest.json (file altered or truncated)",
                           loc)
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise InvalidInput(f"unreadable Parquet file: {exc}", loc) from exc
    if table.num_rows != entry.get("rows"):
        raise InvalidInput(
            f"has {table.num_rows} rows, manifest.json says {entry.get('rows')}", loc)
    return table


def _column(table: pa.Table, name: str, path: Path) -> pa.Array:
    if name not in table.column_names:
        raise InvalidInput(f"missing column {name!r}", Location(file=str(path), field=name))
    return table.column(name).combine_chunks()


def _economy_from_tables(
    t: dict[str, pa.Table], metadata: dict[str, str], directory: Path
) -> Economy:
    def col(file: str, name: str) -> pa.Array:
        return _column(t[file], name, directory / file)

    def num(file: str, name: str, dtype: Any) -> Any:
        return np.asarray(col(file, name).to_numpy(zero_copy_only=False), dtype=dtype)

    products = IdIndex(col("products.parquet", "id"), "product")
    techniques = IdIndex(col("techniques.parquet", "id"), "technique")
    resources = IdIndex(col("resources.parquet", "id"), "resource")
    categories = IdIndex(col("categories.parquet", "id"), "final-demand category")
    T = _csr(num("techniques.parquet", "n_inputs", np.int64),
             num("inputs.parquet", "product", None), num("inputs.parquet", "coefficient", None),
             (len(techniques), len(products)), directory / "inputs.parquet")
    R = _csr(num("techniques.parquet", "n_resources", np.int64),
             num("resource_use.parquet", "resource", None),
             num("resource_use.parquet", "coefficient", None),
             (len(techniques), len(resources)), directory / "resource_use.parquet")
    fd_table = t["final_demand.parquet"]
    fd = np.empty((len(products), len(categories)))
    for j, c in enumerate(categories):
        fd[:, j] = np.asarray(_column(fd_table, c, directory / "final_demand.parquet"))
    return Economy(
        products=products,
        product_names=col("products.parquet", "name"),
        product_units=col("products.parquet", "unit"),
        techniques=techniques,
        technique_product=num("techniques.parquet", "product", np.int64),
        technique_plant=num("techniques.parquet", "plant", np.int64),
        capacity=num("techniques.parquet", "capacity", np.float64),
        input_coefficients=T,
        plants=IdIndex(col("plants.parquet", "id"), "plant"),
        resources=resources,
        resource_kinds=tuple(col("resources.parquet", "kind").to_pylist()),
        resource_units=tuple(col("resources.parquet", "unit").to_pylist()),
        resource_limits=num("resources.parquet", "limit", np.float64),
        resource_coefficients=R,
        categories=categories,
        category_kinds=tuple(col("categories.parquet", "kind").to_pylist()),
        final_demand=fd,
        metadata=metadata,
    )


def _csr(
    row_lengths: Any, indices: Any, data: Any, shape: tuple[int, int], path: Path
) -> sp.csr_array:
    if row_lengths.sum() != len(indices) or len(indices) != len(data):
        raise InvalidInput(
            f"row lengths add up to {int(row_lengths.sum())} but the file has {len(indices)} "
            "entries", Location(file=str(path)))
    if len(indices) and (indices.min() < 0 or indices.max() >= shape[1]):
        raise InvalidInput("an entry names a position outside the id table",
                           Location(file=str(path)))
    indptr = np.zeros(shape[0] + 1, dtype=indices.dtype if len(indices) else np.int32)
    np.cumsum(row_lengths, out=indptr[1:])
    return sp.csr_array((data, indices, indptr), shape=shape)

