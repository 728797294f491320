import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("COUNCILPLAN_DATA", REPO.parent / "shared" / "data"))
IO_TABLES = DATA / "io-tables"


def require(path: Path) -> Path:
    """Reference data must exist under CI; elsewhere a missing file skips the test."""
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"reference data missing under CI: {path}")
        pytest.skip(f"reference data not found: {path}")
    return path


@pytest.fixture
def io_tables() -> Path:
    return require(IO_TABLES)
