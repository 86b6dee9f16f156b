#!/usr/bin/env python3
"""Mutation testing of the modules that guard data: does every change to them fail a test?

    .venv/bin/pip install mutmut==3.8.1  # not a test dependency: CI does not run this
    .venv/bin/python scripts/mutation.py [MODULE ...] [--tests tests/test_x.py ...] [--keep DIR]

Modules default to allowlist, allowlist_doc, baseline and cache, each mutated in a run of its
own against the test files that exercise it (``TESTS``; ``--tests`` overrides). The tracked
files are copied to a scratch directory per module (the repository's pyproject.toml and
working tree stay as they are), a ``[tool.mutmut]`` section is added there, and ``mutmut run``
then ``mutmut results`` print the surviving mutants; ``mutmut show NAME`` in the printed
directory shows one. The mutated package is put first on ``PYTHONPATH`` and mutmut passes the
mutant's name in the environment, so a console script an end-to-end test starts runs the
mutant too (a mutant only such a test reaches counts as "no tests": mutmut learns which tests
reach a function in its own process only).

One worker by default (``--jobs``): the machine is shared. Survivors are triaged in
scripts/mutation-survivors.md: killed by a named test, or explained as equivalent (issue 16).
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ["allowlist", "allowlist_doc", "baseline", "cache"]
# The tests that exercise each module; the full suite would multiply the run time.
TESTS = {
    "allowlist": ["tests/test_allowlist.py", "tests/test_baseline.py", "tests/test_report.py",
                  "tests/test_hostile_config.py", "tests/test_hostile.py"],
    "allowlist_doc": ["tests/test_baseline.py", "tests/test_hostile.py"],
    "baseline": ["tests/test_baseline.py", "tests/test_allowlist.py", "tests/test_report.py", "tests/test_fix.py"],
    "cache": ["tests/test_cache.py", "tests/test_plugin_cache.py", "tests/test_warm.py", "tests/test_hostile.py"],
}
# Tests that cannot pass under mutmut's instrumentation, whatever the mutant: mutmut's trampoline
# imports what this test proves a warm run never imports.
DESELECT = {
    "cache": ["tests/test_warm.py::test_a_warm_process_imports_no_engine"],
}

# Written next to the mutated package, on PYTHONPATH. mutmut learns which tests reach a function
# in its own process only; a child process (a console script an end-to-end test starts) records
# its hits in a file instead, and the pytest plugin hands them to mutmut as the test ends.
SITECUSTOMIZE = """\
import os
import resource

# A mutant that loops appending to a list fills the shared machine's memory long before
# mutmut's CPU-time limit ends it: cap what any process of the run may take.
_hard = resource.getrlimit(resource.RLIMIT_AS)[1]
resource.setrlimit(resource.RLIMIT_AS, (4 << 30 if _hard == resource.RLIM_INFINITY else min(4 << 30, _hard), _hard))

if os.environ.get("MUTANT_UNDER_TEST") == "stats" and os.environ.get("SSOT_MUTMUT_HITS"):
    import mutmut.mutation.trampoline as _trampoline

    def _record(name, caller=None):
        with open(os.environ["SSOT_MUTMUT_HITS"], "a", encoding="utf-8") as f:
            f.write(name + "\\n")

    _trampoline.record_trampoline_hit = _record
"""
CHILD_HITS_PLUGIN = """\
import os

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    path = os.environ.get("SSOT_MUTMUT_HITS")
    if os.environ.get("MUTANT_UNDER_TEST") != "stats" or not path or not os.path.exists(path):
        return
    from mutmut.state import state

    with open(path, encoding="utf-8") as f:
        state()._stats.update(filter(None, f.read().splitlines()))
    os.unlink(path)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", default=MODULES, help=f"default: {' '.join(MODULES)}")
    parser.add_argument("--tests", nargs="+", help="test files to run against each mutant (default: TESTS[module])")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="mutants tested at once (default: 1)")
    parser.add_argument("--deselect", action="append", default=[], metavar="NODEID",
                        help="a test to leave out (one that cannot pass under mutmut's instrumentation)")
    parser.add_argument("--mutants", nargs="+", default=[], metavar="NAME",
                        help="run only these mutants (names as `mutmut results` prints them, or globs), "
                        "e.g. to check a triage")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR (kept) instead of a temporary directory")
    args = parser.parse_args()
    if shutil.which("mutmut", path=os.path.dirname(sys.executable)) is None:
        print("mutmut is not installed in this environment: pip install mutmut", file=sys.stderr)
        return 2
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="ssot-mutation-"))
    failed = 0
    for module in args.modules:
        names = [n for n in args.mutants if n.startswith(f"flake8_ssot.{module}.")]
        if args.mutants and not names:
            continue
        deselect = [*DESELECT.get(module, []), *args.deselect]
        failed |= mutate(module, base / module, args.tests or TESTS[module], deselect, args.jobs, names)
    return failed


def mutate(module: str, work: Path, tests: list[str], deselect: list[str], jobs: int, names: list[str]) -> int:
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        target = work / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, target)
    paths = [f"src/flake8_ssot/{module}.py"]
    with open(work / "pyproject.toml", "a", encoding="utf-8") as f:
        f.write(
            "\n[tool.mutmut]\n"
            'source_paths = ["src"]\n'
            f"only_mutate = {paths!r}\n"
            f"pytest_add_cli_args_test_selection = {[*tests, *(f'--deselect={d}' for d in deselect)]!r}\n"
            'also_copy = ["tests", "examples", "setup.cfg"]\n'
            # A mutant that blocks (opens a FIFO without O_NONBLOCK) uses no CPU: mutmut's CPU
            # limit never ends it.
            'pytest_add_cli_args = ["-p", "ssot_mutmut_child_hits", "--timeout=120"]\n'
        )
    # Exists before mutmut starts: a PYTHONPATH entry missing at interpreter start is cached as
    # "nothing here", mutmut's own sys.path entry for it is then ignored, and the in-process
    # tests would run the unmutated package.
    (work / "mutants" / "src").mkdir(parents=True, exist_ok=True)
    site = work / "child-site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    (site / "ssot_mutmut_child_hits.py").write_text(CHILD_HITS_PLUGIN)
    mutmut = os.path.join(os.path.dirname(sys.executable), "mutmut")
    env = dict(os.environ)
    # Console scripts and `python -m` children import the mutated copy, not the editable install.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(work / "mutants" / "src"), str(site), env.get("PYTHONPATH")]))
    env["SSOT_MUTMUT_HITS"] = str(work / "child-hits.txt")
    print(f"mutating {', '.join(paths)} in {work} against {' '.join(tests)}", flush=True)
    run = subprocess.run([mutmut, "run", "--max-children", str(jobs), *names], cwd=work, env=env)
    if names:
        results = subprocess.run(
            [mutmut, "results", "--all", "true"], cwd=work, env=env, capture_output=True, text=True
        )
        for line in results.stdout.splitlines(True):
            if line.split()[:1] and any(fnmatch.fnmatch(line.split()[0].rstrip(":"), name) for name in names):
                sys.stdout.write(line)
        returncode = results.returncode
    else:
        returncode = subprocess.run([mutmut, "results"], cwd=work, env=env).returncode
    print(f"survivors: `mutmut show NAME` in {work}", flush=True)
    return run.returncode or returncode


if __name__ == "__main__":
    sys.exit(main())
