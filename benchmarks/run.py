"""Benchmark flake8-ssot against ruff on real code, and print the table of issue 12 as ratios.

Run from a clone, after ``pip install -e '.[bench]'``::

    python benchmarks/run.py            # monorepo (10,000 modules), Django 4.2 (2,763), the stdlib: ~10 min
    python benchmarks/run.py --quick    # smaller cuts of the same corpora, 3 rounds: ~1.5 min

Three corpora, in ``benchmarks/corpus/`` (git-ignored): the generated monorepo (its deprecated
modules bind a logger, typing names and the SSOT class, like real ones); Django's source
distribution downloaded from PyPI at a pinned version, with rules for APIs Django itself
deprecates and a deprecated module added to the copy; this interpreter's standard library
with broad rules (whole modules such as ``optparse``, ``asyncore``, ``imp``, and ``typing.List``).
ruff runs ``--select TID251`` with the ``banned-api`` table ``flake8-ssot export ruff`` writes.

Every figure is a whole process (interpreter start-up included). The commands compared are
timed in the same rounds, alternating their order from round to round; a ratio is the median
of the per-round ratios (paired), shown with the medians of each side. The plugin's share of a
full flake8 run is the CPU time spent inside the plugin (``benchmarks/plugin_share.py``
accounts it in every process of the run) over the CPU time of the whole process tree. Peak RSS
is the largest process of the tree (GNU time).

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
BEFORE_CACHE = ".flake8-ssot-cache-before"


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
    """Remove flake8-ssot's cache before each run."""
    share: bool = False
    """Account the plugin's CPU time (the command runs plugin_share.py)."""
    samples: list[tuple[float, float, int]] = dataclasses.field(default_factory=list)
    shares: list[float] = dataclasses.field(default_factory=list)
    env: dict[str, str] = dataclasses.field(default_factory=dict)
    """Variables added to the environment (the code before a change: ``PYTHONPATH``)."""
    cache: str = CACHE_DIR
    """The cache directory a cold run empties (the code before a change keeps its own)."""

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


def clear_cache(root: Path, name: str = CACHE_DIR) -> None:
    """flake8-ssot's cache emptied, the directory kept (see :func:`prepare`)."""
    directory = root / name
    if directory.is_dir():
        for entry in directory.iterdir():
            if entry.is_dir():
                shutil.rmtree(entry)
            elif entry.name != ".gitignore":
                entry.unlink()


def run_once(case: Case, env: dict[str, str], timer: str | None) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the process tree, peak RSS in KiB of its largest process)."""
    if case.cold:
        clear_cache(case.cwd, case.cache)
    env = {**env, **case.env}
    with tempfile.TemporaryDirectory() as tmp, open(case.stdin or os.devnull, "rb") as stdin:
        if case.share:
            env = {**env, "SSOT_BENCH_SHARE_DIR": str(Path(tmp, "share"))}
            Path(tmp, "share").mkdir()
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
        cpu = usage.ru_utime + usage.ru_stime
        if case.share:
            spent = sum(float(p.read_text().split()[0]) for p in Path(tmp, "share").iterdir())
            case.shares.append(spent / cpu)
    return wall, cpu, rss


def measure(cases: Sequence[Case], runs: int, log: Callable[[str], None], *, warm_up: bool = True) -> None:
    """A warm-up run of each warm case, then ``runs`` rounds running every case once, the order
    reversed every other round, so that drift and the order itself hit every case alike."""
    env = child_env()
    timer = gnu_time()
    if warm_up:
        for case in cases:
            if not case.cold:  # a cold case removes the cache anyway; the others warm the page cache
                run_once(case, env, timer)
    for i in range(runs):
        for case in (cases if i % 2 == 0 else list(reversed(cases))):
            case.samples.append(run_once(case, env, timer))
        log(f"  round {i + 1}/{runs}: " + ", ".join(f"{c.name} {c.samples[-1][0]:.2f}s" for c in cases))


# -- the corpora --------------------------------------------------------------------------


@dataclasses.dataclass
class Tools:
    with_plugin: Path
    without_plugin: Path
    ruff: str
    grep: str | None
    before: Path | None = None
    """The ``src`` folder of the code before a change, measured in the same rounds (``--before``)."""


@dataclasses.dataclass
class Corpus:
    label: str
    root: Path
    modules: int
    identifiers: tuple[str, ...]
    sample: str
    """A module using a deprecated name: the editor's buffer."""
    description: str


