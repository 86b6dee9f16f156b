"""Benchmark flake8-ssot against ruff, grep and flake8 itself, and print a table of ratios.

Run from a clone, after ``pip install -e '.[bench]'``::

    python benchmarks/run.py            # 10,000-module monorepo + the stdlib, 5 runs each (about an hour on 2 cores)
    python benchmarks/run.py --quick    # 2,000 modules, the stdlib without its tests, 3 runs (~5 min)

Every figure is a whole process (interpreter start-up included) timed side by side in the same
run: the median of ``--runs`` runs, commands interleaved so that drift hits all of them alike.
Peak RSS is the largest process of the tree (workers included), as ``wait4`` reports it.

flake8 "without the plugin" runs in a throwaway virtualenv that links the very same installed
flake8, its plugins and their requirements, minus flake8-ssot; flake8 "with" runs in a twin
that also links flake8-ssot. Both use this interpreter, so the only difference is the plugin.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Callable, Sequence
from pathlib import Path

import corpus

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CACHE_DIR = ".flake8-ssot-cache"


# -- throwaway environments ---------------------------------------------------------------


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _closure(names: Sequence[str]) -> list[importlib.metadata.Distribution]:
    """The installed distributions ``names`` and everything they require (extras left out)."""
    found: dict[str, importlib.metadata.Distribution] = {}
    todo = list(names)
    while todo:
        name = _normalized(todo.pop())
        if name in found:
            continue
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue  # a requirement for another Python version or platform
        found[name] = dist
        for requirement in dist.requires or []:
            if "extra ==" not in requirement:
                todo.append(re.split(r"[\s;<>=!~\[(]", requirement, maxsplit=1)[0])
    return [found[n] for n in sorted(found)]


def _top_levels(dist: importlib.metadata.Distribution) -> list[str]:
    name = _normalized(dist.metadata["Name"])
    tops = [t for t, ds in importlib.metadata.packages_distributions().items()
            if name in {_normalized(d) for d in ds} and not t.startswith("__editable__")]
    return sorted(tops) or [name.replace("-", "_")]


def build_env(dest: Path, names: Sequence[str]) -> Path:
    """A virtualenv whose site-packages links exactly ``names`` (and their requirements) as installed here."""
    if dest.exists():
        shutil.rmtree(dest)
    venv.create(dest, with_pip=False, symlinks=os.name != "nt")
    python = dest / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = Path(subprocess.check_output(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
    ).strip())
    for dist in _closure(names):
        meta = site / f"{re.sub(r'[-.]+', '_', dist.metadata['Name'])}-{dist.version}.dist-info"
        meta.mkdir()
        for name in ("METADATA", "entry_points.txt", "top_level.txt"):
            text = dist.read_text(name)
            if text is not None:
                (meta / name).write_text(text)
        for top in _top_levels(dist):
            spec = importlib.util.find_spec(top)
            if spec is None:
                continue
            locations = list(spec.submodule_search_locations or [])
            source = Path(locations[0]) if locations else Path(spec.origin or "")
            if source.exists() and not (site / source.name).exists():
                (site / source.name).symlink_to(source)
                # Installed code has its bytecode compiled; a source checkout needs it once.
                subprocess.run([str(python), "-m", "compileall", "-q", str(source)], check=False)
    return python


def flake8_plugin_dists() -> list[str]:
    """Installed flake8 plugins other than flake8-ssot: both environments get them."""
    names = []
    for dist in importlib.metadata.distributions():
        if any(ep.group in ("flake8.extension", "flake8.report") for ep in dist.entry_points):
            name = _normalized(dist.metadata["Name"])
            if name not in ("flake8-ssot", "flake8"):
                names.append(name)
    return sorted(set(names))


# -- measuring ----------------------------------------------------------------------------


@dataclasses.dataclass
class Case:
    name: str
    cmd: list[str]
    cwd: Path
    stdin: Path | None = None
    cold: bool = False
    """Remove the index cache before each run."""
    samples: list[tuple[float, float, int]] = dataclasses.field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(s[0] for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s[1] for s in self.samples)

    @property
    def rss_mb(self) -> float:
        return max(s[2] for s in self.samples) / 1024


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "FLAKE8", "VIRTUAL_ENV"))}
    return env


def gnu_time() -> str | None:
    """GNU time, which measures a child's peak RSS from a tiny process of its own.

    A child forked from this (Python) process inherits its resident set as a high-water mark,
    so ``wait4`` alone would report at least this process's size for every command.
    """
    found = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)
    if found is None:
        return None
    probe = subprocess.run([found, "-f", "%M", "true"], capture_output=True, text=True)
    return found if probe.returncode == 0 and probe.stderr.strip().isdigit() else None


def run_once(case: Case, env: dict[str, str], timer: str | None) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the process tree, peak RSS in KiB of its largest process)."""
    if case.cold:
        shutil.rmtree(case.cwd / CACHE_DIR, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp, open(case.stdin or os.devnull, "rb") as stdin:
        err_path, rss_path = Path(tmp, "stderr"), Path(tmp, "rss")
        cmd = [timer, "-f", "%M", "-o", str(rss_path), *case.cmd] if timer else case.cmd
        with open(err_path, "wb") as err:
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, cwd=case.cwd, env=env, stdin=stdin, stdout=subprocess.DEVNULL, stderr=err)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        errors = err_path.read_text(errors="replace")
        # flake8 exits 1 on a crash as on findings: its stderr tells them apart.
        if proc.returncode not in (0, 1) or "Traceback" in errors or "critical error" in errors:
            tail = "\n".join(errors.strip().splitlines()[-5:])
            raise SystemExit(f"{case.name}: exit {proc.returncode}: {' '.join(case.cmd)}\n{tail}")
        rss = int(rss_path.read_text().split()[-1]) if timer else usage.ru_maxrss
    return wall, usage.ru_utime + usage.ru_stime, rss


