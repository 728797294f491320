"""Synthetic economies of any size, reproducible from a seed, built in vectorised chunks.

Structure, chosen to resemble real input-output tables:

* products fall into sector blocks of uneven size; a sector-by-sector input mix gives each
  sector a characteristic share of inputs from itself and from every other sector;
* the number of inputs per product is lognormal (heavy-tailed, mean about ``mean_inputs``);
* within a sector, inputs concentrate on a few widely used products (energy, steel, transport);
* each product's intermediate-input share (its coefficient column sum) is drawn between 0.05
  and 0.85, like value shares in real tables. Every column sum is below 1, so the spectral
  radius is below 1: the economy is productive by construction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from ..errors import InvalidInput
from .model import Economy, IdIndex, ids

CHUNK = 1 << 20
MAX_SHARE = 0.85
CATEGORIES = (("consumption", "consumption"), ("public", "public"),
              ("investment", "investment"), ("exports", "exports"))
LABOUR_KINDS = ("labour-general", "labour-skilled", "labour-technical")
NATURAL = ("land", "water")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class GeneratorSettings:
    """Parameters of :func:`generate_economy`; only stored, never computed on."""

    n_products: int
    n_plants: int
    seed: int = 0
    mean_inputs: float = 10.0
    n_sectors: int | None = None
    final_share: float = 0.6
    capacity_slack: tuple[float, float] = (0.95, 1.6)


def generate_economy(
    n_products: int,
    n_plants: int,
    *,
    seed: int = 0,
    mean_inputs: float = 10.0,
    n_sectors: int | None = None,
    progress: Progress | None = None,
) -> Economy:
    """Generate a productive economy with ``n_products`` products and ``n_plants`` plants."""
    s = GeneratorSettings(n_products, n_plants, seed, mean_inputs, n_sectors)
    _check_settings(s)
    root = np.random.SeedSequence(seed)
    structure_seed, *chunk_seeds = root.spawn(1 + -(-n_products // CHUNK))
    rng = np.random.default_rng(structure_seed)
    n_sec = s.n_sectors or int(np.clip(round(n_products ** 0.4), 1, 400))
    bounds = _sector_bounds(rng, n_products, n_sec)
    mix = _sector_mix(rng, n_sec)
    plant_of_sector = _plant_bounds(bounds, n_plants)
    parts: tuple[list[np.ndarray], ...] = ([], [], [], [], [], [], [])
    rows, cols, vals, shares, labour, plants, fds = parts
    n_chunks = len(chunk_seeds)
    for c, cs in enumerate(chunk_seeds):
        lo, hi = c * CHUNK, min(n_products, (c + 1) * CHUNK)
        chunk = _chunk(np.random.default_rng(cs), lo, hi, bounds, mix, plant_of_sector, s)
        for lst, part in zip((rows, cols, vals, shares, labour, plants, fds), chunk, strict=True):
            lst.append(part)
        if progress is not None:
            progress(c + 1, n_chunks + 1)
    T = _assemble(rows, cols, vals, n_products)
    del rows, cols, vals
    economy = _economy(rng, s, T, np.concatenate(shares), np.concatenate(labour),
                       np.concatenate(plants), np.concatenate(fds), bounds)
    if progress is not None:
        progress(n_chunks + 1, n_chunks + 1)
    return economy


def _check_settings(s: GeneratorSettings) -> None:
    if s.n_products < 2:
        raise InvalidInput(f"--products must be at least 2, got {s.n_products}")
    if s.n_plants < 1 or s.n_plants > s.n_products:
        raise InvalidInput(f"--plants must be between 1 and the number of products "
                           f"({s.n_products}), got {s.n_plants}")
    if not 1.0 <= s.mean_inputs <= min(200.0, s.n_products - 1):
        raise InvalidInput(f"mean inputs must be between 1 and {min(200, s.n_products - 1)}")


def _sector_bounds(rng: np.random.Generator, n: int, n_sec: int) -> np.ndarray:
    sizes = rng.dirichlet(np.full(n_sec, 2.0)) * (n - n_sec)
    counts = 1 + np.floor(sizes).astype(np.int64)
    counts[-1] += n - counts.sum()
    return np.concatenate([[0], np.cumsum(counts)])


def _sector_mix(rng: np.random.Generator, n_sec: int) -> np.ndarray:
    """Row a: how sector a's inputs split over supplying sectors (own sector weighted up)."""
    mix = rng.dirichlet(np.full(n_sec, 0.3), size=n_sec)
    mix = 0.6 * mix + 0.4 * np.eye(n_sec)
    return np.cumsum(mix / mix.sum(axis=1, keepdims=True), axis=1)


