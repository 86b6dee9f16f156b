"""The README's main job: `flake8 --select SOT .` in the bundled example prints expected.txt."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLE, run_cli


@pytest.fixture
def example(tmp_path: Path) -> Path:
    target = tmp_path / "example"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".flake8-ssot-cache", "__pycache__"))
    return target


@pytest.mark.parametrize("jobs", [pytest.param("1", id="serial"), pytest.param("2", id="two workers")])
def test_example_prints_expected_reports(example: Path, jobs: str) -> None:
    result = run_cli("flake8", "--select", "SOT", "-j", jobs, ".", cwd=example)
    assert result.stderr == ""
    assert result.stdout == (EXAMPLE / "expected.txt").read_text()
    assert result.returncode == 1


def test_example_cold_and_warm_cache_agree(example: Path) -> None:
    cold = run_cli("flake8", "--select", "SOT", ".", cwd=example)
    assert (example / ".flake8-ssot-cache").is_dir()
    warm = run_cli("flake8", "--select", "SOT", ".", cwd=example)
    assert cold.stdout == warm.stdout != ""
