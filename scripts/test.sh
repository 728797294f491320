#!/usr/bin/env bash
# Install councilplan with its test tools in .venv, then lint, type-check and run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
.venv/bin/ruff check src tests bench
.venv/bin/mypy
.venv/bin/python -m pytest --cov=councilplan --cov-report=term:skip-covered "$@"
