"""Find and parse the configuration, once, into a frozen :class:`Config`."""

from __future__ import annotations

import ast
import configparser
import os
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from flake8_ssot import sources
from flake8_ssot.discovery import ini_section
from flake8_ssot.model import Config, ConfigError, FixTemplate, Rule

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TABLE = "tool.flake8-ssot"
TOP_KEYS = frozenset({"allowlist", "rules", "exclude", "src", "cache", "discover", "python-environment"})
RULE_KEYS = frozenset({"name", "deprecated", "replacement", "message", "exempt", "fix"})
FIX_KEYS = frozenset({"pattern", "replace"})
INI_KEYS = frozenset(
    {"rules", "messages", "exempt", "allowlist", "exclude", "src", "cache", "config", "discover", "python-environment"}
)
RULE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")


def is_dotted_name(value: str) -> bool:
    return bool(value) and all(part.isidentifier() for part in value.split("."))


_ARGUMENT = re.compile(r"(?P<callable>[^()]*)\((?P<parameter>[^()]*)\)\Z")


def split_argument(entry: str) -> tuple[str, str | None]:
    """``a.b.f(param)`` as (``a.b.f``, ``param``); any other entry as (entry, None)."""
    match = _ARGUMENT.match(entry)
    return (match["callable"], match["parameter"]) if match else (entry, None)


def deprecated_problem(entry: str) -> str | None:
    """Why an entry of ``deprecated`` is malformed, or None.

    An entry is a dotted name whose components may be ``*`` (any number of components, as in
    flake8-tidy-imports' banned-modules), or a callable's dotted name with one of its parameters
    in parentheses (pylint's deprecated-argument): ``app.ws.create_manager(user_id)``.
    """
    path, parameter = split_argument(entry)
    parts = path.split(".")
    if parameter is not None:
        if "," in parameter:
            return f"one argument per entry: {entry!r} (write each argument as its own entry)"
        if not parameter.isidentifier():
            return f"expected a parameter name between the parentheses: {entry!r}"
        if "*" in parts:
            return f"a deprecated argument needs the callable's full path, without '*': {entry!r}"
    elif "*" in parts:
        if all(part == "*" for part in parts):
            return f"a wildcard alone would deprecate every module: {entry!r}"
    if any("*" in part and part != "*" for part in parts):
        return f"'*' stands for whole components only: {entry!r}"
    if not all(part == "*" or part.isidentifier() for part in parts):
        return f"not a dotted name: {entry!r}"
    return None


def load_config(path: Path) -> Config:
    path = Path(os.path.abspath(path))
    if path.suffix in (".cfg", ".ini") or path.name == ".flake8":
        return _load_ini(path)
    return _load_toml(path)


# -- TOML ---------------------------------------------------------------------------------


