"""The economy model: immutable arrays with stable string ids.

Numbers live in numpy arrays and scipy CSR matrices; labels live in :class:`IdIndex` objects
kept apart from the numbers. Every :class:`Economy` is validated when it is made, so code that
receives one trusts it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from ..errors import InvalidInput, Location
from ..validation import FloatArray, IndexArray, check_matrix, check_vector

RESOURCE_KINDS = ("labour", "natural")
CATEGORY_KINDS = ("consumption", "public", "investment", "exports", "reserves")


@dataclass(frozen=True, eq=False)
class IdIndex:
    """An ordered set of unique string ids: position ``i`` holds the id of row ``i``."""

    ids: pa.Array
    what: str = "id"

    def __post_init__(self) -> None:
        ids = self.ids if isinstance(self.ids, pa.Array) else pa.array(self.ids, pa.string())
        if isinstance(ids, pa.ChunkedArray):
            ids = ids.combine_chunks()
        if ids.type != pa.string() and ids.type != pa.large_string():
            ids = ids.cast(pa.string())
        if ids.null_count:
            i = int(pc.index(pc.is_null(ids), True).as_py())
            raise InvalidInput(f"{self.what} at position {i} has no id")
        object.__setattr__(self, "ids", ids)
        if pc.count_distinct(ids).as_py() != len(ids):
            counts = pc.value_counts(ids)
            dup = counts.filter(pc.greater(counts.field("counts"), 1))[0]["values"].as_py()
            raise InvalidInput(f"duplicate {self.what} id {dup!r}", Location(item=dup))

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int) -> str:
        return str(self.ids[int(i)].as_py())

    def __iter__(self) -> Any:
        return iter(self.ids.to_pylist())

    def positions(self, ids: Iterable[str] | pa.Array, *, context: str = "") -> IndexArray:
        """Positions of ``ids``; unknown ids raise :class:`InvalidInput` naming the first."""
        wanted = ids if isinstance(ids, pa.Array | pa.ChunkedArray) else pa.array(list(ids))
        pos = pc.index_in(wanted, value_set=self.ids)
        if pos.null_count:
            k = int(pc.index(pc.is_null(pos), True).as_py())
            where = f" in {context}" if context else ""
            raise InvalidInput(
                f"unknown {self.what} id {wanted[k].as_py()!r}{where}",
                Location(item=str(wanted[k].as_py())),
            )
        return np.asarray(pos.to_numpy(zero_copy_only=False), dtype=np.int64)

    def to_list(self) -> list[str]:
        return [str(s) for s in self.ids.to_pylist()]


def ids(values: Iterable[str] | pa.Array, what: str) -> IdIndex:
    """Build an :class:`IdIndex` from any iterable of strings."""
    arr = values if isinstance(values, pa.Array) else pa.array(list(values), pa.string())
    return IdIndex(arr, what)


@dataclass(frozen=True, eq=False)
class Economy:
    """Products, techniques, plants, resources and final demand of one planning period.

    Attributes
    ----------
    products : IdIndex of shape (n_products,)
    product_names, product_units : pyarrow string arrays of shape (n_products,)
    techniques : IdIndex of shape (n_techniques,)
    technique_product : ndarray of shape (n_techniques,)
        Position of the product each technique makes (one unit of output per unit of activity).
    technique_plant : ndarray of shape (n_techniques,)
        Position of the plant that runs each technique.
    capacity : ndarray of shape (n_techniques,)
        Most output per period of each technique at its plant; ``inf`` for no limit.
    input_coefficients : csr_array of shape (n_techniques, n_products)
        Row ``t`` holds the inputs per unit of output of technique ``t``.
    plants : IdIndex of shape (n_plants,)
    resources : IdIndex of shape (n_resources,)
    resource_kinds : tuple of "labour" or "natural", one per resource
    resource_units : tuple of str, one per resource
    resource_limits : ndarray of shape (n_resources,), ``inf`` for no limit
    resource_coefficients : csr_array of shape (n_techniques, n_resources)
        Direct labour and natural resources per unit of output of each technique.
    categories : IdIndex of shape (n_categories,)
    category_kinds : tuple of str, one of ``CATEGORY_KINDS`` per category
    final_demand : ndarray of shape (n_products, n_categories)
        Final use of each product by category; may be negative (imports, stock drawdown).
    metadata : mapping of str to str
        Source, units and the loader's notes.
    """

    products: IdIndex
    product_names: pa.Array
    product_units: pa.Array
    techniques: IdIndex
    technique_product: IndexArray
    technique_plant: IndexArray
    capacity: FloatArray
    input_coefficients: sp.csr_array
    plants: IdIndex
    resources: IdIndex
    resource_kinds: tuple[str, ...]
    resource_units: tuple[str, ...]
    resource_limits: FloatArray
    resource_coefficients: sp.csr_array
    categories: IdIndex
    category_kinds: tuple[str, ...]
    final_demand: FloatArray
    metadata: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _validate(self)

    @property
    def n_products(self) -> int:
        return len(self.products)

    @property
    def n_techniques(self) -> int:
        return len(self.techniques)

    @property
    def n_plants(self) -> int:
        return len(self.plants)

    @property
    def n_resources(self) -> int:
        return len(self.resources)

    @property
    def labour(self) -> IndexArray:
        """Positions of the resources that are kinds of labour."""
        return np.flatnonzero(np.asarray(self.resource_kinds) == "labour").astype(np.int64)

    @property
    def one_technique_each(self) -> bool:
        """True when technique ``i`` is the only technique of product ``i`` for every ``i``."""
        return self.n_techniques == self.n_products and bool(
            np.array_equal(self.technique_product, np.arange(self.n_products))
        )

    @cached_property
    def digest(self) -> str:
        """SHA-256 of every number and label, in a fixed order: the economy's content hash."""
        h = hashlib.sha256()
        for part in _digest_parts(self):
            h.update(np.asarray(len(part), dtype=np.int64).tobytes())
            h.update(part)
        return h.hexdigest()


