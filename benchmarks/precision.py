"""Precision and recall of `check` on real third-party code with a deprecation of its own.

    python benchmarks/precision.py          # setuptools 69.5.1 from PyPI, `pkg_resources` deprecated

setuptools deprecates `pkg_resources` (importing it warns) and still uses it in its own
commands. The reference set is read from the source independently of the engine: every
import of `pkg_resources` or of a name from it, every later reference to such a name, and
every string that is a dotted path into it, and every method called on an instance of a class
`pkg_resources` defines (`dist = Distribution.from_location(...)` … `dist.requires()` in one
function, `self.x` in one class). A finding is confirmed when its line is in that set; the script prints every
finding it cannot confirm, for a person. Recall is the share of reference lines with a finding.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
PACKAGE = "setuptools==69.5.1"
DEPRECATED = "pkg_resources"
EXCLUDE = ["pkg_resources/**", "setuptools/_vendor/**", "setuptools/extern/**", "_distutils_hack/**"]
CONFIG = f"""[tool.flake8-ssot]
exclude = {json.dumps(EXCLUDE)}

[[tool.flake8-ssot.rules]]
name = "pkg-resources"
deprecated = ["{DEPRECATED}"]
replacement = "importlib.metadata"
"""


def fetch(work: Path) -> Path:
    """The wheel's files under ``work/tree``, downloaded once."""
    tree = work / "tree"
    if not (tree / "setuptools").is_dir():
        download = work / "dl"
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", PACKAGE, "-d", str(download)],
                       check=True, timeout=600)
        with zipfile.ZipFile(next(download.glob("*.whl"))) as wheel:
            wheel.extractall(tree)
    (tree / "pyproject.toml").write_text(CONFIG)
    return tree


def _instance_of(value: ast.expr | None, classes: set[str], modules: set[str], defined: set[str]) -> bool:
    """``C(...)``, ``m.C(...)`` or ``C.from_x(...)`` for a class ``C`` the deprecated module
    defines, imported by name (``classes``) or reached through the module (``modules``)."""
    if isinstance(value, ast.Await):
        value = value.value
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    if isinstance(func, ast.Attribute) and func.attr.startswith("from_"):
        func = func.value
    if isinstance(func, ast.Name):
        return func.id in classes
    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and (
        func.value.id in modules and func.attr in defined
    )


def _holder(node: ast.expr) -> str | None:
    """``x`` or ``self.x`` as a key, for a variable holding an instance."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return "self." + node.attr
    return None


def reference(tree: Path) -> set[tuple[str, int]]:
    """Lines that use the deprecated module, found with the standard library's `ast` alone."""
    lines: set[tuple[str, int]] = set()
    defined = ast.parse((tree / DEPRECATED / "__init__.py").read_text(encoding="utf-8"))
    all_classes = {node.name for node in defined.body if isinstance(node, ast.ClassDef)}
    for path in sorted(tree.rglob("*.py")):
        rel = path.relative_to(tree).as_posix()
        if any(rel.startswith(glob.removesuffix("**")) for glob in EXCLUDE):
            continue
        module = ast.parse(path.read_text(encoding="utf-8"))
        names: set[str] = set()
        modules: set[str] = set()
        for node in ast.walk(module):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == DEPRECATED and node.level == 0:
                for alias in node.names:
                    names.add(alias.asname or alias.name)
                    lines.add((rel, alias.lineno))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == DEPRECATED:
                        modules.add(alias.asname or DEPRECATED)
                        lines.add((rel, alias.lineno))
        names |= modules
        classes = all_classes & names
        # Per function (and `self.x` per class): a method called on an instance it holds.
        scopes = [n for n in ast.walk(module) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        for scope in scopes:
            holders = {
                key for node in ast.walk(scope) if isinstance(node, ast.Assign)
                and _instance_of(node.value, classes, modules, all_classes)
                for target in node.targets if (key := _holder(target)) is not None
                if isinstance(scope, ast.ClassDef) == key.startswith("self.")
            }
            for node in ast.walk(scope):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
                    _holder(node.func.value) in holders
                ):
                    lines.add((rel, node.lineno))
        for node in ast.walk(module):
            if isinstance(node, ast.Name) and node.id in names:
                lines.add((rel, node.lineno))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                if re.fullmatch(rf"{DEPRECATED}(\.\w+)*", node.value):
                    lines.add((rel, node.lineno))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=HERE / "corpus" / "precision")
    args = parser.parse_args(argv)
    tree = fetch(args.work)
    run = subprocess.run([str(Path(sys.executable).parent / "flake8-ssot"), "check", "--format", "json", "."],
                         cwd=tree, capture_output=True, text=True, timeout=600)
    findings = json.loads(run.stdout)
    expected = reference(tree)
    found = {(f["path"], f["line"]) for f in findings}
    unconfirmed = []
    for f in findings:
        text = (tree / f["path"]).read_text(encoding="utf-8").splitlines()[f["line"] - 1]
        if (f["path"], f["line"]) not in expected:
            unconfirmed.append(f"{f['path']}:{f['line']}: {f['code']} {f['message']}  | {text.strip()}")
    missed = sorted(expected - found)
    confirmed = len(findings) - len(unconfirmed)
    print(f"{PACKAGE}, {DEPRECATED} deprecated: {len(findings)} findings on {len(found)} lines, "
          f"{len({f['path'] for f in findings})} files")
    print(f"precision {confirmed}/{len(findings)} = {confirmed / max(len(findings), 1):.3f} "
          "(findings on reference lines)")
    print(f"recall {len(expected) - len(missed)}/{len(expected)} = "
          f"{(len(expected) - len(missed)) / max(len(expected), 1):.3f} (reference lines with a finding)")
    for line in unconfirmed:
        print("  not confirmed:", line)
    for rel, number in missed:
        print(f"  missed: {rel}:{number}: {(tree / rel).read_text(encoding='utf-8').splitlines()[number - 1].strip()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