def ssot_cmd(tools: Tools, *args: str) -> list[str]:
    return [str(tools.with_plugin), "-m", "flake8_ssot.cli", *args]


def export_ruff(tools: Tools, root: Path) -> None:
    """ruff.toml: the banned-api table `flake8-ssot export ruff` makes of the project's rules."""
    done = subprocess.run(ssot_cmd(tools, "export", "ruff", "--ruff-toml"), cwd=root, env=child_env(),
                          capture_output=True, text=True, check=True)
    (root / "ruff.toml").write_text(done.stdout)


def prepare(root: Path) -> None:
    """The cache directories exist before timing starts, as in any project used twice: a cold
    run empties flake8-ssot's instead of removing it (which would touch the root directory)."""
    (root / CACHE_DIR).mkdir(exist_ok=True)
    (root / ".ruff_cache").mkdir(exist_ok=True)


def build_corpora(tools: Tools, work: Path, quick: bool, modules: int, log: Callable[[str], None],
                  names: Sequence[str]) -> tuple[list[Corpus], Corpus | None]:
    """The corpora, and the monorepo copy configured with 500 rules."""
    found: list[Corpus] = []
    mono500 = None
    if "mono" in names:
        log(f"generating the monorepo ({modules} modules, twice: 5 and 500 rules) ...")
        mono = corpus.generate_monorepo(work / "monorepo", modules=modules)
        found.append(Corpus("mono", mono.root, mono.modules, mono.identifiers, mono.sample_user,
                            f"monorepo: {mono.modules} generated modules, {mono.users} using a deprecated name, "
                            f"{len(corpus.RULES_5)} rules"))
        many = corpus.generate_monorepo(work / "monorepo-500", modules=modules)
        config = (many.root / "ssot-500.toml").read_text()
        (many.root / "pyproject.toml").write_text('[project]\nname = "acme"\nversion = "0"\n\n' + config)
        mono500 = Corpus("mono 500 rules", many.root, many.modules, many.identifiers_500, many.sample_user,
                         "the same monorepo with 500 rules")
    if "django" in names:
        log(f"unpacking Django {corpus.DJANGO_VERSION} ...")
        dj = corpus.unpack_django(work / "django", work / "downloads", subset="django/contrib/" if quick else None)
        found.append(Corpus("django", dj.root, dj.modules, dj.identifiers, dj.sample_user,
                            f"Django {corpus.DJANGO_VERSION} from PyPI"
                            + (" (django/contrib/ only)" if quick else " (package and test suite)")
                            + f": {dj.modules} modules, {len(corpus.DJANGO_RULES)} rules for APIs it deprecates"))
    for label, unpack, version, rules, what in (
        ("ansible", corpus.unpack_ansible, corpus.ANSIBLE_VERSION, corpus.ANSIBLE_RULES,
         "a large application: the collections of the community package"),
        ("wagtail", corpus.unpack_wagtail, corpus.WAGTAIL_VERSION, corpus.WAGTAIL_RULES,
         "a medium Django application still on `ugettext_lazy as _`"),
    ):
        if label in names:
            log(f"unpacking {label} {version} ...")
            app = unpack(work / label, work / "downloads")
            found.append(Corpus(label, app.root, app.modules, app.identifiers, app.sample_user,
                                f"{label} {version} from PyPI ({what}): {app.modules} modules, "
                                f"{len(rules)} rules for APIs it still uses"))
    if "stdlib" in names:
        log("copying the standard library ...")
        std = corpus.copy_stdlib(work / "stdlib", with_tests=not quick)
        found.append(Corpus("stdlib", std.root, std.modules, std.identifiers, std.sample_user,
                            f"stdlib of Python {platform.python_version()}" + (" without its tests" if quick else "")
                            + f": {std.modules} modules, {len(corpus.STDLIB_RULES)} broad rules"))
    log("exporting the rules for ruff ...")
    for c in [*found, *([mono500] if mono500 else [])]:
        export_ruff(tools, c.root)
        prepare(c.root)
    return found, mono500


