"""Record `flake8-ssot check`'s findings on the benchmark corpora, or compare two records.

A change meant to make runs faster must not change what they find. Record the findings of
the code before the change and after it, then compare, byte for byte::

    python benchmarks/same_findings.py record before --src /path/to/old/checkout/src
    python benchmarks/same_findings.py record after
    python benchmarks/same_findings.py compare before after

Each corpus of ``benchmarks/corpus/`` (made by ``benchmarks/run.py``) is checked cold (the
cache emptied first) and then warm, as text and as JSON, with ``-j 1`` and ``-j 2``: eight
outputs per corpus, each with its exit code.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPORA = ("mono", "ansible", "django", "wagtail", "stdlib")
_DIRS = {"mono": "monorepo"}
CACHE_DIR = ".flake8-ssot-cache"


def _clear(root: Path) -> None:
    directory = root / CACHE_DIR
    if directory.is_dir():
        for entry in directory.iterdir():
            if entry.name != ".gitignore":
                entry.unlink()


def record(out: Path, work: Path, corpora: Sequence[str], src: str | None) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "FLAKE8", "VIRTUAL_ENV"))}
    if src:
        env["PYTHONPATH"] = str(Path(src).resolve())
    out.mkdir(parents=True, exist_ok=True)
    for name in corpora:
        root = work / _DIRS.get(name, name)
        if not root.is_dir():
            print(f"{name}: no corpus at {root} (run benchmarks/run.py first)", file=sys.stderr)
            return 2
        for jobs in ("1", "2"):
            for fmt in ("text", "json"):
                for temperature in ("cold", "warm"):
                    if temperature == "cold":
                        _clear(root)
                    done = subprocess.run(
                        [sys.executable, "-m", "flake8_ssot.cli", "check", "--format", fmt, "-j", jobs, "."],
                        cwd=root, env=env, capture_output=True,
                    )
                    name_of = f"{name}-{fmt}-j{jobs}-{temperature}"
                    (out / f"{name_of}.out").write_bytes(done.stdout + f"\nexit {done.returncode}\n".encode())
                    (out / f"{name_of}.err").write_bytes(done.stderr)
                    lines = done.stdout.count(b"\n")
                    print(f"{name_of}: exit {done.returncode}, {lines} lines", file=sys.stderr)
    return 0


def compare(a: Path, b: Path) -> int:
    names = sorted({p.name for p in a.iterdir()} | {p.name for p in b.iterdir()})
    differ = [n for n in names if not (a / n).is_file() or not (b / n).is_file()
              or not filecmp.cmp(a / n, b / n, shallow=False)]
    for n in names:
        print(f"{'DIFFERS' if n in differ else 'same   '} {n}")
    print(f"{len(names) - len(differ)} of {len(names)} outputs byte-identical")
    return 1 if differ else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="verb", required=True)
    rec = sub.add_parser("record", help="check every corpus and keep the outputs in OUT")
    rec.add_argument("out", type=Path)
    rec.add_argument("--src", help="import flake8_ssot from this directory (an older checkout's src/)")
    rec.add_argument("--work", type=Path, default=HERE / "corpus", help="where benchmarks/run.py put the corpora")
    rec.add_argument("--corpora", default=",".join(CORPORA))
    cmp = sub.add_parser("compare", help="compare two records byte for byte")
    cmp.add_argument("a", type=Path)
    cmp.add_argument("b", type=Path)
    args = parser.parse_args(argv)
    if args.verb == "record":
        return record(args.out, args.work, [n for n in args.corpora.split(",") if n], args.src)
    return compare(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
