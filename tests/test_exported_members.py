import importlib
import re
from pathlib import Path

import pytest
import typer.main

from councilplan.cli import app

PACKAGES = ["councilplan", "councilplan.councils", "councilplan.economy", "councilplan.planning",
            "councilplan.planning.participatory", "councilplan.record", "councilplan.testing"]


def isort_key(name):
    """Constants, then classes, then functions, each alphabetical (ruff's RUF022 order)."""
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_and_importable(name):
    module = importlib.import_module(name)
    exported = module.__all__
    assert exported == sorted(exported, key=isort_key)
    assert len(set(exported)) == len(exported)
    for member in exported:
        assert getattr(module, member) is not None


def test_every_cli_command_is_in_the_readme():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    commands = typer.main.get_command(app).commands
    missing = [c for c in commands if not re.search(rf"councilplan {re.escape(c)}\b", readme)]
    assert missing in ([], ["version"]), missing
