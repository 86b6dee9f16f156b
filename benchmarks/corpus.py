"""Benchmark corpora: a synthetic monorepo generated deterministically, a copy of the stdlib,
and Django's source distribution from PyPI at a pinned version.

The monorepo has the shape flake8-ssot was born for: thousands of modules in nested packages,
a deprecated WebSocket-manager factory that ~2% of them still use in every form the plugin
detects (see tests/test_detection.py), and re-exports of it through package ``__init__`` files.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

SEED = 20240501
DOMAINS = [
    "billing", "users", "orders", "search", "media", "chat", "payments", "reports", "inventory", "shipping",
    "auth", "notifications", "analytics", "catalog", "pricing", "support", "audit", "scheduling", "exports",
    "geo", "ads", "feeds", "ledger", "identity", "storage", "workflows", "crm", "social", "promotions", "metrics",
]
SUBS = ["api", "models", "services", "repositories", "tasks", "schemas", "handlers", "utils", "views", "clients"]
NOUNS = [
    "account", "invoice", "customer", "item", "batch", "record", "entry", "profile", "session", "ticket",
    "payload", "message", "thread", "channel", "asset", "bundle", "voucher", "refund", "quote", "shipment",
    "parcel", "route", "slot", "event", "metric", "report", "export", "token", "grant", "policy",
]
SUFFIXES = ["store", "view", "sync", "tools", "rules", "state", "query", "index", "codec", "queue"]
VERBS = ["fetch", "build", "load", "compute", "render", "merge", "resolve", "collect", "publish", "archive", "scan"]
QUALIFIERS = ["legacy", "v1", "old", "sync", "raw", "bulk", "direct", "cached", "unsafe"]

# The five project-specific rules: the factory every form below uses, and four smaller migrations.
FACTORY = "acme.core.ws.manager_factory"
RULES_5 = [
    ("websocket-factory", FACTORY, "acme.core.ws.unified.WebSocketManager.create_for_user"),
    ("settings-loader", "acme.core.settings.get_settings", "acme.core.config.Config.load"),
    ("http-client", "acme.core.http.legacy_client", "acme.core.http.client.HttpClient"),
    ("db-session", "acme.core.db.session.make_session", "acme.core.db.engine.Session.begin"),
    ("legacy-cache", "acme.core.cache.LegacyCache", "acme.core.cache.Cache"),
]

# Every form of use the plugin detects, each a (header imports, body) pair appended to a module.
FACTORY_FORMS: list[tuple[str, str]] = [
    (
        "from acme.core.ws.manager_factory import get_manager_factory\n",
        "def open_socket(ctx: Any) -> Any:\n    factory = get_manager_factory()\n"
        "    return factory.create_for_user(ctx)\n",
    ),
    (
        "import acme.core.ws.manager_factory as wsf\n",
        "def open_socket(ctx: Any) -> Any:\n    return wsf.get_manager_factory().create_for_user(ctx)\n",
    ),
    (
        "from acme.core.ws import get_manager_factory\n",
        "def open_socket(ctx: Any) -> Any:\n    return get_manager_factory().create_for_user(ctx)\n",
    ),
    (
        "from acme.core.compat import get_factory_compat as gfc\n",
        "def open_socket(ctx: Any) -> Any:\n    return gfc().create_for_user(ctx)\n",
    ),
    (
        "from acme.core import get_ws_factory\n",
        "def open_socket(ctx: Any) -> Any:\n    return get_ws_factory().create_for_user(ctx)\n",
    ),
    (
        "",
        "class SocketHolder:\n    def __init__(self) -> None:\n"
        "        from acme.core.ws.manager_factory import get_manager_factory\n\n"
        "        self.factory = get_manager_factory()\n\n"
        "    def open(self, ctx: Any) -> Any:\n        return self.factory.create_for_user(ctx)\n",
    ),
    (
        "from unittest import mock\n",
        "@mock.patch(\"acme.core.ws.manager_factory.get_manager_factory\")\n"
        "def test_open_socket(factory: Any) -> None:\n    factory.return_value = None\n",
    ),
    (
        "",
        "def test_patched(monkeypatch: Any) -> None:\n"
        "    monkeypatch.setattr(\"acme.core.ws.manager_factory.get_manager_factory\", lambda: None)\n",
    ),
    (
        "import importlib\n",
        "def load_factory_module() -> Any:\n    return importlib.import_module(\"acme.core.ws.manager_factory\")\n",
    ),
    (
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
        "    from acme.core.ws.manager_factory import WebSocketManagerFactory\n",
        "def is_legacy(obj: object) -> bool:\n    from acme.core.ws import manager_factory\n\n"
        "    return isinstance(obj, manager_factory.WebSocketManagerFactory)\n\n\n"
        "def accepts(factory: \"WebSocketManagerFactory\") -> None:\n    del factory\n",
    ),
    (
        "from ...core.ws.manager_factory import create_websocket_manager\n",
        "def connect(ctx: Any) -> Any:\n    return create_websocket_manager(ctx)\n",
    ),
    (
        "from acme.core.legacy_all import *  # noqa: F403\n",
        "def connect(ctx: Any) -> Any:\n    return get_manager_factory().create_for_user(ctx)  # noqa: F405\n",
    ),
    (
        "from acme.core.ws_old import create_websocket_manager\n",
        "def connect(ctx: Any) -> Any:\n    return create_websocket_manager(ctx)\n",
    ),
    (
        "import acme.core.ws.manager_factory as wsf\n",
        "def lookup() -> Any:\n    return getattr(wsf, \"get_manager_factory\")\n",
    ),
    (
        "from acme.core.ws.manager_factory import get_manager_factory\n",
        "def grandfathered(ctx: Any) -> Any:\n"
        "    return get_manager_factory().create_for_user(ctx)  # noqa: SOT002\n",
    ),
]
OTHER_FORMS: list[tuple[str, str]] = [
    (
        "from acme.core.settings import get_settings\n",
        "def timeout() -> int:\n    return int(get_settings()[\"timeout\"])\n",
    ),
    (
        "from acme.core.http import legacy_client\n",
        "def ping(url: str) -> Any:\n    return legacy_client.get(url)\n",
    ),
    (
        "from acme.core.db.session import make_session\n",
        "def transaction() -> Any:\n    with make_session() as session:\n        return session\n",
    ),
    (
        "from acme.core.cache import LegacyCache\n",
        "CACHE: LegacyCache = LegacyCache()\n",
    ),
]

MODULE = '''\
"""{title}: {noun} handling for the {domain} domain."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from acme.common.text import chunked, slugify
from acme.{domain}.{sub}.{other} import {Other}, {other_func}
{extra_imports}
logger = logging.getLogger(__name__)