def measure(cases: Sequence[Case], runs: int, log: Callable[[str], None]) -> None:
    """A warm-up run of each warm case, then ``runs`` rounds running every case once, in turn."""
    env = child_env()
    timer = gnu_time()
    for case in cases:
        if not case.cold:  # a cold case removes the cache anyway; the others warm the page cache
            run_once(case, env, timer)
    for i in range(runs):
        for case in cases:
            case.samples.append(run_once(case, env, timer))
        log(f"  round {i + 1}/{runs}: " + ", ".join(f"{c.name} {c.samples[-1][0]:.2f}s" for c in cases))


# -- the suites ---------------------------------------------------------------------------


@dataclasses.dataclass
class Tools:
    with_plugin: Path
    without_plugin: Path
    ruff: str
    grep: str | None


def check_cases(tools: Tools, root: Path, identifiers: Sequence[str], label: str,
                config: str | None = None, ruff_config: str = "ruff.toml") -> list[Case]:
    ssot = [str(tools.with_plugin), "-m", "flake8_ssot.cli"] + (["--ssot-config", config] if config else [])
    cases = [
        Case(f"{label}: ruff TID251 --no-cache",
             [tools.ruff, "check", "--select", "TID251", "--no-cache", "--config", ruff_config, "."], root),
        Case(f"{label}: check cold", [*ssot, "check"], root, cold=True),
        Case(f"{label}: check warm", [*ssot, "check"], root),
    ]
    if tools.grep:
        pattern = "|".join(sorted(identifiers))
        cases.insert(0, Case(f"{label}: grep -rlE", [tools.grep, "-rlE", "--include=*.py", pattern, "."], root))
    return cases


def _flake8(python: Path, *args: str) -> list[str]:
    return [str(python), "-m", "flake8", *args]


def flake8_full_cases(tools: Tools, root: Path, label: str) -> list[Case]:
    return [
        Case(f"{label}: flake8 full", _flake8(tools.without_plugin, "."), root),
        Case(f"{label}: flake8+ssot full cold", _flake8(tools.with_plugin, "."), root, cold=True),
        Case(f"{label}: flake8+ssot full warm", _flake8(tools.with_plugin, "."), root),
    ]


def flake8_file_cases(tools: Tools, root: Path, sample: str, label: str) -> list[Case]:
    """The editor's case: one buffer on stdin, named by --stdin-display-name."""
    args = ("--stdin-display-name", sample, "-")
    stdin = root / sample
    return [
        Case(f"{label}: flake8 1 file (stdin)", _flake8(tools.without_plugin, *args), root, stdin=stdin),
        Case(f"{label}: flake8+ssot 1 file (stdin) warm", _flake8(tools.with_plugin, *args), root, stdin=stdin),
        Case(f"{label}: flake8+ssot 1 file (stdin) cold", _flake8(tools.with_plugin, *args), root, stdin=stdin,
             cold=True),
    ]


