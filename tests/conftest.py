import os
from pathlib import Path

import pytest

from councilplan.store import engine_for
from councilplan.testing.databases import reset_database

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


# Store-backed tests run against SQLite and a real PostgreSQL server. Set COUNCILPLAN_TEST_POSTGRES
# to a SQLAlchemy URL (.ci/run starts a server and sets it); under CI=true a missing server is a
# failure, elsewhere the PostgreSQL cases are skipped.
POSTGRES = os.environ.get("COUNCILPLAN_TEST_POSTGRES")


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path):
    """A fresh, empty database: a SQLite path or a PostgreSQL URL (tables dropped first)."""
    if request.param == "sqlite":
        yield str(tmp_path / "record.db")
        return
    if not POSTGRES:
        if os.environ.get("CI") == "true":
            pytest.fail("COUNCILPLAN_TEST_POSTGRES is not set under CI")
        pytest.skip("no PostgreSQL server (set COUNCILPLAN_TEST_POSTGRES)")
    engine = engine_for(POSTGRES)
    reset_database(engine)
    engine.dispose()
    yield POSTGRES