DEFAULT_LIMIT = {limit}


@dataclass
class {Cls}:
    """A {noun} as stored by the {sub} layer."""

    id: int
    name: str
    tags: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def label(self) -> str:
        return f"{{self.name}} ({{self.id}})"

    def to_dict(self) -> dict[str, Any]:
        return {{"id": self.id, "name": self.name, "tags": list(self.tags)}}


def {func}(items: list[{Cls}], limit: int = DEFAULT_LIMIT) -> list[str]:
    """Labels of the first tagged items."""
    out = []
    for item in items[:limit]:
        if item.tags:
            out.append(item.label())
        else:
            logger.debug("skipping %s", item.id)
    return out


def {func}_slug(value: str) -> str:
    # Normalised before it reaches the {suffix}.
    return slugify(value.strip().lower())


def {func}_records(records: list[dict[str, Any]]) -> list[{Cls}]:
    return [{Cls}(r["id"], r["name"]) for r in records if "id" in r]


def {func}_batches(values: list[int]) -> list[list[int]]:
    return [list(batch) for batch in chunked(values, {limit})]


def {func}_other(x: int) -> Any:
    return {other_func}(x) if x > 0 else {Other}
'''


@dataclass(frozen=True)
class Monorepo:
    root: Path
    modules: int
    users: int
    """Modules using a deprecated name (the factory or one of the four other rules)."""
    sample_user: str
    sample_clean: str
    identifiers: tuple[str, ...]
    identifiers_500: tuple[str, ...]


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _toml_rules(rules: list[tuple[str, str, str]]) -> str:
    return "".join(
        f'\n[[tool.flake8-ssot.rules]]\nname = "{name}"\ndeprecated = ["{dotted}"]\nreplacement = "{replacement}"\n'
        for name, dotted, replacement in rules
    )


def _ruff_config(rules: list[tuple[str, str, str]]) -> str:
    lines = ["[lint.flake8-tidy-imports.banned-api]"]
    lines += [f'"{dotted}".msg = "use {replacement}"' for _, dotted, replacement in rules]
    return "\n".join(lines) + "\n"


def _retired_rules(rng: random.Random, count: int) -> tuple[list[tuple[str, str, str]], dict[str, list[str]]]:
    """``count`` more deprecated functions that no longer have callers (late in a migration)."""
    names = sorted({f"{v}_{n}_{q}" for v in VERBS for n in NOUNS for q in QUALIFIERS})
    rng.shuffle(names)
    rules: list[tuple[str, str, str]] = []
    modules: dict[str, list[str]] = {}
    for i, name in enumerate(names[:count]):
        module = f"acme.core.retired.batch_{i // 5:03d}"
        modules.setdefault(module, []).append(name)
        rules.append((f"retired-{i:03d}", f"{module}.{name}", "acme.core.api.v2"))
    return rules, modules


def generate_monorepo(root: Path, modules: int = 10_000, user_rate: float = 0.02) -> Monorepo:
    """Write the monorepo under ``root`` (replaced if present); same arguments, same bytes."""
    rng = random.Random(SEED)
    if root.exists():
        shutil.rmtree(root)
    per_sub = 50
    subs_needed = -(-modules // per_sub)
    domains = DOMAINS[: max(1, -(-subs_needed // len(SUBS)))]
    layout = [(d, s) for d in domains for s in SUBS][:subs_needed]
    files: dict[str, str] = {}
    names: list[tuple[str, str, str]] = []
    for d, s in layout:
        for k in range(per_sub):
            if len(names) == modules:
                break
            names.append((d, s, f"{NOUNS[k % len(NOUNS)]}_{SUFFIXES[(k // len(NOUNS) + len(s)) % len(SUFFIXES)]}_{k}"))
    users = set(rng.sample(range(len(names)), max(1, round(len(names) * user_rate))))
    form_cycle = FACTORY_FORMS * 4 + OTHER_FORMS
    sample_user = sample_clean = ""
    for i, (d, s, m) in enumerate(names):
        other = names[i - 1][2] if i and names[i - 1][:2] == (d, s) else names[i + 1][2]
        extra_imports, body = ("", "")
        if i in users:
            extra_imports, body = form_cycle[len([u for u in users if u < i]) % len(form_cycle)]
        rel = f"acme/{d}/{s}/{m}.py"
        files[rel] = MODULE.format(
            title=_camel(m), noun=m.split("_")[0], domain=d, sub=s, other=other, Other=_camel(other),
            other_func=f"{other}_slug", extra_imports=extra_imports, limit=10 + i % 90, Cls=_camel(m),
            func=m, suffix=m.split("_")[1],
        ) + (("\n\n" + body) if body else "")
        if i in users and not sample_user and "open_socket" in body:
            sample_user = rel
        if i not in users and not sample_clean and i > len(names) // 2:
            sample_clean = rel
    for d in domains:
        files[f"acme/{d}/__init__.py"] = f'"""The {d} domain."""\n'
        for s in SUBS:
            files[f"acme/{d}/{s}/__init__.py"] = ""
    # Re-exports through package __init__ files: two domains still offer the factory.
    for d in domains[:2]:
        files[f"acme/{d}/__init__.py"] += (
            "\nfrom acme.core.ws import get_manager_factory\n\n__all__ = [\"get_manager_factory\"]\n"
        )
    files.update(_core_files())
    retired, retired_modules = _retired_rules(rng, 495)
    for module, funcs in retired_modules.items():
        header = '"""Retired helpers: callers moved to acme.core.api.v2."""\n'
        files[module.replace(".", "/") + ".py"] = header + "".join(
            f"\n\ndef {f}(*args: object) -> None:\n    return None\n" for f in funcs
        )
    files["acme/core/retired/__init__.py"] = ""
    files["pyproject.toml"] = (
        '[project]\nname = "acme"\nversion = "0"\n\n[tool.flake8-ssot]\nallowlist = "ssot-allowlist.toml"\n'
        'exclude = ["generated/"]\n' + _toml_rules(RULES_5)
    )
    files["ssot-500.toml"] = (
        '[tool.flake8-ssot]\nallowlist = "ssot-allowlist.toml"\nexclude = ["generated/"]\n'
        + _toml_rules(RULES_5 + retired)
    )
    files["ssot-allowlist.toml"] = "".join(
        f'[[allow]]\npath = "{rel}"\nrule = "websocket-factory"\nreason = "owned by the {rel.split("/")[1]} team"\n\n'
        for rel in sorted(r for r in files if "open_socket" in files[r])[:10]
    )
    files["setup.cfg"] = "[flake8]\nmax-line-length = 120\n"
    files["ruff.toml"] = _ruff_config(RULES_5)
    files["ruff-500.toml"] = _ruff_config(RULES_5 + retired)
    files["generated/schema_pb2.py"] = "# Generated code, excluded from the checks.\n" * 50
    for rel, text in files.items():
        _write(root / rel, text)
    identifiers = tuple(dotted.rsplit(".", 1)[-1] for _, dotted, _ in RULES_5)
    return Monorepo(
        root=root,
        modules=len(names),
        users=len(users),
        sample_user=sample_user,
        sample_clean=sample_clean,
        identifiers=identifiers,
        identifiers_500=identifiers + tuple(dotted.rsplit(".", 1)[-1] for _, dotted, _ in retired),
    )


def _core_files() -> dict[str, str]:
    core = {
        "acme/__init__.py": '"""ACME monorepo."""\n',
        "acme/common/__init__.py": "",
        "acme/common/text.py": """
            from __future__ import annotations

            import itertools
            import re
            from collections.abc import Iterable, Iterator


            def slugify(value: str) -> str:
                return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


            def chunked(values: Iterable[int], size: int) -> Iterator[tuple[int, ...]]:
                it = iter(values)
                while batch := tuple(itertools.islice(it, size)):
                    yield batch
        """,
        "acme/core/__init__.py": """
            \"\"\"Core services.\"\"\"

            # Old spelling, kept for callers that have not migrated.
            from acme.core.ws import get_manager_factory as get_ws_factory

            __all__ = ["get_ws_factory"]
        """,
        "acme/core/ws/__init__.py": """
            \"\"\"WebSocket managers: import them from here.\"\"\"

            from acme.core.ws.manager_factory import get_manager_factory
            from acme.core.ws.unified import WebSocketManager

            __all__ = ["WebSocketManager", "get_manager_factory"]
        """,
        "acme/core/ws/unified.py": """
            from __future__ import annotations

            from dataclasses import dataclass
            from typing import Any


            @dataclass
            class WebSocketManager:
                user_context: Any

                @classmethod
                def create_for_user(cls, user_context: Any) -> WebSocketManager:
                    return cls(user_context)
        """,
        # Like real deprecated modules: a logger, typing names, the SSOT class it wraps, __all__,
        # compatibility aliases and factories returning the SSOT object. Every name it binds is
        # part of the module the rule deprecates, but only its surface can be used elsewhere.
        "acme/core/ws/manager_factory.py": """
            \"\"\"DEPRECATED: one process-wide factory; managers leak state between users.

            Use acme.core.ws.unified.WebSocketManager.create_for_user(user_context) instead.
            \"\"\"

            from __future__ import annotations

            import logging
            import os
            import threading
            import warnings
            from typing import Any, Dict, Optional

            from acme.core.ws.unified import WebSocketManager

            __all__ = [
                "WebSocketFactory",
                "WebSocketManagerFactory",
                "create_websocket_manager",
                "get_manager_factory",
                "get_websocket_manager_factory",
            ]

            logger = logging.getLogger(__name__)

            _LOCK = threading.Lock()
            _DEBUG = os.environ.get("ACME_WS_DEBUG") == "1"


            class WebSocketManagerFactory:
                \"\"\"One factory for the whole process: the managers it creates share state.\"\"\"

                def __init__(self, options: Optional[Dict[str, Any]] = None) -> None:
                    self.options: Dict[str, Any] = dict(options or {})
                    self._managers: Dict[int, WebSocketManager] = {}

                def create_for_user(self, user_context: Any) -> WebSocketManager:
                    warnings.warn(
                        "WebSocketManagerFactory is deprecated; use WebSocketManager.create_for_user",
                        DeprecationWarning,
                        stacklevel=2,
                    )
                    manager = WebSocketManager.create_for_user(user_context)
                    self._managers[id(user_context)] = manager
                    if _DEBUG:
                        logger.debug("created %r for %r", manager, user_context)
                    return manager


            _factory: Optional[WebSocketManagerFactory] = None


            def get_manager_factory() -> WebSocketManagerFactory:
                global _factory
                with _LOCK:
                    if _factory is None:
                        _factory = WebSocketManagerFactory()
                return _factory


            def create_websocket_manager(user_context: Any) -> WebSocketManager:
                return get_manager_factory().create_for_user(user_context)


            # Compatibility aliases for callers of the 1.x API.
            get_websocket_manager_factory = get_manager_factory
            WebSocketFactory = WebSocketManagerFactory
        """,
        "acme/core/compat.py": """
            \"\"\"Old import paths for half-migrated callers.\"\"\"

            from acme.core.ws.manager_factory import get_manager_factory as get_factory_compat

            __all__ = ["get_factory_compat"]
        """,
        "acme/core/legacy_all.py": """
            from acme.core.ws.manager_factory import *  # noqa: F401,F403
        """,
        "acme/core/ws_old/__init__.py": """
            # create_websocket_manager used to be re-exported here.
        """,
        "acme/core/settings.py": """
            import logging
            from typing import Dict

            from acme.core.config import Config

            logger = logging.getLogger(__name__)


            def get_settings() -> Dict[str, str]:
                \"\"\"Deprecated: use Config.load().\"\"\"
                logger.warning("get_settings() is deprecated; use Config.load()")
                return Config.load()
        """,
        "acme/core/config.py": """
            class Config:
                @classmethod
                def load(cls) -> dict[str, str]:
                    return {"timeout": "5"}
        """,
        "acme/core/http/__init__.py": "",
        "acme/core/http/legacy_client.py": """
            \"\"\"DEPRECATED: the old module-level HTTP helpers; use acme.core.http.client.HttpClient.\"\"\"

            from __future__ import annotations

            import logging
            from typing import Any, Optional

            from acme.core.http.client import HttpClient

            __all__ = ["LegacyClient", "get", "make_client", "post"]

            logger = logging.getLogger(__name__)

            _client = HttpClient()


            def get(url: str, timeout: Optional[float] = None) -> str:
                logger.debug("GET %s (timeout %s)", url, timeout)
                return _client.get(url)


            def post(url: str, data: Any = None) -> str:
                logger.debug("POST %s", url)
                return _client.get(url)


            def make_client() -> HttpClient:
                return HttpClient()


            LegacyClient = HttpClient  # compatibility alias
        """,
        "acme/core/http/client.py": """
            class HttpClient:
                def get(self, url: str) -> str:
                    return url
        """,
        "acme/core/db/__init__.py": "",
        "acme/core/db/session.py": """
            import contextlib
            from collections.abc import Iterator


            @contextlib.contextmanager
            def make_session() -> Iterator[object]:
                yield object()
        """,
        "acme/core/cache.py": """
            class Cache:
                pass


            class LegacyCache(Cache):
                pass
        """,
        "acme/core/api/__init__.py": "",
        "acme/core/api/v2.py": """
            def run(*args: object) -> None:
                return None
        """,
    }
    return {rel: textwrap.dedent(text).lstrip("\n") for rel, text in core.items()}


# -- the standard library ------------------------------------------------------------------

STDLIB_RULES = [
    ("typing-aliases", ["typing.List", "typing.Dict", "typing.Set", "typing.FrozenSet", "typing.Tuple",
                        "typing.Type", "typing.Optional", "typing.Union", "typing.Text"], "builtins"),
    ("event-loop", ["asyncio.get_event_loop"], "asyncio.get_running_loop"),
    ("imp", ["imp"], "importlib"),
    ("optparse", ["optparse"], "argparse"),
    ("asyncore", ["asyncore", "asynchat", "smtpd"], "asyncio"),
    ("cgi", ["cgi", "cgitb"], "email.message"),
    ("utcnow", ["datetime.datetime.utcnow", "datetime.datetime.utcfromtimestamp"], "datetime.datetime.now"),
    ("unittest-loaders", ["unittest.makeSuite", "unittest.findTestCases", "unittest.getTestCaseNames"],
     "unittest.TestLoader"),
    ("locale-default", ["locale.getdefaultlocale"], "locale.getlocale"),
    ("pkgutil-loaders", ["pkgutil.find_loader", "pkgutil.get_loader"], "importlib.util.find_spec"),
]


@dataclass(frozen=True)
class Stdlib:
    root: Path
    modules: int
    sample_user: str
    identifiers: tuple[str, ...]


def copy_stdlib(root: Path, *, with_tests: bool = True) -> Stdlib:
    """Copy the running interpreter's stdlib ``.py`` files under ``root`` with the broad rule set."""
    source = Path(sysconfig.get_paths()["stdlib"])
    if root.exists():
        shutil.rmtree(root)
    skipped = {"site-packages", "__pycache__"} | (set() if with_tests else {"test", "tests", "idlelib", "lib2to3"})

    def ignore(directory: str, names: list[str]) -> list[str]:
        return [
            n for n in names
            if n in skipped or (not n.endswith(".py") and not Path(directory, n).is_dir())
        ]

    shutil.copytree(source, root / "lib", ignore=ignore, symlinks=False, ignore_dangling_symlinks=True)
    ruff = ["[lint.flake8-tidy-imports.banned-api]"]
    rules = []
    for name, deprecated, replacement in STDLIB_RULES:
        listed = ", ".join(f'"{d}"' for d in deprecated)
        rules.append(
            f'\n[[tool.flake8-ssot.rules]]\nname = "{name}"\ndeprecated = [{listed}]\nreplacement = "{replacement}"\n'
        )
        ruff += [f'"{d}".msg = "use {replacement}"' for d in deprecated]
    _write(root / "pyproject.toml", '[tool.flake8-ssot]\nsrc = ["lib"]\n' + "".join(rules))
    _write(root / "ruff.toml", "\n".join(ruff) + "\n")
    # flake8 looks for its configuration upward from the cwd: stop it here, with the defaults.
    _write(root / ".flake8", "[flake8]\n")
    count = sum(1 for _ in (root / "lib").rglob("*.py"))
    return Stdlib(
        root=root,
        modules=count,
        sample_user="lib/asyncio/base_events.py",
        identifiers=tuple(sorted({d.rsplit(".", 1)[-1] for _, ds, _ in STDLIB_RULES for d in ds})),
    )


# -- a real application: Django, from PyPI ---------------------------------------------------

DJANGO_VERSION = "4.2.16"
"""Pinned: its source distribution has the package and its test suite (2,762 modules)."""

# APIs Django 4.2 itself deprecates: each is a `warnings.warn(..., RemovedInDjango50Warning or
# RemovedInDjango51Warning)` site in that release (file and line in the comment).
DJANGO_RULES = [
    # django/utils/datetime_safe.py:20 and django/utils/baseconv.py:46 (whole modules, on import)
    ("datetime-safe", ["django.utils.datetime_safe"], "datetime"),
    ("baseconv", ["django.utils.baseconv"], "django.core.signing.b62_encode"),
    # django/core/files/storage/__init__.py:34
    ("storage-class", ["django.core.files.storage.get_storage_class"], "django.core.files.storage.storages"),
    # django/utils/timezone.py:52 (module __getattr__)
    ("timezone-utc", ["django.utils.timezone.utc"], "datetime.timezone.utc"),
    # django/contrib/postgres/fields/citext.py:15 (CIText and the fields mixing it in)
    ("citext", ["django.contrib.postgres.fields.citext"], "django.db.models.CharField"),
    # django/contrib/auth/hashers.py:644, 742, 797, 848
    ("weak-hashers", ["django.contrib.auth.hashers.SHA1PasswordHasher",
                      "django.contrib.auth.hashers.UnsaltedSHA1PasswordHasher",
                      "django.contrib.auth.hashers.UnsaltedMD5PasswordHasher",
                      "django.contrib.auth.hashers.CryptPasswordHasher"],
     "django.contrib.auth.hashers.PBKDF2PasswordHasher"),
    # django/core/serializers/base.py:25
    ("pickle-serializer", ["django.core.serializers.base.PickleSerializer"], "django.core.signing.JSONSerializer"),
    # django/contrib/gis/admin/options.py:80 and django/contrib/gis/admin/widgets.py:25
    ("gis-admin", ["django.contrib.gis.admin.options.GeoModelAdmin", "django.contrib.gis.admin.options.OSMGeoAdmin",
                   "django.contrib.gis.admin.widgets.OpenLayersWidget"], "django.contrib.gis.admin.GISModelAdmin"),
    # Added to the copy (see LEGACY_STORAGE).
    ("legacy-storage", ["django.core.files.legacy_storage"], "django.core.files.storage.storages"),
]

LEGACY_STORAGE = '''\
"""Storage helpers from before STORAGES (Django < 4.2): use django.core.files.storage.storages.

Kept for third-party apps that still call them; each call warns.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any, Dict, Optional, Type

from django.core.files.storage import Storage, StorageHandler, default_storage, storages
from django.utils.deprecation import RemovedInDjango51Warning

__all__ = [
    "DefaultStorage",
    "LegacyStorageHandler",
    "default_storage_handler",
    "get_default_storage",
    "get_storage",
    "get_storage_handler",
]

logger = logging.getLogger(__name__)


class LegacyStorageHandler(StorageHandler):
    """The pre-4.2 handler, configured by DEFAULT_FILE_STORAGE and STATICFILES_STORAGE."""

    def __init__(self, backends: Optional[Dict[str, Dict[str, Any]]] = None) -> None:
        warnings.warn(
            "LegacyStorageHandler is deprecated; use django.core.files.storage.storages.",
            RemovedInDjango51Warning,
            stacklevel=2,
        )
        super().__init__(backends)


def get_storage_handler() -> StorageHandler:
    return storages


def get_storage(alias: str = "default") -> Storage:
    logger.debug("legacy storage lookup: %s", alias)
    return storages[alias]


def get_default_storage() -> Storage:
    return default_storage


def storage_class(alias: str = "default") -> Type[Storage]:
    return type(storages[alias])


# Compatibility aliases.
default_storage_handler = get_storage_handler
DefaultStorage = Storage
'''

# Uses of the added module, each appended to one real module of the copy.
LEGACY_STORAGE_USES = [
    "\n\ndef _legacy_storage_probe():\n    from django.core.files.legacy_storage import get_default_storage\n\n"
    "    return get_default_storage()\n",
    "\n\ndef _legacy_storage_probe():\n    from django.core.files import legacy_storage\n\n"
    "    return legacy_storage.get_storage(\"default\")\n",
    "\n\ndef _legacy_storage_probe():\n    import django.core.files.legacy_storage as ls\n\n"
    "    return ls.default_storage_handler()\n",
]


@dataclass(frozen=True)
class Django:
    root: Path
    modules: int
    sample_user: str
    identifiers: tuple[str, ...]


def download_django(downloads: Path) -> Path:
    """Django's pinned sdist, downloaded once with pip (into the git-ignored benchmarks/corpus/)."""
    name = f"Django-{DJANGO_VERSION}.tar.gz"
    found = sorted(downloads.glob(f"[Dd]jango-{DJANGO_VERSION}.tar.gz"))
    if found:
        return found[0]
    downloads.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", f"django=={DJANGO_VERSION}",
         "-d", str(downloads)],
        check=True, stdout=subprocess.DEVNULL,
    )
    found = sorted(downloads.glob(f"[Dd]jango-{DJANGO_VERSION}.tar.gz"))
    if not found:
        raise SystemExit(f"pip did not download {name}")
    return found[0]