# -- report -------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{cpu}, {os.cpu_count()} cores, {system}, Python {platform.python_version()}"


def versions(tools: Tools, cwd: Path) -> str:
    def out(cmd: list[str]) -> str:
        done = subprocess.run(cmd, capture_output=True, text=True, env=child_env(), cwd=cwd)
        return done.stdout.strip().replace("\n", " ")

    return (f"flake8 with: {out([str(tools.with_plugin), '-m', 'flake8', '--version'])}; "
            f"without: {out([str(tools.without_plugin), '-m', 'flake8', '--version'])}; "
            f"{out([tools.ruff, '--version'])}")


def table(cases: Sequence[Case]) -> str:
    lines = ["| command | median wall (s) | median CPU (s) | peak RSS (MB) |", "|---|---:|---:|---:|"]
    lines += [f"| {c.name} | {c.wall:.2f} | {c.cpu:.2f} | {c.rss_mb:.0f} |" for c in cases]
    return "\n".join(lines)


def ratios(by: dict[str, Case], rows: Sequence[tuple[str, str, str, float | None]]) -> str:
    """Rows of (label, numerator case, denominator case, target): ratios of the medians.

    The target applies to wall time; CPU time (user + system, the whole process tree) is shown
    too, as it is less sensitive to other load on the machine.
    """
    lines = ["| ratio of medians | wall | CPU | target (wall) | |", "|---|---:|---:|---:|---|"]
    for label, num, den, target in rows:
        if num not in by or den not in by:
            continue
        value = by[num].wall / by[den].wall
        cpu = by[num].cpu / by[den].cpu
        verdict = "" if target is None else ("ok" if value <= target else "**missed**")
        goal = "" if target is None else f"≤ {target:.2f}×"
        lines.append(f"| {label} | {value:.2f}× | {cpu:.2f}× | {goal} | {verdict} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller corpora and 3 runs: a smoke test")
    parser.add_argument("--runs", type=int, help="timed runs per command (default 5, 3 with --quick)")
    parser.add_argument("--full-runs", type=int, help="timed runs of whole-project flake8 (default 3, 1 quick)")
    parser.add_argument("--modules", type=int, help="modules in the monorepo (default 10000, 2000 with --quick)")
    parser.add_argument("--no-flake8-full", action="store_true", help="skip the whole-project flake8 runs")
    parser.add_argument("--no-stdlib", action="store_true", help="skip the standard library corpus")
    parser.add_argument("--work", type=Path, default=HERE / "corpus", help="where corpora and environments go")
    parser.add_argument("--json", type=Path, help="also write every sample here")
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 5)
    full_runs = args.full_runs or (1 if args.quick else 3)
    modules = args.modules or (2000 if args.quick else 10_000)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        raise SystemExit("ruff not found: pip install -e '.[bench]'")
    import flake8_ssot

    if REPO not in Path(flake8_ssot.__file__).resolve().parents:
        log(f"warning: flake8_ssot is imported from {flake8_ssot.__file__}, not from this clone")
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    log("building the two flake8 environments ...")
    others = flake8_plugin_dists()
    tools = Tools(
        with_plugin=build_env(work / "env-with", ["flake8", *others, "flake8-ssot"]),
        without_plugin=build_env(work / "env-without", ["flake8", *others]),
        ruff=ruff,
        grep=shutil.which("grep"),
    )
    log(f"generating the monorepo ({modules} modules) ...")
    mono = corpus.generate_monorepo(work / "monorepo", modules=modules)
    all_cases: list[Case] = []
    sections = []

    log("monorepo: check vs ruff vs grep")
    cases = check_cases(tools, mono.root, mono.identifiers, "mono")
    measure(cases, runs, log)
    all_cases += cases
    log("monorepo: 5 rules vs 500 rules")
    cases = check_cases(tools, mono.root, mono.identifiers_500, "mono 500 rules", config="ssot-500.toml",
                        ruff_config="ruff-500.toml")
    measure(cases, runs, log)
    all_cases += cases
    log("monorepo: flake8 single file")
    cases = flake8_file_cases(tools, mono.root, mono.sample_user, "mono")
    measure(cases, runs, log)
    all_cases += cases
    if not args.no_flake8_full:
        log("monorepo: flake8 whole project")
        cases = flake8_full_cases(tools, mono.root, "mono")
        measure(cases, full_runs, log)
        all_cases += cases
    sections.append(f"Monorepo: {mono.modules} modules, {mono.users} of them using a deprecated name.")

    if not args.no_stdlib:
        log("copying the standard library ...")
        std = corpus.copy_stdlib(work / "stdlib", with_tests=not args.quick)
        log("stdlib: check vs ruff vs grep")
        cases = check_cases(tools, std.root, std.identifiers, "stdlib")
        measure(cases, runs, log)
        all_cases += cases
        log("stdlib: flake8 single file")
        cases = flake8_file_cases(tools, std.root, std.sample_user, "stdlib")
        measure(cases, runs, log)
        all_cases += cases
        if not args.no_flake8_full:
            log("stdlib: flake8 whole project")
            cases = flake8_full_cases(tools, std.root, "stdlib")
            measure(cases, full_runs, log)
            all_cases += cases
        sections.append(f"Stdlib: {std.modules} modules of Python {platform.python_version()}, "
                        f"{len(corpus.STDLIB_RULES)} broad rules.")

    by = {c.name: c for c in all_cases}
    targets = [
        ("mono: check cold / ruff TID251", "mono: check cold", "mono: ruff TID251 --no-cache", 1.0),
        ("mono: check warm / check cold", "mono: check warm", "mono: check cold", 0.5),
        ("mono: check cold / grep (floor)", "mono: check cold", "mono: grep -rlE", None),
        ("mono: check cold, 500 rules / 5 rules", "mono 500 rules: check cold", "mono: check cold", 1.2),
        ("mono: check warm, 500 rules / 5 rules", "mono 500 rules: check warm", "mono: check warm", 1.2),
        ("mono: ruff, 500 rules / 5 rules", "mono 500 rules: ruff TID251 --no-cache", "mono: ruff TID251 --no-cache",
         None),
        ("mono: flake8 full, plugin warm / none", "mono: flake8+ssot full warm", "mono: flake8 full", 1.01),
        ("mono: flake8 full, plugin cold / none", "mono: flake8+ssot full cold", "mono: flake8 full", None),
        ("mono: flake8 1 file, plugin warm / none", "mono: flake8+ssot 1 file (stdin) warm",
         "mono: flake8 1 file (stdin)", 1.2),
        ("mono: flake8 1 file, plugin cold / none", "mono: flake8+ssot 1 file (stdin) cold",
         "mono: flake8 1 file (stdin)", None),
        ("stdlib: check cold / ruff TID251", "stdlib: check cold", "stdlib: ruff TID251 --no-cache", None),
        ("stdlib: check warm / check cold", "stdlib: check warm", "stdlib: check cold", None),
        ("stdlib: flake8 full, plugin warm / none", "stdlib: flake8+ssot full warm", "stdlib: flake8 full", 1.05),
        ("stdlib: flake8 full, plugin cold / none", "stdlib: flake8+ssot full cold", "stdlib: flake8 full", 1.05),
        ("stdlib: flake8 1 file, plugin warm / none", "stdlib: flake8+ssot 1 file (stdin) warm",
         "stdlib: flake8 1 file (stdin)", None),
    ]
    ours = [c for c in all_cases if c.name.startswith("mono") and ("check" in c.name or "ssot" in c.name)]
    peak = max(c.rss_mb for c in ours)
    report = "\n\n".join([
        f"Machine: {machine()}. {versions(tools, mono.root)}.",
        " ".join(sections) + f" Median of {runs} runs ({full_runs} for whole-project flake8).",
        ratios(by, targets),
        f"Peak RSS of flake8-ssot on the monorepo (check and plugin runs): {peak:.0f} MB (target ≤ 150 MB).",
        table(all_cases),
    ])
    print(report)
    if args.json:
        args.json.write_text(json.dumps([dataclasses.asdict(c) for c in all_cases], default=str, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
