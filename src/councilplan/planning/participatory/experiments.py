"""Read and write experiment files of the pequod programs (Clojure/EDN data).

``dep1exNN.clj`` (pequod-cljs) and ``ppexNNN.cljs`` (pequod-plus) hold ``(def wcs [...])`` and
``(def ccs [...])``; both may be gzip-compressed. Parsing uses the ``edn_format`` library.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import edn_format
import numpy as np

from ...errors import InvalidInput, Location
from .councils import INDUSTRY_CLASS, INTERMEDIATE, LABOUR, NATURE, Councils

ENDOWMENT = 1000.0


def _text(path: Path) -> str:
    if not path.is_file():
        raise InvalidInput("experiment file not found", Location(file=str(path)))
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rt", encoding="utf-8") as f:
                return f.read()
        return path.read_text(encoding="utf-8")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"unreadable file: {exc}", Location(file=str(path))) from exc


def _definitions(text: str, path: Path) -> dict[str, Any]:
    try:
        forms = edn_format.loads_all(text)
    except NotImplementedError as exc:  # edn_format's word for an unknown #tag
        raise InvalidInput(f"malformed EDN: a #tag it does not know ({exc})",
                           Location(file=str(path))) from exc
    except (edn_format.EDNDecodeError, SyntaxError, ValueError, TypeError) as exc:
        raise InvalidInput(f"malformed EDN: {_describe(text, exc)}",
                           Location(file=str(path), line=_line(text, exc))) from exc
    defs = {}
    for form in forms:
        if isinstance(form, tuple | list) and len(form) == 3 and str(form[0]) == "def":
            defs[str(form[1])] = form[2]
    for name in ("wcs", "ccs"):
        if name not in defs:
            raise InvalidInput(f"no (def {name} [...]) form", Location(file=str(path)))
    return defs


_TOKEN = re.compile(r"LexToken\((\w+),'?(.*?)'?,\d+,(\d+)\)")


def _offset(exc: Exception) -> int | None:
    """edn_format reports the offending token as LexToken(type, value, line, offset)."""
    m = _TOKEN.search(str(exc))
    return int(m.group(3)) if m else None


def _line(text: str, exc: Exception) -> int | None:
    offset = _offset(exc)
    return None if offset is None else text.count("\n", 0, offset) + 1


def _describe(text: str, exc: Exception) -> str:
    offset = _offset(exc)
    if offset is None:
        if "EOF" in str(exc) or not str(exc):
            return "unexpected end of file (truncated?)"
        return str(exc)
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"unexpected {text[offset]!r} at column {column}"


def _get(council: Mapping[Any, Any], key: str, what: str, path: Path) -> Any:
    value = council.get(edn_format.Keyword(key))
    if value is None:
        raise InvalidInput(f"{what} has no :{key}", Location(file=str(path), field=key,
                                                             item=what))
    return value


def _number(value: Any, key: str, what: str, path: Path) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"{what}: :{key} is not a number ({value!r})",
                           Location(file=str(path), field=key, item=what))
    return float(value)


def load_experiment(path: Path | str) -> Councils:
    """Load a ``dep1ex*.clj`` or ``ppex*.cljs`` file (optionally ``.gz``) as :class:`Councils`."""
    path = Path(path)
    defs = _definitions(_text(path), path)
    wcs, ccs = defs["wcs"], defs["ccs"]
    if not wcs or not isinstance(wcs, Sequence) or not isinstance(wcs[0], Mapping):
        raise InvalidInput("wcs is not a vector of maps", Location(file=str(path)))
    if edn_format.Keyword("production-inputs") in wcs[0]:
        return _from_dep1(wcs, ccs, path)
    return _from_pequod_plus(wcs, ccs, path)


def _from_dep1(wcs: Sequence[Any], ccs: Sequence[Any], path: Path) -> Councils:
    n = 10
    products = [int(_number(_get(w, "product", f"wc {i + 1}", path), "product",
                            f"wc {i + 1}", path)) for i, w in enumerate(wcs)]
    n = max(n, *products)
    outputs, ptr, goods, exps, params = [], [0], [], [], []
    for i, w in enumerate(wcs):
        what = f"worker council {i + 1}"
        industry = int(_number(_get(w, "industry", what, path), "industry", what, path))
        if industry not in INDUSTRY_CLASS:
            raise InvalidInput(f"{what}: :industry must be 0, 1 or 2, not {industry}",
                               Location(file=str(path), field="industry", item=what))
        outputs.append(INDUSTRY_CLASS[industry] * n + products[i] - 1)
        lists = _get(w, "production-inputs", what, path)
        keys = ("input-exponents", "nature-exponents", "labor-exponents")
        if len(lists) != 3:
            raise InvalidInput(f"{what}: :production-inputs needs three lists",
                               Location(file=str(path), field="production-inputs", item=what))
        for cls, ids, key in zip((INTERMEDIATE, NATURE, LABOUR), lists, keys, strict=True):
            values = _get(w, key, what, path)
            if len(values) != len(ids):
                raise InvalidInput(f"{what}: {len(ids)} inputs but {len(values)} :{key}",
                                   Location(file=str(path), field=key, item=what))
            goods += [cls * n + int(g) - 1 for g in ids]
            exps += [_number(v, key, what, path) for v in values]
        ptr.append(len(goods))
        params.append([_number(_get(w, k, what, path), k, what, path)
                       for k in ("a", "c", "du", "s")])
    income, private, public = [], [], []
    for j, cc in enumerate(ccs):
        what = f"consumer council {j + 1}"
        income.append(_number(_get(cc, "income", what, path), "income", what, path))
        private.append(_padded(_get(cc, "utility-exponents", what, path), n, what, path))
        public.append(_padded(_get(cc, "public-good-exponents", what, path), n, what, path))
    return _councils(n, outputs, ptr, goods, exps, params, income, private, public, path, ())


def _padded(values: Sequence[Any], n: int, what: str, path: Path) -> list[float]:
    out = [_number(v, "exponent", what, path) for v in values]
    return out + [0.0] * (n - len(out))


def _from_pequod_plus(wcs: Sequence[Any], ccs: Sequence[Any], path: Path) -> Councils:
    n = max(10, *(int(_get(w, "product", f"wc {i + 1}", path)) for i, w in enumerate(wcs)))
    outputs, ptr, goods, exps, params = [], [0], [], [], []
    for i, w in enumerate(wcs):
        what = f"worker council {i + 1}"
        industry = int(_get(w, "industry", what, path))
        if industry not in INDUSTRY_CLASS:
            raise InvalidInput(f"{what}: :industry must be 0, 1 or 2, not {industry}",
                               Location(file=str(path), field="industry", item=what))
        outputs.append(INDUSTRY_CLASS[industry] * n + int(_get(w, "product", what, path)) - 1)
        for cls, key in ((INTERMEDIATE, "intermediate-inputs"), (NATURE, "nature"),
                         (LABOUR, "labor")):
            for entry in _get(w, key, what, path):
                goods.append(cls * n + int(_get(entry, "coefficient", what, path)) - 1)
                exps.append(_number(_get(entry, "exponent", what, path), key, what, path))
        ptr.append(len(goods))
        disutility = _get(w, "disutility-of-effort", what, path)
        params.append([
            _number(_get(w, "total-factor-productivity", what, path), "a", what, path),
            _number(_get(w, "effort-elasticity", what, path), "c", what, path),
            _number(_get(disutility, "exponent", what, path), "du", what, path),
            _number(_get(disutility, "coefficient", what, path), "s", what, path)])
    income, private, public = [], [], []
    for j, cc in enumerate(ccs):
        what = f"consumer council {j + 1}"
        income.append(_number(_get(cc, "income", what, path), "income", what, path))
        private.append(_by_id(_get(cc, "private-goods", what, path), n, what, path))
        public.append(_by_id(_get(cc, "public-goods", what, path), n, what, path))
    notes = ("pollutants and pollutant permissions of pequod-plus are not modelled; "
             "they are ignored (pollutants switched off)",)
    return _councils(n, outputs, ptr, goods, exps, params, income, private, public, path, notes)


def _by_id(entries: Sequence[Any], n: int, what: str, path: Path) -> list[float]:
    out = [0.0] * n
    for e in entries:
        out[int(_get(e, "id", what, path)) - 1] = _number(_get(e, "exponent", what, path),
                                                          "exponent", what, path)
    return out


def _councils(n: int, outputs: list[int], ptr: list[int], goods: list[int], exps: list[float],
              params: list[list[float]], income: list[float], private: list[list[float]],
              public: list[list[float]], path: Path, notes: tuple[str, ...]) -> Councils:
    p = np.array(params, dtype=np.float64).reshape(-1, 4)
    endowment = np.zeros(5 * n)
    endowment[NATURE * n:(LABOUR + 1) * n] = ENDOWMENT
    return Councils(
        goods_per_class=n, wc_output=np.array(outputs, dtype=np.int64),
        input_ptr=np.array(ptr, dtype=np.int64), input_good=np.array(goods, dtype=np.int64),
        input_exponent=np.array(exps, dtype=np.float64), a=p[:, 0], c=p[:, 1], k=p[:, 2],
        s=p[:, 3], income=np.array(income, dtype=np.float64),
        private_exponents=np.array(private, dtype=np.float64).reshape(-1, n),
        public_exponents=np.array(public, dtype=np.float64).reshape(-1, n),
        endowment=endowment, source=str(path), notes=notes)


def write_experiment(councils: Councils, path: Path | str, namespace: str = "generated"
                     ) -> Path:
    """Write councils as a ``dep1ex``-format EDN file (gzip-compressed if the name ends .gz)."""
    c, n, K = councils, councils.goods_per_class, edn_format.Keyword
    lines = [f"(ns pequod-cljs.{namespace})", "", "(def ccs ["]
    for h in range(c.n_cc):
        lines.append(edn_format.dumps({
            K("income"): float(c.income[h]),
            K("utility-exponents"): [float(v) for v in c.private_exponents[h]],
            K("public-good-exponents"): [float(v) for v in c.public_exponents[h]]}))
    lines += ["])", "", "(def wcs ["]
    for w in range(c.n_wc):
        lo, hi = c.input_ptr[w], c.input_ptr[w + 1]
        gd, ex = c.input_good[lo:hi], c.input_exponent[lo:hi]
        cls = gd // n
        industry = {0: 0, 1: 1, 4: 2}[int(c.wc_output[w] // n)]
        lines.append(edn_format.dumps({
            K("industry"): industry, K("product"): int(c.wc_output[w] % n) + 1,
            K("production-inputs"): [[int(g % n) + 1 for g in gd[cls == k]]
                                     for k in (INTERMEDIATE, NATURE, LABOUR)],
            K("input-exponents"): [float(v) for v in ex[cls == INTERMEDIATE]],
            K("nature-exponents"): [float(v) for v in ex[cls == NATURE]],
            K("labor-exponents"): [float(v) for v in ex[cls == LABOUR]],
            K("a"): float(c.a[w]), K("c"): float(c.c[w]), K("du"): float(c.k[w]),
            K("s"): float(c.s[w])}))
    lines.append("])")
    text = "\n".join(lines) + "\n"
    path = Path(path)
    if path.suffix == ".gz":
        with gzip.open(path, "wt", encoding="utf-8") as f:
            f.write(text)
    else:
        path.write_text(text)
    return path