def unpack_django(root: Path, downloads: Path, *, subset: str | None = None) -> Django:
    """A fresh copy of Django's sources under ``root``, with the deprecated module added and used.

    ``subset`` keeps only that directory's modules (``--quick``).
    """
    archive = download_django(downloads)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    prefix = f"{archive.name[: -len('.tar.gz')]}/"
    with tarfile.open(archive) as tar:
        members = []
        for member in tar.getmembers():
            if not member.name.startswith(prefix) or not (member.isfile() or member.isdir()):
                continue
            member.name = member.name[len(prefix):]
            if member.name.endswith(".py") and subset and not member.name.startswith(subset):
                continue
            members.append(member)
        extract: dict[str, object] = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(root, members=members, **extract)  # type: ignore[arg-type]
    _write(root / "django/core/files/legacy_storage.py", LEGACY_STORAGE)
    modules = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py"))
    users = modules[7::max(1, len(modules) // 30)]
    for i, rel in enumerate(users):
        with open(root / rel, "a", encoding="utf-8") as f:
            f.write(LEGACY_STORAGE_USES[i % len(LEGACY_STORAGE_USES)])
    rules = []
    for name, deprecated, replacement in DJANGO_RULES:
        listed = ", ".join(f'"{d}"' for d in deprecated)
        rules.append(
            f'\n[[tool.flake8-ssot.rules]]\nname = "{name}"\ndeprecated = [{listed}]\nreplacement = "{replacement}"\n'
        )
    with open(root / "pyproject.toml", "a", encoding="utf-8") as f:
        f.write("\n[tool.flake8-ssot]\n" + "".join(rules))
    return Django(
        root=root,
        modules=len(modules),
        sample_user=users[len(users) // 2],
        identifiers=tuple(sorted({d.rsplit(".", 1)[-1] for _, ds, _ in DJANGO_RULES for d in ds})),
    )


# -- real applications from wheels: a large one and a medium one -----------------------------

ANSIBLE_VERSION = "12.3.0"
"""Pinned: the community package, 47 namespaces of collections (15,259 modules), for ansible-core 2.19."""

# APIs ansible-core 2.19 (which ansible 12 requires) deprecates and the collections still use,
# and Python 2 leftovers they still import (deprecations of 2.19 no collection uses, such as
# the re-exports of ansible.module_utils.basic, are left out). ansible-core itself is not in the
# wheel, so these modules' sources are absent: the rules match by dotted name, as ruff's do.
ANSIBLE_RULES = [
    # ansible/module_utils/_text.py: ".. warn:: Use ansible.module_utils.common.text.converters instead."
    ("text-shim", ["ansible.module_utils._text"], "ansible.module_utils.common.text.converters"),
    # ansible/module_utils/common/_collections_compat.py: "exists only for backwards compatibility"
    ("collections-compat", ["ansible.module_utils.common._collections_compat"], "collections.abc"),
    # the vendored six: Python 2 compatibility in a Python 3 only codebase
    ("six", ["ansible.module_utils.six"], "builtins"),
    # ansible/module_utils/common/collections.py:106, validation.py:41, compat/paramiko.py:33
    ("collections-count", ["ansible.module_utils.common.collections.count"], "collections.Counter"),
    ("safe-eval", ["ansible.module_utils.common.validation.safe_eval"], "ast.literal_eval"),
    ("paramiko-compat", ["ansible.module_utils.compat.paramiko.paramiko",
                         "ansible.module_utils.compat.paramiko.PARAMIKO_IMPORT_ERR"], "paramiko"),
    # removed from the standard library in Python 3.12
    ("distutils", ["distutils"], "sysconfig"),
    ("imp", ["imp"], "importlib"),
]

WAGTAIL_VERSION = "2.7"
"""Pinned: a medium Django application (769 modules) from before Django 3.0 deprecated the
``u``-prefixed translation functions; 73 of its modules import ``ugettext_lazy as _``."""

WAGTAIL_RULES = [
    # Deprecated by Django 3.0 (RemovedInDjango40Warning), removed in 4.0.
    ("ugettext", [f"django.utils.translation.{n}" for n in (
        "ugettext_lazy", "ugettext", "ugettext_noop", "ungettext", "ungettext_lazy")],
     "django.utils.translation.gettext_lazy"),
]


@dataclass(frozen=True)
class Application:
    root: Path
    modules: int
    sample_user: str
    identifiers: tuple[str, ...]


def download_wheel(name: str, version: str, downloads: Path) -> Path:
    """The pinned wheel, downloaded once with ``pip download --no-deps`` (into the git-ignored corpus folder)."""
    pattern = f"{name.replace('-', '_')}-{version}-*.whl"
    found = sorted(downloads.glob(pattern))
    if not found:
        downloads.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", f"{name}=={version}",
             "-d", str(downloads)],
            check=True, stdout=subprocess.DEVNULL,
        )
        found = sorted(downloads.glob(pattern))
    if not found:
        raise SystemExit(f"pip did not download {name} {version}")
    return found[0]


def unpack_wheel(
    name: str, version: str, root: Path, downloads: Path, rules: list[tuple[str, list[str], str]], sample: str
) -> Application:
    """A fresh copy of a wheel's ``.py`` files under ``root``, configured with ``rules``."""
    import zipfile

    archive = download_wheel(name, version, downloads)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    with zipfile.ZipFile(archive) as wheel:
        wheel.extractall(root, members=[m for m in wheel.namelist() if m.endswith(".py") and ".." not in m])
    blocks = []
    ruff = ["[lint.flake8-tidy-imports.banned-api]"]
    for rule, deprecated, replacement in rules:
        listed = ", ".join(f'"{d}"' for d in deprecated)
        blocks.append(
            f'\n[[tool.flake8-ssot.rules]]\nname = "{rule}"\ndeprecated = [{listed}]\nreplacement = "{replacement}"\n'
        )
        ruff += [f'"{d}".msg = "use {replacement}"' for d in deprecated]
    _write(root / "pyproject.toml", "[tool.flake8-ssot]\n" + "".join(blocks))
    _write(root / "ruff.toml", "\n".join(ruff) + "\n")
    # flake8 looks for its configuration upward from the cwd: stop it here, with the defaults.
    _write(root / ".flake8", "[flake8]\n")
    modules = sum(1 for _ in root.rglob("*.py"))
    return Application(
        root=root,
        modules=modules,
        sample_user=sample,
        identifiers=tuple(sorted({d.rsplit(".", 1)[-1] for _, ds, _ in rules for d in ds})),
    )


def unpack_ansible(root: Path, downloads: Path) -> Application:
    return unpack_wheel("ansible", ANSIBLE_VERSION, root, downloads, ANSIBLE_RULES,
                        "ansible_collections/community/general/plugins/modules/pip_package_info.py")


def unpack_wagtail(root: Path, downloads: Path) -> Application:
    return unpack_wheel("wagtail", WAGTAIL_VERSION, root, downloads, WAGTAIL_RULES, "wagtail/core/models.py")
