#!/usr/bin/env python
"""A long fuzzing campaign: the property tests of tests/test_properties.py, with many more examples.

    python scripts/fuzz.py                             # 2,000 examples per property
    python scripts/fuzz.py --examples 20000 -k agree   # only `check` vs flake8
    python scripts/fuzz.py --jobs 4                    # four campaigns at once, each its own seed
    python scripts/fuzz.py --corpus                    # `check` over every file of the standard library

CI runs the same properties with a few dozen examples each. Here failures are kept in
Hypothesis' example database (``.hypothesis/``, git-ignored) and replayed first on the next
run; Hypothesis prints each as an ``@example(...)`` to paste into the test as a regression.
The same by hand: ``FLAKE8_SSOT_FUZZ_EXAMPLES=5000 python -m pytest tests/test_properties.py``.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=2000, help="examples per property test (default: 2000)")
    parser.add_argument("-k", dest="select", metavar="EXPR", help="pytest -k expression: which properties")
    parser.add_argument("--seed", type=int, help="Hypothesis seed of the first campaign (default: random)")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="campaigns run at once, with different seeds")
    parser.add_argument(
        "--corpus", action="store_true", help="run tests/test_corpus.py on the whole standard library instead"
    )
    args = parser.parse_args(argv)
    if args.corpus:
        env = {**os.environ, "FLAKE8_SSOT_CORPUS": "full"}
        command = [sys.executable, "-m", "pytest", "tests/test_corpus.py", "-q", "-p", "no:cacheprovider"]
        return subprocess.call([*command, "--durations=0"], cwd=ROOT, env=env)
    first = args.seed if args.seed is not None else random.randrange(2**32)
    env = {**os.environ, "FLAKE8_SSOT_FUZZ_EXAMPLES": str(args.examples)}
    runs = []
    for job in range(max(1, args.jobs)):
        command = [
            sys.executable, "-m", "pytest", "tests/test_properties.py", "-q", "-p", "no:cacheprovider",
            "--hypothesis-show-statistics", f"--hypothesis-seed={first + job}",
        ]
        if args.select:
            command += ["-k", args.select]
        print(f"campaign {job + 1}: seed {first + job}, {args.examples} examples per property", flush=True)
        runs.append(subprocess.Popen(command, cwd=ROOT, env=env))
    codes = [run.wait() for run in runs]
    return max(codes)


if __name__ == "__main__":
    sys.exit(main())
