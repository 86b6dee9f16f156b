"""The CI examples in examples/ci/ run as written: their shell steps, in a pull-request checkout.

CI services cannot run here, so each job's shell steps run with bash -e (as both services
do) in a clone of the example project whose branch adds one deprecated use; the install
and action steps are the services' own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from conftest import EXAMPLE, run_cli, write_tree
from test_formats import SCHEMA

CI = Path(__file__).resolve().parent.parent / "examples" / "ci"
GIT = ["git", "-c", "user.name=flake8-ssot tests", "-c", "user.email=tests@invalid", "-c", "commit.gpgsign=false"]
NEW_USE = "from app.websocket_core.websocket_manager_factory import get_websocket_manager_factory\n"
NEW_FINDING = (
    "app/new_route.py:1:58: SOT001 import of deprecated"
    " app.websocket_core.websocket_manager_factory.get_websocket_manager_factory;"
    " use app.websocket_core.unified_manager.WebSocketManager.create_for_user"
    " (per-user isolation: use WebSocketManager.create_for_user(user_context))"
)


def git(*args: str, cwd: Path) -> None:
    subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """The example project on a branch that adds one use, with ``origin/main`` as its base."""
    origin, work = tmp_path / "origin", tmp_path / "work"
    shutil.copytree(EXAMPLE, origin, ignore=shutil.ignore_patterns(".flake8-ssot-cache", "__pycache__"))
    git("init", "-q", "-b", "main", cwd=origin)
    git("add", "-A", cwd=origin)
    git("commit", "-q", "-m", "base", cwd=origin)
    git("clone", "-q", str(origin), str(work), cwd=tmp_path)
    git("checkout", "-q", "-b", "feature", cwd=work)
    write_tree(work, {"app/new_route.py": NEW_USE})
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "a new route on the old factory", cwd=work)
    return work


def run_steps(scripts: list[str], cwd: Path, env: dict[str, str]) -> list[subprocess.CompletedProcess[str]]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return [
        subprocess.run(
            ["bash", "-e", "-c", script], cwd=cwd, capture_output=True, text=True, timeout=300,
            env={**os.environ, "PATH": path, **env},
        )
        for script in scripts
        if "pip install" not in script
    ]


def assert_valid_sarif(path: Path) -> None:
    log: dict[str, Any] = json.loads(path.read_text())
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert log["runs"][0]["results"], "the example's findings"


def test_github_actions_workflow(checkout: Path) -> None:
    (job,) = yaml.safe_load((CI / "github-actions.yml").read_text())["jobs"].values()
    steps = job["steps"]
    assert [s["uses"].split("@")[0] for s in steps if "uses" in s] == [
        "actions/checkout", "actions/setup-python", "github/codeql-action/upload-sarif"
    ]
    annotate, to_sarif = run_steps([s["run"] for s in steps if "run" in s], checkout, {"GITHUB_BASE_REF": "main"})
    assert (annotate.stdout, annotate.stderr, annotate.returncode) == (
        "::error file=app/new_route.py,line=1,col=58,title=SOT001::" + NEW_FINDING.split(": ", 1)[1] + "\n", "", 1
    )
    assert (to_sarif.stderr, to_sarif.returncode) == ("", 0)
    assert_valid_sarif(checkout / steps[-1]["with"]["sarif_file"])


def test_github_actions_workflow_on_push_checks_everything(checkout: Path) -> None:
    (job,) = yaml.safe_load((CI / "github-actions.yml").read_text())["jobs"].values()
    annotate, _ = run_steps([s["run"] for s in job["steps"] if "run" in s], checkout, {})
    everything = run_cli("flake8-ssot", "check", "--format", "github", cwd=checkout)
    assert (annotate.stdout, annotate.stderr, annotate.returncode) == (everything.stdout, "", 1)
    files = {line.split("file=", 1)[1].split(",", 1)[0] for line in annotate.stdout.splitlines()}
    # The new use and the example's grandfathered-but-reported ones, not only the branch's change.
    assert "app/new_route.py" in files and len(files) > 1, files


def test_gitlab_ci_job(checkout: Path) -> None:
    job = yaml.safe_load((CI / "gitlab-ci.yml").read_text())["flake8-ssot"]
    to_sarif, check = run_steps(job["script"], checkout, {"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main"})
    assert (to_sarif.stderr, to_sarif.returncode) == ("", 0)
    assert (check.stdout, check.stderr, check.returncode) == (NEW_FINDING + "\n", "", 1)
    (artifact,) = job["artifacts"]["paths"]
    assert_valid_sarif(checkout / artifact)
