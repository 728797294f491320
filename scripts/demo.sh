#!/usr/bin/env bash
# Install councilplan in .venv and run the main job on its embedded default.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
.venv/bin/councilplan demo "$@"