# -- the suites ---------------------------------------------------------------------------


def check_cases(tools: Tools, c: Corpus) -> list[Case]:
    ruff = [tools.ruff, "check", "--select", "TID251", "--config", "ruff.toml", "--exit-zero", "."]
    cases = [
        Case(f"{c.label}: ruff cold", [*ruff[:-2], "--no-cache", *ruff[-2:]], c.root),
        Case(f"{c.label}: check cold", ssot_cmd(tools, "check"), c.root, cold=True),
        Case(f"{c.label}: ruff warm", ruff, c.root),
        Case(f"{c.label}: check warm", ssot_cmd(tools, "check"), c.root),
    ]
    if tools.before is not None:
        # A cache of its own, so that it never takes the place of the warm run's.
        cases.append(Case(f"{c.label}: check cold (before)", ssot_cmd(tools, "check", "--cache-dir", BEFORE_CACHE),
                          c.root, cold=True, env={"PYTHONPATH": str(tools.before)}, cache=BEFORE_CACHE))
    if tools.grep:
        pattern = "|".join(sorted(c.identifiers))
        cases.append(Case(f"{c.label}: grep -rlE (floor)", [tools.grep, "-rlE", "--include=*.py", pattern, "."],
                          c.root))
    return cases


def _flake8(python: Path, *args: str) -> list[str]:
    return [str(python), "-m", "flake8", "--exit-zero", *args]


def stdin_cases(tools: Tools, c: Corpus) -> list[Case]:
    """The editor's case: one buffer on stdin, named by --stdin-display-name (cache warm)."""
    args = ("--stdin-display-name", c.sample, "-")
    return [
        Case(f"{c.label}: flake8 1 file (stdin)", _flake8(tools.without_plugin, *args), c.root,
             stdin=c.root / c.sample),
        Case(f"{c.label}: flake8+ssot 1 file (stdin)", _flake8(tools.with_plugin, *args), c.root,
             stdin=c.root / c.sample),
    ]


def full_cases(tools: Tools, c: Corpus) -> list[Case]:
    share = [str(tools.with_plugin), str(HERE / "plugin_share.py"), "--exit-zero", "."]
    return [
        Case(f"{c.label}: flake8+ssot full cold", share, c.root, cold=True, share=True),
        Case(f"{c.label}: flake8+ssot full warm", share, c.root, share=True),
    ]


@dataclasses.dataclass
class Counts:
    files: int
    passed: int
    """Files the prefilter lets through to parsing."""
    using: int
    """Files with at least one use (any status: new, allowlisted, noqa'd)."""


def prefilter_counts(root: Path) -> Counts:
    """In this process, from the cache the timed runs left: which files pass, which use."""
    from flake8_ssot import runner
    from flake8_ssot.config import load_config
    from flake8_ssot.engine import Project

    here = os.getcwd()
    os.chdir(root)
    try:
        project = Project(load_config(root / "pyproject.toml"))
        files = runner.select(project)
        passed = [rel for rel in files if rel in project.index.hits]
        reports = runner.analyze(project, runner.candidates(project, files))
        return Counts(len(files), len(passed), sum(1 for r in reports if r.uses))
    finally:
        os.chdir(here)


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
    try:
        load = " (load average %.1f when it ended)" % os.getloadavg()[0]
    except OSError:
        load = ""
    return f"{cpu}, {os.cpu_count()} cores{load}, {platform.system()} {platform.release()}, " \
           f"Python {platform.python_version()}"


def versions(tools: Tools, cwd: Path) -> str:
    def out(cmd: list[str]) -> str:
        done = subprocess.run(cmd, capture_output=True, text=True, env=child_env(), cwd=cwd)
        return done.stdout.strip().replace("\n", " ")

    return (f"flake8 with: {out([str(tools.with_plugin), '-m', 'flake8', '--version'])}; "
            f"without: {out([str(tools.without_plugin), '-m', 'flake8', '--version'])}; "
            f"{out([tools.ruff, '--version'])}")