def _digest_parts(e: Economy) -> Iterable[bytes | memoryview]:
    for labels in (e.products, e.techniques, e.plants, e.resources, e.categories):
        yield from _arrow_buffers(labels.ids)
    yield from _arrow_buffers(e.product_names)
    yield from _arrow_buffers(e.product_units)
    for arr in (e.technique_product, e.technique_plant, e.capacity, e.resource_limits):
        yield np.ascontiguousarray(arr).tobytes()
    for M in (e.input_coefficients, e.resource_coefficients):
        yield np.ascontiguousarray(M.indptr, dtype=np.int64).tobytes()
        yield np.ascontiguousarray(M.indices, dtype=np.int64).tobytes()
        yield _bytes(M.data)
    yield "\x1f".join(e.resource_kinds + e.resource_units + e.category_kinds).encode()
    yield _bytes(e.final_demand)


def _bytes(a: Any) -> memoryview:
    """Raw bytes of an array without a copy when it is already contiguous."""
    view: memoryview = np.ascontiguousarray(a).data
    return view.cast("B")


def _arrow_buffers(arr: pa.Array) -> Iterable[bytes]:
    """Lengths and characters of a string array, independent of its chunking and slicing."""
    large = arr.cast(pa.large_string())
    offsets = np.frombuffer(large.buffers()[1], dtype=np.int64)
    offsets = offsets[large.offset : large.offset + len(large) + 1]
    yield np.diff(offsets).tobytes()
    data = large.buffers()[2]
    yield b"" if data is None else data.to_pybytes()[int(offsets[0]) : int(offsets[-1])]


