"""Time `flake8-ssot fix` per fixed file, on the bundled example and on a generated monorepo.

Run from a clone, after ``pip install -e '.[fix]'``::

    python benchmarks/fix_speed.py               # example + 2,000-module monorepo (~40 users), 3 runs
    python benchmarks/fix_speed.py --modules 10000 --runs 5
    python benchmarks/fix_speed.py --django      # fix against a cold check on Django's sources

``--django`` unpacks Django's pinned sdist (2,762 modules, its tests included; pip downloads it
once into the git-ignored benchmarks/corpus/), configures two real migrations (``datetime.now()``
to ``django.utils.timezone.now()``, a template; Django 4.2's own rename of
``assertQuerysetEqual`` to ``assertQuerySetEqual``, a member of a class), and times, in one run
each time, a cold ``check --no-cache``, a cold ``fix --diff --no-cache`` and a cold ``fix
--no-cache`` on a fresh copy: the ratios to the check are what the machine's load cannot skew.

Each run copies the project afresh, then times whole processes (start-up included): ``fix
--diff`` (plans everything, writes nothing), ``fix`` itself, and ``fix --diff`` on the result,
which analyzes and plans again but has nothing left to write. The report divides ``fix``'s
median wall time by the files it rewrote.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import corpus

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent / "examples" / "websocket_migration"
CLI = str(Path(sys.executable).parent / "flake8-ssot")
FACTORY_FIXES = """
[[tool.flake8-ssot.rules.fix]]
pattern = "get_manager_factory().create_for_user($ctx)"
replace = "WebSocketManager.create_for_user($ctx)"

[[tool.flake8-ssot.rules.fix]]
pattern = "create_websocket_manager($ctx)"
replace = "WebSocketManager.create_for_user($ctx)"
"""


def timed(args: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed in {cwd}:\n{result.stderr}")
    return elapsed, result.stdout + result.stderr


def measure(name: str, source: Path, work: Path, runs: int) -> None:
    fix_times, again_times, diff_times = [], [], []
    files = uses = 0
    for run in range(runs):
        project = work / f"{name}-{run}"
        shutil.copytree(source, project, ignore=shutil.ignore_patterns(".flake8-ssot-cache", "__pycache__"))
        diff_times.append(timed([CLI, "fix", "--diff"], project)[0])
        elapsed, out = timed([CLI, "fix"], project)
        found = re.search(r"fixed (\d+) uses? in (\d+) files?", out)
        if found is None:
            raise SystemExit(f"unexpected output from fix in {project}:\n{out}")
        uses, files = int(found[1]), int(found[2])
        fix_times.append(elapsed)
        again_times.append(timed([CLI, "fix", "--diff"], project)[0])
    fix, again, diff = statistics.median(fix_times), statistics.median(again_times), statistics.median(diff_times)
    print(
        f"{name:<12} {files:>6} files {uses:>6} uses   fix {fix:7.2f} s   per fixed file {fix / max(files, 1):6.3f} s"
        f"   (fix --diff first: {diff:.2f} s; afterwards, nothing to write: {again:.2f} s)"
    )


DJANGO_MIGRATIONS = """
[tool.flake8-ssot]

[[tool.flake8-ssot.rules]]
name = "aware-now"
deprecated = ["datetime.datetime.now"]

[[tool.flake8-ssot.rules.fix]]
pattern = "datetime.datetime.now()"
replace = "django.utils.timezone.now()"

[[tool.flake8-ssot.rules]]
name = "queryset-equal"
deprecated = ["django.test.testcases.TransactionTestCase.assertQuerysetEqual"]
replacement = "django.test.testcases.TransactionTestCase.assertQuerySetEqual"
"""


def measure_django(work: Path, runs: int) -> None:
    """Cold check, fix --diff and fix on Django's sources, each run on a fresh copy."""
    archive = corpus.download_django(HERE / "corpus")
    with tarfile.open(archive) as tar:
        extract: dict[str, object] = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(work, **extract)  # type: ignore[arg-type]
    # The sources as released (unpack_django adds the check benchmark's own module and uses).
    source = work / archive.name[: -len(".tar.gz")]
    with open(source / "pyproject.toml", "a", encoding="utf-8") as f:
        f.write(DJANGO_MIGRATIONS)
    rows = []
    for run in range(runs):
        project = work / f"django-{run}"
        shutil.copytree(source, project)
        check = timed([CLI, "check", "--no-cache", "--exit-zero", "-q"], project)[0]
        diff = timed([CLI, "fix", "--diff", "--no-cache"], project)[0]
        elapsed, out = timed([CLI, "fix", "--no-cache"], project)
        found = re.search(r"fixed (\d+) uses? in (\d+) files?; (\d+) left", out)
        if found is None:
            raise SystemExit(f"unexpected output from fix in {project}:\n{out}")
        rows.append((check, diff, elapsed, found.groups()))
        print(
            f"django run {run + 1}: check {check:.2f} s, fix --diff {diff:.2f} s ({diff / check:.1f}x), "
            f"fix {elapsed:.2f} s ({elapsed / check:.1f}x); fixed {found[1]} uses in {found[2]} files, "
            f"{found[3]} left"
        )
    ratio = statistics.median(r[2] / r[0] for r in rows)
    print(f"django: fix / cold check, median of {runs}: {ratio:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--django", action="store_true", help="only the fix/check ratio on Django's sources")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ssot-fix-bench-") as tmp:
        if args.django:
            measure_django(Path(tmp), args.runs)
            return
        work = Path(tmp)
        measure("example", EXAMPLE, work, args.runs)
        repo = corpus.generate_monorepo(work / "monorepo-source", modules=args.modules)
        config = repo.root / "pyproject.toml"
        text = config.read_text()
        rule_end = text.index("\n[[tool.flake8-ssot.rules]]", text.index('name = "websocket-factory"'))
        config.write_text(text[:rule_end] + "\n" + FACTORY_FIXES + text[rule_end:])
        measure("monorepo", repo.root, work, args.runs)


if __name__ == "__main__":
    main()