def paired(num: Case, den: Case, index: int) -> float:
    """Median of the per-round ratios (index 0: wall, 1: CPU)."""
    return statistics.median(a[index] / b[index] for a, b in zip(num.samples, den.samples))


def _x(value: float) -> str:
    return f"{value:.2f}×"


def issue_table(by: dict[str, Case], corpora: Sequence[Corpus], mono500: Corpus | None,
                counts: dict[str, Counts]) -> str:
    lines = ["| measure | corpus | flake8-ssot | peer | ratio (wall) | ratio (CPU) | goal |",
             "|---|---|---:|---:|---:|---:|---|"]

    def row(measure: str, label: str, num: str, den: str, goal: str) -> None:
        a, b = by.get(f"{label}: {num}"), by.get(f"{label}: {den}")
        if a is None or b is None or not a.samples:
            return
        lines.append(f"| {measure} | {label} | {a.wall:.2f} s | {b.wall:.2f} s | {_x(paired(a, b, 0))} "
                     f"| {_x(paired(a, b, 1))} | {goal} |")

    for c in corpora:
        goal = "≤ 3×" if c.label in ("stdlib", "wagtail") else "≤ 1.0×"
        row("`check .` cold vs `ruff --no-cache`", c.label, "check cold", "ruff cold", goal)
    for c in corpora:
        row("(before this change: `check .` cold vs `ruff --no-cache`)", c.label, "check cold (before)", "ruff cold",
            "")
    for c in corpora:
        row("`check .` cold vs the code before this change", c.label, "check cold", "check cold (before)", "")
    for c in corpora:
        row("`check .` warm vs `ruff` warm", c.label, "check warm", "ruff warm", "≤ 1.0×")
    for c in corpora:
        for temp, goal in (("warm", "≤ 1%"), ("cold", "≤ 2%")):
            case = by.get(f"{c.label}: flake8+ssot full {temp}")
            if case is not None and case.shares:
                shares = sorted(case.shares)
                spent = statistics.median(s * x[1] for s, x in zip(case.shares, case.samples))
                lines.append(f"| plugin's share of a full `flake8` run's CPU, {temp} cache | {c.label} "
                             f"| {spent:.2f} s "
                             f"| {case.cpu:.2f} s CPU | **{statistics.median(shares) * 100:.1f}%** "
                             f"(runs: {', '.join(f'{s * 100:.1f}%' for s in shares)}) | | {goal} |")
    for c in corpora:
        row("`flake8` 1 file from stdin, with vs without the plugin", c.label, "flake8+ssot 1 file (stdin)",
            "flake8 1 file (stdin)", "≤ 1.2×")
    if mono500 is not None:
        a, b = by.get("mono 500 rules: check cold"), by.get("mono: check cold")
        if a and b:
            lines.append(f"| 500 rules vs 5 rules, `check` cold | mono | {a.wall:.2f} s | {b.wall:.2f} s "
                         f"| {_x(paired(a, b, 0))} | {_x(paired(a, b, 1))} | ≤ 1.2× |")
        a, b = by.get("mono 500 rules: check warm"), by.get("mono: check warm")
        if a and b:
            lines.append(f"| 500 rules vs 5 rules, `check` warm | mono | {a.wall:.2f} s | {b.wall:.2f} s "
                         f"| {_x(paired(a, b, 0))} | {_x(paired(a, b, 1))} | ≤ 1.2× |")
        a, b = by.get("mono 500 rules: ruff cold"), by.get("mono: ruff cold")
        if a and b:
            lines.append(f"| (ruff: 500 rules vs 5, cold) | mono | | | {_x(paired(a, b, 0))} "
                         f"| {_x(paired(a, b, 1))} | |")
    ours = [c for c in by.values() if ("check" in c.name or "ssot" in c.name) and "(before)" not in c.name]
    if ours:
        peak = max(ours, key=lambda c: c.rss_mb)
        lines.append(f"| peak RSS | all | {peak.rss_mb:.0f} MB ({peak.name}) | | | | ≤ 150 MB |")
    for label, n in counts.items():
        ratio = f"{n.passed / n.using:.2f}×" if n.using else "–"
        lines.append(f"| files passing the prefilter vs files containing a use | {label} | {n.passed} of {n.files} "
                     f"| {n.using} | {ratio} | | ≤ 1.2× |")
    for c in corpora:
        row("(`check` cold vs `grep -rlE` of the names: the floor)", c.label, "check cold", "grep -rlE (floor)", "")
    return "\n".join(lines)