def _validate(e: Economy) -> None:
    n_p, n_t, n_pl, n_r, n_c = (
        len(e.products), len(e.techniques), len(e.plants), len(e.resources), len(e.categories),
    )
    for name, arr, size in (
        ("product_names", e.product_names, n_p),
        ("product_units", e.product_units, n_p),
        ("technique_product", e.technique_product, n_t),
        ("technique_plant", e.technique_plant, n_t),
        ("resource_kinds", e.resource_kinds, n_r),
        ("resource_units", e.resource_units, n_r),
        ("category_kinds", e.category_kinds, n_c),
    ):
        if len(arr) != size:
            raise InvalidInput(f"{name} has length {len(arr)}, expected {size}")
    _check_positions(e.technique_product, n_p, "technique_product", e.techniques, "product")
    _check_positions(e.technique_plant, n_pl, "technique_plant", e.techniques, "plant")
    made = np.zeros(n_p, dtype=bool)
    made[e.technique_product] = True
    if not made.all():
        missing = e.products[int(np.flatnonzero(~made)[0])]
        raise InvalidInput(f"product {missing!r}: no technique makes it", Location(item=missing))
    object.__setattr__(e, "capacity", check_vector(
        e.capacity, name="capacity", size=n_t, ensure_non_negative=True, allow_inf=True,
        labels=e.techniques,
    ))
    object.__setattr__(e, "resource_limits", check_vector(
        e.resource_limits, name="resource limit", size=n_r, ensure_non_negative=True,
        allow_inf=True, labels=e.resources,
    ))
    object.__setattr__(e, "input_coefficients", check_matrix(
        e.input_coefficients, name="input coefficient", shape=(n_t, n_p),
        ensure_non_negative=True, row_labels=e.techniques, col_labels=e.products,
    ))
    object.__setattr__(e, "resource_coefficients", check_matrix(
        e.resource_coefficients, name="resource coefficient", shape=(n_t, n_r),
        ensure_non_negative=True, row_labels=e.techniques, col_labels=e.resources,
    ))
    _check_kinds(e.resource_kinds, RESOURCE_KINDS, "resource", e.resources)
    _check_kinds(e.category_kinds, CATEGORY_KINDS, "final-demand category", e.categories)
    fd = np.asarray(e.final_demand, dtype=np.float64)
    if fd.shape != (n_p, n_c):
        raise InvalidInput(f"final_demand has shape {fd.shape}, expected {(n_p, n_c)}")
    if not np.isfinite(fd).all():
        i, j = (int(k[0]) for k in np.nonzero(~np.isfinite(fd)))
        raise InvalidInput(
            f"final demand for product {e.products[i]!r} in category {e.categories[j]!r} "
            f"is not finite ({fd[i, j]!r})",
            Location(item=e.products[i]),
        )
    object.__setattr__(e, "final_demand", fd)


def _check_positions(pos: IndexArray, size: int, name: str, owners: IdIndex, what: str) -> None:
    bad = (pos < 0) | (pos >= size)
    if np.any(bad):
        t = owners[int(np.flatnonzero(bad)[0])]
        raise InvalidInput(f"{name} of {t!r} names no known {what}", Location(item=t))


def _check_kinds(kinds: Sequence[str], allowed: Sequence[str], what: str, owners: IdIndex) -> None:
    for i, kind in enumerate(kinds):
        if kind not in allowed:
            raise InvalidInput(
                f"{what} {owners[i]!r} has kind {kind!r}; expected one of {', '.join(allowed)}",
                Location(item=owners[i]),
            )


def build_economy(
    *,
    product_ids: Sequence[str] | pa.Array,
    input_coefficients: Any,
    final_demand: Any,
    category_ids: Sequence[str],
    category_kinds: Sequence[str],
    labour: Any = None,
    product_names: Sequence[str] | pa.Array | None = None,
    unit: str = "unit",
    metadata: Mapping[str, str] | None = None,
) -> Economy:
    """Make a one-technique-per-product economy from an input-output table.

    ``input_coefficients`` has shape (n_products, n_products) in IO notation: entry (i, j) is
    the input of product i per unit of output of product j. ``labour`` is direct labour per unit
    of output, shape (n_products,), or None for no labour data.
    """
    products = ids(product_ids, "product")
    n = len(products)
    A = check_matrix(input_coefficients, name="input coefficient", shape=(n, n), format="csc",
                     ensure_non_negative=True, row_labels=products, col_labels=products)
    # CSC of A is CSR of A.T: technique j's inputs are column j.
    T = sp.csr_array((A.data, A.indices, A.indptr), shape=(n, n))
    l = np.zeros(n) if labour is None else check_vector(
        labour, name="labour", size=n, ensure_non_negative=True, labels=products)
    names = product_names if product_names is not None else products.ids
    return Economy(
        products=products,
        product_names=pa.array(names, pa.string()) if not isinstance(names, pa.Array) else names,
        product_units=pa.array([unit] * n, pa.string()).dictionary_encode().cast(pa.string()),
        techniques=products,
        technique_product=np.arange(n, dtype=np.int64),
        technique_plant=np.arange(n, dtype=np.int64),
        capacity=np.full(n, np.inf),
        input_coefficients=T,
        plants=products,
        resources=ids(["labour"], "resource"),
        resource_kinds=("labour",),
        resource_units=(unit,),
        resource_limits=np.array([np.inf]),
        resource_coefficients=sp.csr_array(l.reshape(-1, 1)),
        categories=ids(category_ids, "final-demand category"),
        category_kinds=tuple(category_kinds),
        final_demand=np.asarray(final_demand, dtype=np.float64).reshape(n, -1),
        metadata=dict(metadata or {}),
    )
