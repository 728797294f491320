import numpy as np
import pyarrow as pa
import pytest
import scipy.sparse as sp

from councilplan.economy import Economy, IdIndex, read_economy, write_economy
from councilplan.economy.csvformat import read_economy_csv, write_economy_csv
from councilplan.economy.generator import generate_economy
from councilplan.errors import InvalidInput
from councilplan.testing import two_technique_economy


def assert_same(a: Economy, b: Economy) -> None:
    assert a.digest == b.digest
    assert (a.input_coefficients != b.input_coefficients).nnz == 0


def test_parquet_round_trip_keeps_every_number_and_id(tmp_path):
    e = generate_economy(2000, 20, seed=5)
    write_economy(e, tmp_path / "econ")
    assert_same(e, read_economy(tmp_path / "econ"))


def test_csv_round_trip(tmp_path):
    e = two_technique_economy()
    write_economy_csv(e, tmp_path / "csv")
    back = read_economy_csv(tmp_path / "csv")
    assert_same(e, back)
    assert np.isinf(back.capacity[2])


def test_altered_parquet_file_is_named(tmp_path):
    write_economy(generate_economy(500, 5, seed=1), tmp_path / "econ")
    target = tmp_path / "econ" / "inputs.parquet"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(InvalidInput, match=r"inputs.parquet.*content hash"):
        read_economy(tmp_path / "econ")


def test_truncated_parquet_is_reported(tmp_path):
    write_economy(generate_economy(500, 5, seed=1), tmp_path / "econ")
    target = tmp_path / "econ" / "products.parquet"
    target.write_bytes(target.read_bytes()[:100])
    with pytest.raises(InvalidInput, match=r"products\.parquet"):
        read_economy(tmp_path / "econ", verify=False)


def test_failed_write_leaves_nothing_behind(tmp_path):
    e = two_technique_economy()
    write_economy(e, tmp_path / "econ")
    before = sorted(p.name for p in (tmp_path / "econ").iterdir())

    class BoomError(Exception):
        pass

    from councilplan.economy import formats

    original = formats.file_sha256

    def failing(path):
        raise BoomError

    formats.file_sha256 = failing
    try:
        with pytest.raises(BoomError):
            write_economy(e, tmp_path / "econ")
    finally:
        formats.file_sha256 = original
    assert sorted(p.name for p in (tmp_path / "econ").iterdir()) == before
    assert [p.name for p in tmp_path.iterdir()] == ["econ"]


def _csv_dir(tmp_path):
    write_economy_csv(two_technique_economy(), tmp_path / "csv")
    return tmp_path / "csv"


def _edit(path, old, new):
    path.write_text(path.read_text().replace(old, new, 1))


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("inputs.csv", "0.5", "nan", r"inputs.csv:\d+, field 'quantity'.*not a number"),
    ("inputs.csv", "0.5", "-0.5", r"inputs.csv:\d+, field 'quantity'.*negative"),
    ("inputs.csv", "0.5", "inf", r"inputs.csv:\d+, field 'quantity'"),
    ("inputs.csv", '"t-coal","food"', '"t-coal","fuel"', r"inputs.csv:2.*unknown product id 'fuel'"),
    ("products.csv", '"food","food","t"', '"power","food","t"', r"products.csv:3.*duplicate product id 'power'"),
    ("techniques.csv", '"t-food","food"', '"t-food","power"', r"product 'food': no technique makes it"),
    ("techniques.csv", '"t-coal","power","pit"', '"t-coal","power","mine"', r"techniques.csv:2.*unknown plant id 'mine'"),
])
def test_bad_csv_input_names_file_line_and_id(tmp_path, file, old, new, message):
    d = _csv_dir(tmp_path)
    assert old in (d / file).read_text(), (d / file).read_text()
    _edit(d / file, old, new)
    with pytest.raises(InvalidInput, match=message):
        read_economy_csv(d)


def test_unit_that_disagrees_is_named(tmp_path):
    d = _csv_dir(tmp_path)
    lines = (d / "inputs.csv").read_text().splitlines()
    lines[0] += ',"unit"'
    lines[1:] = [line + ',"t"' for line in lines[1:]]
    (d / "inputs.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(InvalidInput, match=r"inputs.csv:\d+, field 'unit'.*disagrees"):
        read_economy_csv(d)


def test_malformed_csv_row_names_its_line(tmp_path):
    d = _csv_dir(tmp_path)
    with open(d / "inputs.csv", "a") as f:
        f.write('"t-coal","power",1,2,3\n')
    with pytest.raises(InvalidInput, match=r"inputs.csv:\d+.*malformed"):
        read_economy_csv(d)


def test_model_rejects_nan_coefficient_naming_technique_and_product():
    e = two_technique_economy()
    T = e.input_coefficients.copy()
    T.data[0] = np.nan
    with pytest.raises(InvalidInput, match=r"input coefficient\[t-coal, food\] is not finite"):
        Economy(**{**e.__dict__, "input_coefficients": T})


def test_model_rejects_dimension_mismatch():
    e = two_technique_economy()
    with pytest.raises(InvalidInput, match="shape"):
        Economy(**{**e.__dict__, "input_coefficients": sp.csr_array((3, 3))})
    with pytest.raises(InvalidInput, match="final_demand has shape"):
        Economy(**{**e.__dict__, "final_demand": np.ones((3, 1))})


def test_duplicate_ids_are_rejected():
    with pytest.raises(InvalidInput, match="duplicate product id 'a'"):
        IdIndex(pa.array(["a", "b", "a"]), "product")


def test_digest_changes_with_any_number():
    e = two_technique_economy()
    Y = e.final_demand.copy()
    Y[0, 0] += 1e-9
    assert Economy(**{**e.__dict__, "final_demand": Y}).digest != e.digest