def table(cases: Sequence[Case]) -> str:
    lines = ["| command | median wall (s) | median CPU (s) | peak RSS (MB) | runs |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {c.name} | {c.wall:.2f} | {c.cpu:.2f} | {c.rss_mb:.0f} | {len(c.samples)} |" for c in cases
              if c.samples]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="smaller corpora (1,000 modules, django/contrib/, the stdlib without tests), 3 rounds")
    parser.add_argument("--runs", type=int, help="rounds of the check/ruff and stdin comparisons (default 5, 3 quick)")
    parser.add_argument("--full-runs", type=int, help="rounds of whole-project flake8 runs (default 3, 1 quick)")
    parser.add_argument("--modules", type=int, help="modules in the monorepo (default 10000, 1000 with --quick)")
    parser.add_argument("--corpora", default="mono,ansible,django,wagtail,stdlib",
                        help="comma-separated: mono, ansible, django, wagtail, stdlib")
    parser.add_argument("--full-on", default="django", help="corpora to run whole-project flake8 on ('' for none)")
    parser.add_argument("--work", type=Path, default=HERE / "corpus", help="where corpora and environments go")
    parser.add_argument("--json", type=Path, help="also write every sample here")
    parser.add_argument("--before", type=Path,
                        help="the src/ folder of an older checkout: its `check` cold is timed in the same rounds")
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 5)
    full_runs = args.full_runs or (1 if args.quick else 3)
    modules = args.modules or (1000 if args.quick else 10_000)
    names = [n for n in args.corpora.split(",") if n]
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f}s] {message}", file=sys.stderr, flush=True)

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
        before=args.before.resolve() if args.before else None,
    )
    corpora, mono500 = build_corpora(tools, work, args.quick, modules, log, names)
    # Files written a moment ago may still change within their timestamp tick: a warm `check`
    # does not trust them (see flake8_ssot.warm), and neither would a user's second run.
    time.sleep(2.5)
    all_cases: list[Case] = []
    counts: dict[str, Counts] = {}
    for c in corpora:
        cases = check_cases(tools, c)
        if c.label == "mono" and mono500 is not None:
            cases += [case for case in check_cases(tools, mono500) if "grep" not in case.name]
        log(f"{c.label}: check vs ruff, cold and warm")
        measure(cases, runs, log)
        all_cases += cases
        log(f"{c.label}: flake8 on one file from stdin")
        cases = stdin_cases(tools, c)
        measure(cases, runs, log)
        all_cases += cases
        counts[c.label] = prefilter_counts(c.root)
        log(f"{c.label}: {counts[c.label]}")
    if mono500 is not None:
        counts[mono500.label] = prefilter_counts(mono500.root)
    for c in corpora:
        if c.label in args.full_on.split(","):
            log(f"{c.label}: whole-project flake8, cold and warm cache")
            cases = full_cases(tools, c)
            # No warm-up run: the check runs above read every file already, and the first
            # round starts cold.
            measure(cases, full_runs, log, warm_up=False)
            all_cases += cases

    by = {c.name: c for c in all_cases}
    elapsed = time.perf_counter() - started
    report = "\n\n".join([
        f"Machine: {machine()}. {versions(tools, corpora[0].root if corpora else work)}.",
        "Corpora: " + "; ".join(c.description for c in corpora) + ".",
        f"{runs} rounds of each comparison ({full_runs} for whole-project flake8), the order alternating; "
        f"ratios are medians of the per-round ratios. The whole run took {elapsed / 60:.1f} min.",
        issue_table(by, corpora, mono500, counts),
        table(all_cases),
    ])
    print(report)
    if args.json:
        args.json.write_text(json.dumps([dataclasses.asdict(c) for c in all_cases], default=str, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
