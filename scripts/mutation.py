#!/usr/bin/env python3
"""Mutation testing of the modules that guard data: does every change to them fail a test?

    .venv/bin/pip install mutmut        # not a test dependency: CI does not run this
    .venv/bin/python scripts/mutation.py [MODULE ...] [--tests tests/test_x.py ...]

Modules default to allowlist, allowlist_doc, baseline and cache. The tracked files are copied
to a scratch directory (the repository's pyproject.toml and working tree stay as they are), a
``[tool.mutmut]`` section is added there, and ``mutmut run`` then ``mutmut results`` print the
surviving mutants; ``mutmut show NAME`` in the printed directory shows one. Only the tests'
own process runs the mutants: a console script an end-to-end test starts imports the
installed (unmutated) package, so a mutant only such a test would kill shows as a survivor.

Survivors are to be killed by a new test or explained as equivalent (see issue 16).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ["allowlist", "allowlist_doc", "baseline", "cache"]
# The tests that exercise those modules; the full suite would multiply the run time.
TESTS = [
    "tests/test_allowlist.py",
    "tests/test_baseline.py",
    "tests/test_cache.py",
    "tests/test_hostile_config.py",
    "tests/test_report.py",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", default=MODULES, help=f"default: {' '.join(MODULES)}")
    parser.add_argument("--tests", nargs="+", default=TESTS, help="test files to run against each mutant")
    parser.add_argument("--deselect", action="append", default=[], metavar="NODEID",
                        help="a test to leave out (one that cannot pass under mutmut's instrumentation)")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR (kept) instead of a temporary directory")
    args = parser.parse_args()
    if shutil.which("mutmut", path=os.path.dirname(sys.executable)) is None:
        print("mutmut is not installed in this environment: pip install mutmut", file=sys.stderr)
        return 2
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="ssot-mutation-"))
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        target = work / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, target)
    paths = [f"src/flake8_ssot/{m}.py" for m in args.modules]
    with open(work / "pyproject.toml", "a", encoding="utf-8") as f:
        f.write(
            "\n[tool.mutmut]\n"
            'source_paths = ["src"]\n'
            f"only_mutate = {paths!r}\n"
            f"pytest_add_cli_args_test_selection = {[*args.tests, *(f'--deselect={d}' for d in args.deselect)]!r}\n"
            'also_copy = ["tests", "examples", "setup.cfg"]\n'
        )
    mutmut = os.path.join(os.path.dirname(sys.executable), "mutmut")
    env = dict(os.environ)
    print(f"mutating {', '.join(paths)} in {work}", flush=True)
    run = subprocess.run([mutmut, "run"], cwd=work, env=env)
    results = subprocess.run([mutmut, "results"], cwd=work, env=env)
    print(f"survivors: `mutmut show NAME` in {work}")
    return run.returncode or results.returncode


if __name__ == "__main__":
    sys.exit(main())
