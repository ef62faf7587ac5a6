"""The registry name is one constant, and pyproject publishes under it (not `curator`)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import curator


def test_pyproject_name_is_dist_name_and_not_the_taken_one():
    project = tomllib.loads(Path("pyproject.toml").read_text())["project"]
    assert project["name"] == curator.DIST_NAME
    assert curator.DIST_NAME not in {"curator", "elasticsearch-curator"}
    # the command stays `curator`
    assert project["scripts"]["curator"] == "curator.cli.main:main"