def _load_toml(path: Path) -> Config:
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as e:
        raise ConfigError(path, f"cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise ConfigError(path, "not valid UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(path, f"invalid TOML: {e}") from None
    tool = data.get("tool")
    table = tool.get("flake8-ssot") if isinstance(tool, dict) else None
    if table is None:
        raise ConfigError(path, f"no [{TABLE}] table")
    if not isinstance(table, dict):
        raise ConfigError(path, "expected a table", key=TABLE)
    return _build(path, table, TABLE)


def _build(path: Path, table: Mapping[str, Any], where: str) -> Config:
    root = path.parent
    _reject_unknown(path, table, TOP_KEYS, where)
    rules_value = table.get("rules", [])
    if not isinstance(rules_value, list):
        raise ConfigError(path, "expected an array of tables", key=f"{where}.rules")
    rules = tuple(
        _rule(path, raw, f"{where}.rules[{i}]") for i, raw in enumerate(rules_value)
    )
    _check_unique(path, rules, where)
    allowlist = table.get("allowlist")
    if allowlist is not None:
        allowlist = _relative_path(path, allowlist, f"{where}.allowlist")
    cache = table.get("cache", True)
    cache_dir = None
    if isinstance(cache, str):
        # A location: where the cache lives instead of .flake8-ssot-cache in the root.
        cache_dir, cache = _relative_path(path, cache, f"{where}.cache"), True
    elif not isinstance(cache, bool):
        raise ConfigError(
            path, "expected true, false or a directory relative to the project root", key=f"{where}.cache"
        )
    discover = table.get("discover", False)
    if not isinstance(discover, bool):
        raise ConfigError(path, "expected true or false", key=f"{where}.discover")
    return Config(
        root=root,
        source=path,
        python_environment=_environment(path, table.get("python-environment"), f"{where}.python-environment"),
        rules=rules,
        allowlist=root / allowlist if allowlist is not None else None,
        exclude=_globs(path, table.get("exclude", []), f"{where}.exclude"),
        src=tuple(
            _relative_path(path, s, f"{where}.src[{i}]")
            for i, s in enumerate(_str_list(path, table.get("src", [".", "src"]), f"{where}.src"))
        ),
        cache=cache,
        cache_dir=cache_dir,
        discover=discover,
    )


def _environment(path: Path, value: object, where: str) -> str | None:
    """A Python environment, relative to the project root or absolute ("" for none)."""
    if value is None:
        return None
    if value is False:
        return ""
    if not isinstance(value, str) or not value:
        raise ConfigError(path, "expected the path of a Python environment, or false", key=where)
    problem = sources.environment_problem(os.path.join(path.parent, os.path.expanduser(value)), value)
    if problem is not None:
        raise ConfigError(path, problem, key=where)
    return value


def _rule(path: Path, raw: object, where: str) -> Rule:
    if not isinstance(raw, dict):
        raise ConfigError(path, "expected a table", key=where)
    _reject_unknown(path, raw, RULE_KEYS, where)
    name = raw.get("name")
    if not isinstance(name, str) or not RULE_NAME.match(name):
        raise ConfigError(
            path, "expected a rule name (letters, digits, '-', '_', '.')", key=f"{where}.name"
        )
    deprecated = _str_list(path, raw.get("deprecated"), f"{where}.deprecated")
    if not deprecated:
        raise ConfigError(path, "expected at least one dotted name", key=f"{where}.deprecated")
    for i, dotted in enumerate(deprecated):
        problem = deprecated_problem(dotted)
        if problem is not None:
            raise ConfigError(path, problem, key=f"{where}.deprecated[{i}]")
    replacement = _optional_str(path, raw.get("replacement"), f"{where}.replacement")
    # An empty replacement is a typo (`-> ` with nothing after it), not "no replacement".
    if raw.get("replacement") is not None and not is_dotted_name(raw["replacement"]):
        raise ConfigError(path, f"not a dotted name: {raw['replacement']!r}", key=f"{where}.replacement")
    fixes_value = raw.get("fix", [])
    if not isinstance(fixes_value, list):
        raise ConfigError(path, "expected an array of tables", key=f"{where}.fix")
    return Rule(
        name=name,
        deprecated=tuple(dict.fromkeys(deprecated)),
        replacement=replacement,
        message=_optional_str(path, raw.get("message"), f"{where}.message"),
        exempt=_globs(path, raw.get("exempt", []), f"{where}.exempt"),
        fixes=tuple(
            _fix(path, f, f"{where}.fix[{i}]") for i, f in enumerate(fixes_value)
        ),
    )


def _fix(path: Path, raw: object, where: str) -> FixTemplate:
    if not isinstance(raw, dict):
        raise ConfigError(path, "expected a table", key=where)
    _reject_unknown(path, raw, FIX_KEYS, where)
    values = []
    for key in ("pattern", "replace"):
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(path, "expected a non-empty string", key=f"{where}.{key}")
        values.append(value)
    problem = check_template(*values)
    if problem is not None:
        raise ConfigError(path, problem[1], key=f"{where}.{problem[0]}")
    return FixTemplate(*values)


# -- fix templates: syntax only (`fix` resolves their names against the project) -----------

PLACEHOLDER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_RESERVED = "__ssot_"
_SHOWN = re.compile(rf"{_RESERVED}([A-Za-z0-9_]+?)__")
_CONSTANT_NAMES = frozenset({"True", "False", "None"})
# A pattern is matched node by node: calls, attribute access, names and literals only.
_PATTERN_NODES = (
    ast.Expression, ast.Call, ast.Attribute, ast.Name, ast.Load, ast.Constant, ast.keyword, ast.Await,
)
# Nodes that bind names or cannot hold a placeholder: the replacement is spliced in as is.
_REPLACE_FORBIDDEN = (
    ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.NamedExpr,
    ast.Await, ast.Yield, ast.YieldFrom, ast.JoinedStr,
)


def template_source(text: str) -> str:
    """A fix template as Python source: the placeholder ``$ctx`` becomes the name ``__ssot_ctx__``."""
    return PLACEHOLDER.sub(lambda m: f"{_RESERVED}{m.group(1)}__", text)


def placeholder(identifier: str) -> str | None:
    """``ctx`` for the name ``template_source`` made of ``$ctx``, else None."""
    if identifier.startswith(_RESERVED) and identifier.endswith("__") and len(identifier) > len(_RESERVED) + 2:
        return identifier[len(_RESERVED):-2]
    return None


def check_template(pattern: str, replace: str) -> tuple[str, str] | None:
    """The first syntax problem of a fix template, as (key, problem), or None."""
    trees: dict[str, ast.expr] = {}
    for key, text in (("pattern", pattern), ("replace", replace)):
        if _RESERVED in text:
            return key, f"names starting with {_RESERVED} are reserved"
        source = template_source(text)
        if "$" in source:
            return key, "'$' must start a placeholder such as $ctx"
        try:
            trees[key] = ast.parse(source.strip(), mode="eval").body
        except SyntaxError as e:
            return key, f"not a Python expression: {e.msg}"
    names: dict[str, list[str]] = {}
    for key, tree in trees.items():
        names[key] = []
        for node in ast.walk(tree):
            shown = _SHOWN.sub(r"$\1", ast.unparse(node)) if isinstance(node, ast.expr) else ""
            if key == "pattern" and not isinstance(node, _PATTERN_NODES):
                return key, f"a pattern matches calls, attributes, names and literals only, not {shown!r}"
            if key == "pattern" and isinstance(node, ast.keyword) and node.arg is None:
                return key, "a pattern cannot match **keyword arguments"
            if isinstance(node, ast.Await) and (
                key == "pattern" or any(isinstance(n, ast.Await) for n in ast.walk(trees["pattern"]))
            ):
                pass  # matched exactly; the code a pattern with `await` matches is in an async function
            elif isinstance(node, _REPLACE_FORBIDDEN):
                if isinstance(node, ast.Await):
                    return key, f"{shown!r}: an await in replace needs one in the pattern (the code may not be async)"
                return key, f"not supported in a template: {shown!r}"
            if isinstance(node, ast.Name):
                name = placeholder(node.id)
                if name is not None:
                    names[key].append(name)
    if placeholder(getattr(trees["pattern"], "id", "")) is not None:
        return "pattern", "a pattern cannot be a bare placeholder"
    if not any(
        isinstance(n, ast.Name) and placeholder(n.id) is None and n.id not in _CONSTANT_NAMES
        for n in ast.walk(trees["pattern"])
    ):
        return "pattern", "a pattern needs a name of the deprecated API"
    in_pattern, in_replace = names["pattern"], names["replace"]
    for name in in_pattern:
        if in_pattern.count(name) > 1:
            return "pattern", f"placeholder ${name} appears twice"
        if name not in in_replace:
            return "replace", f"placeholder ${name} of the pattern is missing (its expression would be dropped)"
        if in_replace.count(name) > 1:
            return "replace", f"placeholder ${name} appears twice (its expression would run twice)"
    for name in in_replace:
        if name not in in_pattern:
            return "replace", f"unknown placeholder ${name} (not in the pattern)"
    return None


def _check_unique(path: Path, rules: tuple[Rule, ...], where: str) -> None:
    names: dict[str, int] = {}
    owner: dict[str, str] = {}
    for i, rule in enumerate(rules):
        if rule.name in names:
            raise ConfigError(
                path,
                f"duplicate rule name {rule.name!r} (also rules[{names[rule.name]}])",
                key=f"{where}.rules[{i}].name",
            )
        names[rule.name] = i
        for dotted in rule.deprecated:
            if dotted in owner:
                raise ConfigError(
                    path,
                    f"{dotted!r} is already deprecated by rule {owner[dotted]!r}",
                    key=f"{where}.rules[{i}].deprecated",
                )
            owner[dotted] = rule.name


def _reject_unknown(path: Path, raw: Mapping[str, Any], known: frozenset[str], where: str) -> None:
    for key in raw:
        if key not in known:
            raise ConfigError(
                path, f"unknown key (expected one of: {', '.join(sorted(known))})", key=f"{where}.{key}"
            )


def _str_list(path: Path, value: object, where: str) -> list[str]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise ConfigError(path, "expected a list of strings", key=where)


def _optional_str(path: Path, value: object, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value or None
    raise ConfigError(path, "expected a string", key=where)


def _relative_path(path: Path, value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(path, "expected a path relative to the project root", key=where)
    pure = PurePosixPath(value)
    if pure.is_absolute() or ".." in pure.parts or "\\" in value:
        raise ConfigError(
            path, f"{value!r} must be a POSIX path inside the project root", key=where
        )
    return value


def _globs(path: Path, value: object, where: str) -> tuple[str, ...]:
    globs = _str_list(path, value, where)
    for i, glob in enumerate(globs):
        _relative_path(path, glob.lstrip("/") if glob.startswith("/") else glob, f"{where}[{i}]")
    return tuple(globs)


# -- flake8 INI -----------------------------------------------------------------------------


def _ini_lines(value: str) -> Iterator[tuple[int, str]]:
    for offset, line in enumerate(value.splitlines()):
        line = line.strip()
        if line and not line.startswith(("#", ";")):
            yield offset, line


def _load_ini(path: Path) -> Config:
    try:
        path.read_bytes().decode("utf-8")
    except OSError as e:
        raise ConfigError(path, f"cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise ConfigError(path, "not valid UTF-8") from None
    try:
        configparser.RawConfigParser().read_file(path.open(encoding="utf-8"))
    except configparser.Error as e:
        raise ConfigError(path, f"invalid INI: {str(e).splitlines()[0]}") from None
    options = ini_section(path)
    if options is None:
        raise ConfigError(path, "no ssot-rules in the [flake8] section")
    for key, (_, line) in options.items():
        if key not in INI_KEYS:
            raise ConfigError(
                path,
                f"line {line}: unknown option (expected ssot-{', ssot-'.join(sorted(INI_KEYS))})",
                key=f"ssot-{key}",
            )
    if "config" in options:
        # flake8's --ssot-config spelled in the flake8 config: follow it, wherever it points, as
        # flake8 does (the file it names decides the project root).
        value, line = options["config"]
        if not value.strip():
            raise ConfigError(path, f"line {line}: expected the path of a configuration file", key="ssot-config")
        return load_config(path.parent / value.strip())

    def per_rule(key: str) -> dict[str, str]:
        value, line = options.get(key, ("", 0))
        out: dict[str, str] = {}
        for offset, entry in _ini_lines(value):
            name, sep, rest = entry.partition(":")
            if not sep or not name.strip():
                raise ConfigError(
                    path, f"line {line + offset}: expected 'rule-name: value'", key=f"ssot-{key}"
                )
            out[name.strip()] = rest.strip()
        return out

    table: dict[str, Any] = {"rules": []}
    rules_value, rules_line = options.get("rules", ("", 0))
    for offset, entry in _ini_lines(rules_value):
        name, sep, rest = entry.partition(":")
        names, arrow, replacement = rest.partition("->")
        if not sep or not name.strip() or not names.strip():
            raise ConfigError(
                path,
                f"line {rules_line + offset}: expected 'name: dotted.name[, ...] [-> replacement]'",
                key="ssot-rules",
            )
        # Commas inside parentheses belong to an argument entry (and are reported there).
        deprecated = [n.strip() for n in re.split(r",(?![^(]*\))", names)]
        for dotted in deprecated:
            problem = deprecated_problem(dotted)
            if problem is not None:
                raise ConfigError(path, f"line {rules_line + offset}: {problem}", key="ssot-rules")
        rule: dict[str, Any] = {"name": name.strip(), "deprecated": deprecated}
        if arrow:
            rule["replacement"] = replacement.strip()
        table["rules"].append(rule)
    known = {r["name"] for r in table["rules"]}
    for key, field in (("messages", "message"), ("exempt", "exempt")):
        for name, value in per_rule(key).items():
            if name not in known:
                raise ConfigError(path, f"unknown rule {name!r}", key=f"ssot-{key}")
            rule = next(r for r in table["rules"] if r["name"] == name)
            rule[field] = [g.strip() for g in value.split(",") if g.strip()] if field == "exempt" else value
    for key in ("exclude", "src"):
        if key in options:
            table[key] = [g.strip() for g in re.split(r"[,\n]", options[key][0]) if g.strip()]
    if "allowlist" in options:
        table["allowlist"] = options["allowlist"][0].strip()
    if "python-environment" in options:
        raw_env = options["python-environment"][0].strip()
        table["python-environment"] = False if raw_env.lower() == "false" else raw_env
    for key in ("cache", "discover"):
        if key in options:
            raw = options[key][0].strip().lower()
            if raw not in ("true", "false"):
                raise ConfigError(path, "expected true or false", key=f"ssot-{key}")
            table[key] = raw == "true"
    return _build(path, table, "[flake8] ssot")