def _plant_bounds(bounds: np.ndarray, n_plants: int) -> np.ndarray:
    """First plant of each sector, and n_plants at the end (plants spread by sector size)."""
    return np.asarray((bounds * n_plants) // bounds[-1], dtype=np.int64)


def _chunk(
    rng: np.random.Generator, lo: int, hi: int, bounds: np.ndarray, cummix: np.ndarray,
    plant_start: np.ndarray, s: GeneratorSettings,
) -> tuple[np.ndarray, ...]:
    n_here, n_sec = hi - lo, len(bounds) - 1
    products = np.arange(lo, hi)
    sector = np.searchsorted(bounds, products, side="right") - 1
    sigma = 0.8
    mu = np.log(s.mean_inputs) - sigma**2 / 2
    k = np.clip(np.rint(rng.lognormal(mu, sigma, n_here)), 1, min(500, s.n_products - 1))
    k = k.astype(np.int64)
    row = np.repeat(products, k)
    row_sector = np.repeat(sector, k)
    u = rng.random(row.size)
    flat = (cummix + np.arange(n_sec)[:, None]).ravel()
    src = np.searchsorted(flat, u + row_sector, side="right") - row_sector * n_sec
    src = np.clip(src, 0, n_sec - 1)
    size = bounds[src + 1] - bounds[src]
    col = bounds[src] + np.floor(size * rng.random(row.size) ** 3).astype(np.int64)
    col = np.where(col == row, (col + 1) % s.n_products, col)
    weight = rng.lognormal(0.0, 1.0, row.size)
    share = 0.05 + (MAX_SHARE - 0.05) * rng.beta(2.5, 2.5, n_here)
    row_total = np.bincount(row - lo, weights=weight, minlength=n_here)
    val = weight * (share / row_total)[row - lo]
    labour = (1.0 - share) * rng.lognormal(0.0, 0.5, n_here)
    sec_plants = plant_start[sector + 1] - plant_start[sector]
    plant = plant_start[sector] + np.floor(rng.random(n_here) * np.maximum(sec_plants, 1))
    plant = np.minimum(plant.astype(np.int64), s.n_plants - 1)
    final = np.where(rng.random(n_here) < s.final_share, rng.lognormal(3.0, 1.5, n_here), 0.0)
    split = rng.dirichlet(np.ones(len(CATEGORIES)), n_here) * final[:, None]
    idx_dtype = np.int32 if s.n_products < np.iinfo(np.int32).max else np.int64
    return (row.astype(idx_dtype), col.astype(idx_dtype), val, share, labour, plant, split)


def _assemble(rows: list[np.ndarray], cols: list[np.ndarray], vals: list[np.ndarray],
              n: int) -> sp.csr_array:
    """CSR of inputs by producing product; duplicate picks are summed."""
    parts = []
    while rows:
        r, c, v = rows.pop(0), cols.pop(0), vals.pop(0)
        first = int(r[0])
        counts = np.bincount(r - first)
        indptr = np.concatenate([[0], np.cumsum(counts)]).astype(r.dtype)
        part = sp.csr_array((v, c, indptr), shape=(len(counts), n))
        part.sum_duplicates()
        parts.append(part)
    if len(parts) == 1:
        return parts[0]
    return sp.csr_array(sp.vstack(parts, format="csr"))


def _economy(
    rng: np.random.Generator, s: GeneratorSettings, T: sp.csr_array, share: np.ndarray,
    labour: np.ndarray, plant: np.ndarray, final: np.ndarray, bounds: np.ndarray,
) -> Economy:
    n = s.n_products
    n_sec = len(bounds) - 1
    sector = np.searchsorted(bounds, np.arange(n), side="right") - 1
    kind = (sector * len(LABOUR_KINDS)) // n_sec
    primary = sector < max(1, n_sec // 10)
    nat = np.flatnonzero(primary)
    R = sp.csr_array(sp.coo_array(
        (np.concatenate([labour, rng.uniform(0.01, 0.2, nat.size)]),
         (np.concatenate([np.arange(n), nat]),
          np.concatenate([kind, len(LABOUR_KINDS) + (nat % len(NATURAL))]))),
        shape=(n, len(LABOUR_KINDS) + len(NATURAL))))
    # Capacities and limits around a rough plan, so that some of them bind.
    y = final.sum(axis=1)
    x = y.copy()
    for _ in range(30):
        x = y + T.T @ x
    lo, hi = s.capacity_slack
    capacity = x * rng.uniform(lo, hi, n) + 1e-9
    limits = (R.T @ x) * rng.uniform(0.97, 1.2, R.shape[1])
    product_ids = _numbered("P", n)
    return Economy(
        products=IdIndex(product_ids, "product"),
        product_names=product_ids,
        product_units=pa.DictionaryArray.from_arrays(
            pa.array(np.zeros(n, dtype=np.int8)), pa.array(["unit"])).cast(pa.string()),
        techniques=IdIndex(_numbered("T", n), "technique"),
        technique_product=np.arange(n, dtype=np.int64),
        technique_plant=plant,
        capacity=capacity,
        input_coefficients=T,
        plants=IdIndex(_numbered("W", s.n_plants), "plant"),
        resources=ids([*LABOUR_KINDS, *NATURAL], "resource"),
        resource_kinds=("labour",) * len(LABOUR_KINDS) + ("natural",) * len(NATURAL),
        resource_units=("hours",) * len(LABOUR_KINDS) + ("units",) * len(NATURAL),
        resource_limits=limits,
        resource_coefficients=R,
        categories=ids([c for c, _ in CATEGORIES], "final-demand category"),
        category_kinds=tuple(k for _, k in CATEGORIES),
        final_demand=final,
        metadata={"source": "generated", "seed": str(s.seed), "n_sectors": str(n_sec),
                  "generator": "councilplan.economy.generator v1"},
    )


def _numbered(prefix: str, n: int) -> pa.Array:
    width = len(str(max(n - 1, 0)))
    digits = pc.utf8_lpad(pa.array(np.arange(n)).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def with_alternative_techniques(economy: Economy, per_product: int, *, seed: int = 0
                                ) -> Economy:
    """Give every product ``per_product`` techniques: the original and variants of it.

    A variant uses the same inputs scaled by f in [0.8, 1.25] (capped so its input share stays
    below 0.95) and labour scaled by about 1/f^2, so material-hungry variants save labour and
    the choice of technique is a real trade-off. Each technique gets 40-80 % of the original
    capacity, so meeting demand takes more than one technique where capacity binds.
    """
    if per_product < 1:
        raise InvalidInput("techniques per product must be at least 1")
    e = economy
    if per_product == 1:
        return e
    rng = np.random.default_rng(np.random.SeedSequence([seed, 7]))
    n_t = e.n_techniques
    share = np.asarray(e.input_coefficients.sum(axis=1)).ravel()
    T_parts, R_parts, caps, plants = [e.input_coefficients], [e.resource_coefficients], [], []
    caps.append(e.capacity * rng.uniform(0.4, 0.8, n_t))
    plants.append(e.technique_plant)
    for _ in range(per_product - 1):
        f = np.minimum(rng.uniform(0.8, 1.25, n_t), 0.95 / np.maximum(share, 1e-12))
        g = rng.uniform(0.85, 1.15, n_t) / f**2
        T_parts.append(sp.csr_array(sp.diags_array(f) @ e.input_coefficients))
        R_parts.append(sp.csr_array(sp.diags_array(g) @ e.resource_coefficients))
        caps.append(e.capacity * rng.uniform(0.4, 0.8, n_t))
        plants.append(rng.integers(0, e.n_plants, n_t))
    suffixes = [""] + [f"-{chr(ord('b') + k)}" for k in range(per_product - 1)]
    technique_ids = pa.concat_arrays([
        pc.binary_join_element_wise(e.techniques.ids, sfx, "") for sfx in suffixes])
    return Economy(
        products=e.products, product_names=e.product_names, product_units=e.product_units,
        techniques=IdIndex(technique_ids, "technique"),
        technique_product=np.tile(e.technique_product, per_product),
        technique_plant=np.concatenate(plants).astype(np.int64),
        capacity=np.concatenate(caps),
        input_coefficients=sp.csr_array(sp.vstack(T_parts, format="csr")),
        plants=e.plants, resources=e.resources, resource_kinds=e.resource_kinds,
        resource_units=e.resource_units, resource_limits=e.resource_limits,
        resource_coefficients=sp.csr_array(sp.vstack(R_parts, format="csr")),
        categories=e.categories, category_kinds=e.category_kinds, final_demand=e.final_demand,
        metadata={**e.metadata, "techniques_per_product": str(per_product)},
    )
