"""`flake8-ssot discover` and `discover = true`: the deprecations the code declares itself."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import run_cli, settle, write_tree
from flake8_ssot.config import load_config
from flake8_ssot.declarations import render, replacement_named
from flake8_ssot.derived_rules import rule_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

Cli = Callable[..., tuple[int, str, str]]

SUPPORT = {
    "app/__init__.py": "",
    "app/errors.py": """
        class RemovedInV2(DeprecationWarning):
            pass


        class RemovedInV3(RemovedInV2):
            pass


        class Noisy(UserWarning):
            pass
    """,
    "app/new.py": """
        def get_logger():
            return 1


        class Manager:
            @classmethod
            def create(cls):
                return cls()
    """,
}


def discover(ssot: Cli, root: Path, *args: str) -> list[str]:
    code, out, err = ssot("discover", *args, cwd=root)
    assert (code, err) == (0, ""), err
    return out.splitlines()


def lines_for(ssot: Cli, tmp_path: Path, source: str) -> list[str]:
    write_tree(tmp_path, {**SUPPORT, "app/mod.py": source})
    return discover(ssot, tmp_path, "app/mod.py")[:-1]


FLAGGED = [
    pytest.param("""
        import warnings


        def f():
            warnings.warn("f is deprecated", DeprecationWarning)
    """, ["app/mod.py:5: function app.mod.f: f is deprecated"], id="warnings.warn-positional-category"),
    pytest.param("""
        import warnings


        def f():
            warnings.warn("f is deprecated", category=PendingDeprecationWarning, stacklevel=2)
    """, ["app/mod.py:5: function app.mod.f: f is deprecated"], id="category-keyword-pending"),
    pytest.param("""
        import warnings


        def f():
            warnings.warn(message="soon", category=FutureWarning)
    """, ["app/mod.py:5: function app.mod.f: soon"], id="future-warning-message-keyword"),
    pytest.param("""
        from warnings import warn as _w


        def f():
            _w("f is deprecated", DeprecationWarning)
    """, ["app/mod.py:5: function app.mod.f: f is deprecated"], id="from-warnings-import-warn-as"),
    pytest.param("""
        import warnings as W


        async def f():
            W.warn("f is deprecated", DeprecationWarning)
    """, ["app/mod.py:5: function app.mod.f: f is deprecated"], id="import-warnings-as-async-def"),
    pytest.param("""
        def f():
            import warnings

            warnings.warn("f is deprecated", DeprecationWarning)
    """, ["app/mod.py:4: function app.mod.f: f is deprecated"], id="function-local-import"),
    pytest.param("""
        import warnings

        from app.errors import RemovedInV2


        def f():
            warnings.warn("f goes in v2", RemovedInV2)
    """, ["app/mod.py:7: function app.mod.f: f goes in v2"], id="project-subclass"),
    pytest.param("""
        import warnings

        from app import errors


        def f():
            warnings.warn("f goes in v3", errors.RemovedInV3)
    """, ["app/mod.py:7: function app.mod.f: f goes in v3"], id="project-subclass-of-subclass-via-module"),
    pytest.param("""
        import warnings


        class Gone(FutureWarning):
            pass


        def f():
            warnings.warn("f is going", Gone)
    """, ["app/mod.py:9: function app.mod.f: f is going"], id="subclass-defined-in-the-same-file"),
    pytest.param("""
        import warnings


        def f():
            warnings.warn(DeprecationWarning("f is deprecated"))
    """, ["app/mod.py:5: function app.mod.f: f is deprecated"], id="warning-instance"),
    pytest.param("""
        import warnings


        class C:
            def m(self):
                warnings.warn("m is deprecated", DeprecationWarning)
    """, ["app/mod.py:6: method app.mod.C.m: m is deprecated"], id="method"),
    pytest.param("""
        import warnings


        class C:
            class Inner:
                @staticmethod
                def m():
                    warnings.warn("m is deprecated", DeprecationWarning)
    """, ["app/mod.py:8: method app.mod.C.Inner.m: m is deprecated"], id="method-of-nested-class"),
    pytest.param("""
        import warnings


        class C:
            def __init__(self):
                warnings.warn("C is deprecated", DeprecationWarning)
    """, ["app/mod.py:6: class app.mod.C: C is deprecated"], id="class-init"),
    pytest.param("""
        import warnings


        class C:
            def __new__(cls):
                warnings.warn("C is deprecated", DeprecationWarning)
                return super().__new__(cls)
    """, ["app/mod.py:6: class app.mod.C: C is deprecated"], id="class-new"),
    pytest.param("""
        import warnings


        class Base:
            def __init_subclass__(cls, **kwargs):
                warnings.warn("subclassing Base is deprecated", DeprecationWarning)
    """, ["app/mod.py:6: class app.mod.Base: subclassing Base is deprecated"], id="class-init-subclass"),
    pytest.param("""
        import warnings

        warnings.warn("app.mod is deprecated", DeprecationWarning, stacklevel=2)
    """, ["app/mod.py:3: module app.mod: app.mod is deprecated"], id="module-top-level"),
    pytest.param("""
        import warnings

        with open(__file__):
            try:
                warnings.warn("app.mod is deprecated", DeprecationWarning)
            finally:
                pass
    """, ["app/mod.py:5: module app.mod: app.mod is deprecated"], id="module-top-level-under-with-try"),
    pytest.param("""
        import warnings

        DEPRECATED = "app.mod is deprecated, use 'app.new' instead"
        warnings.warn(DEPRECATED, DeprecationWarning)
    """, ["app/mod.py:4: module app.mod -> app.new: app.mod is deprecated, use 'app.new' instead"],
        id="message-in-a-module-constant"),
    pytest.param("""
        import warnings

        warnings.warn(f"module {__name__} is deprecated", DeprecationWarning)
    """, ["app/mod.py:3: module app.mod: module app.mod is deprecated"], id="message-naming-the-module"),
    pytest.param("""
        from warnings import _deprecated

        _MSG = "The {name} module is deprecated and will be removed in Python {remove}. Use app.new"
        _deprecated(__name__, _MSG, remove=(3, 12))
    """, ["app/mod.py:4: module app.mod -> app.new: The app.mod module is deprecated and will be removed in"
          " Python 3.12. Use app.new"], id="stdlib-warnings-_deprecated"),
    pytest.param("""
        import warnings

        warnings._deprecated("app.mod", remove=(3, 13))
    """, ["app/mod.py:3: module app.mod: 'app.mod' is deprecated and slated for removal in Python 3.13"],
        id="stdlib-warnings-_deprecated-default-message"),
    pytest.param("""
        import warnings


        def f(x, user_id=None):
            if user_id is not None:
                warnings.warn("user_id is deprecated", DeprecationWarning)
            return x
    """, ["app/mod.py:6: argument app.mod.f(user_id): user_id is deprecated"], id="argument-is-not-none"),
    pytest.param("""
        import warnings


        class C:
            def run(self, extra=None, *, other=False, **kwargs):
                if extra is None:
                    extra = []
                else:
                    warnings.warn("extra is deprecated", DeprecationWarning)
                if other:
                    warnings.warn("other is deprecated", DeprecationWarning)
                if "legacy" in kwargs:
                    warnings.warn("legacy is deprecated", DeprecationWarning)
    """, [
        "app/mod.py:9: argument app.mod.C.run(extra): extra is deprecated",
        "app/mod.py:11: argument app.mod.C.run(other): other is deprecated",
        "app/mod.py:13: argument app.mod.C.run(legacy): legacy is deprecated",
    ], id="argument-else-of-is-none-truthiness-kwargs"),
    pytest.param("""
        import warnings

        _MISSING = object()


        class C:
            def __init__(self, *, legacy=_MISSING):
                if legacy is not _MISSING:
                    warnings.warn("legacy is deprecated", DeprecationWarning)
    """, ["app/mod.py:9: argument app.mod.C(legacy): legacy is deprecated"], id="argument-of-init-sentinel"),
    pytest.param("""
        import warnings


        def __getattr__(name):
            if name in ("old_a", "old_b"):
                warnings.warn(f"{name} is deprecated", DeprecationWarning)
                return 1
            raise AttributeError(name)
    """, [
        "app/mod.py:6: name app.mod.old_a: old_a is deprecated",
        "app/mod.py:6: name app.mod.old_b: old_b is deprecated",
    ], id="module-getattr-shim"),
    pytest.param("""
        import warnings
        from datetime import timezone


        def __getattr__(name):
            if name != "utc":
                raise AttributeError(name)
            warnings.warn("utc is deprecated, use datetime.timezone.utc instead", DeprecationWarning)
            return timezone.utc
    """, ["app/mod.py:8: name app.mod.utc -> datetime.timezone.utc: utc is deprecated, use datetime.timezone.utc"
          " instead"], id="module-getattr-guard-clause"),
    pytest.param("""
        import warnings


        @warnings.deprecated("use app.new.get_logger")
        def f():
            pass
    """, ["app/mod.py:4: function app.mod.f -> app.new.get_logger: use app.new.get_logger"], id="pep702-warnings"),
    pytest.param("""
        from typing_extensions import deprecated as gone


        @gone("Old is deprecated", category=None)
        class Old:
            pass
    """, ["app/mod.py:4: class app.mod.Old: Old is deprecated"], id="pep702-typing-extensions-alias-class"),
    pytest.param("""
        from deprecated import deprecated


        class C:
            @deprecated
            def m(self):
                pass
    """, ["app/mod.py:5: method app.mod.C.m"], id="deprecated-package-bare-on-method"),
    pytest.param("""
        from deprecated.classic import deprecated as dep


        @dep(reason="too slow", version="1.2")
        def f():
            pass
    """, ["app/mod.py:4: function app.mod.f: too slow"], id="deprecated-classic-alias"),
    pytest.param("""
        import deprecated.sphinx


        @deprecated.sphinx.deprecated(version="1.2", reason="use `app.new.Manager`")
        class Old:
            pass
    """, ["app/mod.py:4: class app.mod.Old -> app.new.Manager: use `app.new.Manager`"], id="deprecated-sphinx-dotted"),
    pytest.param("""
        import warnings

        from app.errors import RemovedInV2

        PHASE = 2


        def f():
            if PHASE >= 2:
                warnings.warn("f is deprecated", RemovedInV2)
    """, ["app/mod.py:10: function app.mod.f: f is deprecated"], id="under-a-condition-on-a-module-setting"),
    pytest.param("""
        import warnings

        from app.new import PHASE

        if PHASE >= 2 and not QUIET:
            warnings.warn("app.mod is deprecated", DeprecationWarning)
    """, ["app/mod.py:6: module app.mod: app.mod is deprecated"], id="module-under-a-condition-on-a-project-setting"),
    pytest.param("""
        def f():
            warnings.warn("f is deprecated, use g()", DeprecationWarning)


        def g():
            pass
    """, ["app/mod.py:2: function app.mod.f -> app.mod.g: f is deprecated, use g()"], id="warnings-never-imported"),
    pytest.param("""
        import warnings


        class Field:
            def __init__(self, *args, name=None):
                if args:
                    warnings.warn("Passing positional arguments to Field is deprecated.", DeprecationWarning)
    """, ["app/mod.py:7: positional app.mod.Field(*): Passing positional arguments to Field is deprecated."],
        id="star-args-passed-django-keyword-only"),
    pytest.param("""
        import warnings


        def configure(*names, **options):
            if len(names) > 0:
                warnings.warn("names are deprecated", DeprecationWarning)
            if len(options) >= 1:
                warnings.warn("options are deprecated", FutureWarning)
    """, ["app/mod.py:6: positional app.mod.configure(*): names are deprecated",
          "app/mod.py:8: keywords app.mod.configure(**): options are deprecated"], id="len-of-star-args-and-kwargs"),
    pytest.param("""
        import warnings


        class PeriodIndex:
            def __new__(cls, data=None, **fields):
                valid_field_set = {"year", "month"}
                if not set(fields).issubset(valid_field_set):
                    raise TypeError("unexpected keyword")
                elif len(fields):
                    warnings.warn("Constructing PeriodIndex from fields is deprecated. "
                                  "Use PeriodIndex.from_fields instead.", FutureWarning)

            @classmethod
            def from_fields(cls, **fields):
                pass
    """, [
        "app/mod.py:10: argument app.mod.PeriodIndex(month) -> app.mod.PeriodIndex.from_fields: "
        "Constructing PeriodIndex from fields is deprecated. Use PeriodIndex.from_fields instead.",
        "app/mod.py:10: argument app.mod.PeriodIndex(year) -> app.mod.PeriodIndex.from_fields: "
        "Constructing PeriodIndex from fields is deprecated. Use PeriodIndex.from_fields instead.",
    ], id="kwargs-keys-checked-against-a-set-pandas-period-index"),
    pytest.param("""
        import warnings

        NO_DEFAULT = object()


        class Frame:
            def groupby(self, by=None, axis=NO_DEFAULT):
                if axis is not NO_DEFAULT:
                    if axis == 1:
                        warnings.warn("groupby with axis=1 is deprecated", FutureWarning)
                    else:
                        warnings.warn("the 'axis' keyword is deprecated", FutureWarning)
    """, ["app/mod.py:10: argument app.mod.Frame.groupby(axis): groupby with axis=1 is deprecated"],
        id="argument-under-a-test-of-its-own-value"),
    pytest.param("""
        import warnings


        def replace(value, method=None, limit=None):
            if method is not None:
                warnings.warn("the 'method' keyword is deprecated", FutureWarning)
            elif limit is not None:
                warnings.warn("the 'limit' keyword is deprecated", FutureWarning)
    """, ["app/mod.py:6: argument app.mod.replace(method): the 'method' keyword is deprecated",
          "app/mod.py:8: argument app.mod.replace(limit): the 'limit' keyword is deprecated"],
        id="argument-in-the-elif-of-another-argument"),
    pytest.param("""
        import warnings


        class Grouper:
            def __init__(self, key=None, axis=None):
                if type(self) is Grouper:
                    if axis is not None:
                        warnings.warn("Grouper axis keyword is deprecated", FutureWarning)
    """, ["app/mod.py:8: argument app.mod.Grouper(axis): Grouper axis keyword is deprecated"],
        id="argument-of-the-class-itself-not-a-subclass"),
    pytest.param("""
        import warnings


        def f(kind):
            if kind not in ("a", "b"):
                raise ValueError(kind)
            else:
                warnings.warn("f is deprecated", DeprecationWarning)
    """, ["app/mod.py:8: function app.mod.f: f is deprecated"], id="else-of-a-guard-that-raises"),
]

NOT_FLAGGED = [
    pytest.param("""
        import warnings


        def f():
            warnings.warn("careful", UserWarning)
    """, id="user-warning"),
    pytest.param("""
        import warnings


        class QuerySet:
            def iterator(self, chunk_size=None):
                if self._prefetch and chunk_size is None:
                    warnings.warn("iterator() without chunk_size is deprecated", DeprecationWarning)
    """, id="warning-under-a-condition-deprecates-a-usage"),
    pytest.param("""
        import sys
        import warnings

        if sys.version_info < (3, 8):
            warnings.warn("old Pythons are deprecated", DeprecationWarning)
    """, id="module-warning-under-a-condition"),
    pytest.param("""
        import sys
        import warnings


        def f():
            if sys.version_info >= (3, 12):
                warnings.warn("f is deprecated on 3.12", DeprecationWarning)
    """, id="warning-under-a-condition-on-where-it-runs"),
    pytest.param("""
        import warnings

        from django.conf import LEGACY


        class C:
            def m(self, *args):
                if len(args) == 2:
                    warnings.warn("m is deprecated", DeprecationWarning)
                if LEGACY:
                    warnings.warn("m is deprecated", DeprecationWarning)
                if self.legacy:
                    warnings.warn("m is deprecated", DeprecationWarning)
    """, id="warnings-under-conditions-on-the-call-or-another-package"),
    pytest.param("""
        import warnings


        class Frame:
            def fillna(self, value=None, inplace=False):
                if inplace:
                    if not self._is_copy:
                        warnings.warn("chained assignment: behaviour will change", FutureWarning)
                    if value == 0 and self.flags:
                        warnings.warn("chained assignment: behaviour will change", FutureWarning)
                    if len(self) > 2:
                        warnings.warn("chained assignment: behaviour will change", FutureWarning)


        def validate(periods=None):
            if periods is not None:
                if isinstance(periods, float):
                    warnings.warn("non-integer periods are deprecated", FutureWarning)
    """, id="argument-check-then-a-condition-on-something-else-pandas-inplace"),
    pytest.param("""
        import warnings


        class Manager:
            def setitem(self, indexer, value, warn=True):
                if warn:
                    warnings.warn("setting on a view will change", FutureWarning)


        def downcast_check(downcast, method_name):
            if downcast is not None:
                warnings.warn(f"The 'downcast' keyword in {method_name} is deprecated", FutureWarning)
    """, id="flag-asking-for-the-warning-or-a-message-about-the-caller"),
    pytest.param("""
        warnings = []


        def f():
            warnings.warn("f is deprecated", DeprecationWarning)
    """, id="warnings-bound-to-something-else"),
    pytest.param("""
        import warnings

        try:
            import fast
        except ImportError:
            warnings.warn("install fast", DeprecationWarning)
    """, id="module-warning-in-except"),
    pytest.param("""
        import warnings


        def set_name(task, name=None):
            if name is not None:
                try:
                    task.set_name(name)
                except AttributeError:
                    warnings.warn("set_name will be required", DeprecationWarning)
    """, id="argument-check-then-except-fallback"),
    pytest.param("""
        import warnings


        def f():
            warnings.warn("careful")
    """, id="no-category"),
    pytest.param("""
        import warnings

        from app.errors import Noisy


        def f():
            warnings.warn("careful", Noisy)
    """, id="project-user-warning-subclass"),
    pytest.param("""
        import warnings


        def outer():
            def inner():
                warnings.warn("inner is deprecated", DeprecationWarning)

            return inner
    """, id="nested-def-warns"),
    pytest.param("""
        import warnings


        def f():
            return lambda: warnings.warn("deprecated", DeprecationWarning)
    """, id="lambda-warns"),
    pytest.param("""
        import logging

        log = logging.getLogger(__name__)


        class C:
            def warn(self, message, category):
                pass

            def m(self):
                self.warn("m is deprecated", DeprecationWarning)
                log.warn("m is deprecated", DeprecationWarning)
    """, id="warn-that-is-not-warnings-warn"),
    pytest.param("""
        def warn(message, category):
            pass


        def f():
            warn("f is deprecated", DeprecationWarning)
    """, id="own-warn-function"),
    pytest.param("""
        from mylib import deprecated


        @deprecated("f is deprecated")
        def f():
            pass
    """, id="other-deprecated-decorator"),
    pytest.param("""
        import warnings


        def f(
            warnings.warn("broken", DeprecationWarning)
    """, id="syntax-error"),
    pytest.param("""
        import warnings


        def f():
            # warnings.warn("deprecated", DeprecationWarning) -- only in a comment
            return "deprecated"
    """, id="comment-and-string"),
]


@pytest.mark.parametrize(("source", "expected"), FLAGGED)
def test_declaration_forms(ssot: Cli, tmp_path: Path, source: str, expected: list[str]) -> None:
    assert lines_for(ssot, tmp_path, source) == expected


@pytest.mark.parametrize("source", NOT_FLAGGED)
def test_not_declarations(ssot: Cli, tmp_path: Path, source: str) -> None:
    assert lines_for(ssot, tmp_path, source) == []


def test_class_with_a_deprecated_method_is_not_itself_deprecated(ssot: Cli, tmp_path: Path) -> None:
    assert lines_for(ssot, tmp_path, """
        import warnings


        class C:
            def __init__(self):
                self.x = 1

            def helper(self):
                warnings.warn("helper is deprecated", DeprecationWarning)
    """) == ["app/mod.py:9: method app.mod.C.helper: helper is deprecated"]


@pytest.mark.parametrize(("call", "message"), [
    pytest.param('"plain"', "plain", id="constant"),
    pytest.param('"a" "b"', "ab", id="implicit-concatenation"),
    pytest.param('f"{name}() is deprecated, use {new!r}"', "{name}() is deprecated, use {new}", id="f-string"),
    pytest.param('"%s is deprecated, use %s" % (name, "g()")', "{name} is deprecated, use g()", id="percent-tuple"),
    pytest.param('"%(old)s is gone" % {"old": "f"}', "f is gone", id="percent-dict"),
    pytest.param('"100%% gone: %s" % name', "100% gone: {name}", id="percent-escape"),
    pytest.param('"{} is deprecated, use {new}".format(name, new="g")', "{name} is deprecated, use g", id="format"),
    pytest.param('"{0} {1}".format(name)', "{0} {1}", id="format-missing-argument"),
    pytest.param('"f is " + "gone"', "f is gone", id="concatenation"),
    pytest.param("MESSAGE", "{MESSAGE}", id="a-name"),
    pytest.param("messages[0]", "{messages[0]}", id="an-expression"),
])
def test_messages_render(call: str, message: str) -> None:
    import ast

    node = ast.parse(call, mode="eval").body
    assert render(node) == message


def test_message_from_a_local_variable(ssot: Cli, tmp_path: Path) -> None:
    assert lines_for(ssot, tmp_path, """
        import warnings


        def f(name):
            msg = f"{name} is deprecated; use app.new.get_logger"
            warnings.warn(msg, DeprecationWarning)
    """) == ["app/mod.py:6: function app.mod.f -> app.new.get_logger: {name} is deprecated; use app.new.get_logger"]


@pytest.mark.parametrize(("message", "named"), [
    pytest.param("app.logging_config is deprecated. Use 'from shared.logging.ssot import get_logger' instead.",
                 "shared.logging.ssot.get_logger", id="from-import"),
    pytest.param("Use 'shared.Manager' instead", "shared.Manager", id="use-quoted-instead"),
    pytest.param("use create_manager() instead", "create_manager", id="use-call"),
    pytest.param("Please use `Manager.create` from now on", "Manager.create", id="use-backticks"),
    pytest.param("replaced by core.ws.Manager", "core.ws.Manager", id="replaced-by"),
    pytest.param("deprecated in favour of NewThing", "NewThing", id="in-favour-of"),
    pytest.param("core.ws.Manager instead, please", "core.ws.Manager", id="dotted-before-instead"),
    pytest.param("use 'iterate'", "iterate", id="quoted-plain-word"),
    pytest.param("The recommended replacement is asyncio", "asyncio", id="replacement-is-plain-word"),
    pytest.param("deprecated in favour of importlib", "importlib", id="in-favour-of-plain-word"),
    pytest.param("deprecated in favor of using app.storage.storages.", "app.storage.storages",
                 id="in-favor-of-using"),
    pytest.param("replaced by the new API", "", id="strong-lead-then-prose"),
    pytest.param("use keyword arguments", "", id="prose"),
    pytest.param("use the new API", "", id="prose-with-the"),
    pytest.param("{name} is deprecated, use {new}", "", id="only-placeholders"),
    pytest.param("f is deprecated", "", id="none"),
])
def test_replacement_named(message: str, named: str) -> None:
    assert replacement_named(message)[0] == named


RESOLUTION = [
    pytest.param("Use 'from app.new import get_logger' instead.", "-> app.new.get_logger", id="from-import"),
    pytest.param("use app.new.Manager.create instead", "-> app.new.Manager.create", id="dotted-method"),
    pytest.param("use get_logger() instead", "-> app.new.get_logger", id="imported-name"),
    pytest.param("use g() instead", "-> app.mod.g", id="same-module"),
    pytest.param("use `new.Manager`", "-> app.new.Manager", id="through-an-imported-module"),
    pytest.param("use textwrap.dedent", "-> textwrap.dedent", id="standard-library"),
    pytest.param("use 'app.new.Missing' instead", "-> app.new.Missing? (unresolved)", id="missing-name"),
    pytest.param("use app.new.Manager.default instead", "-> app.new.Manager.default",
                 id="class-attribute-the-body-does-not-show"),
    pytest.param("use Missing() instead", "-> Missing? (unresolved)", id="missing-bare-name"),
    pytest.param("use 'nowhere.thing' instead", "-> nowhere.thing? (unresolved)", id="missing-module"),
    pytest.param("use f() instead", "-> f? (unresolved)", id="itself-is-no-replacement"),
    pytest.param("use keyword arguments", "", id="none"),
]


@pytest.mark.parametrize(("message", "shown"), RESOLUTION)
def test_replacement_resolution(ssot: Cli, tmp_path: Path, message: str, shown: str) -> None:
    source = f"""
        import warnings

        from app import new
        from app.new import get_logger


        def f():
            warnings.warn({message!r}, DeprecationWarning)


        def g():
            pass
    """
    target = f" {shown}" if shown else ""
    assert lines_for(ssot, tmp_path, source) == [f"app/mod.py:8: function app.mod.f{target}: {message}"]


RESOLVED_AS_PYTHON_DOES = [
    pytest.param({
        "app/other.py": "class DjangoTemplates:\n    pass\n",
        "app/mod.py": """
            import warnings

            from app.other import DjangoTemplates


            class DjangoTemplates(DjangoTemplates):
                pass


            class DivRenderer(DjangoTemplates):
                def __init__(self):
                    warnings.warn("DivRenderer is deprecated. Use DjangoTemplates instead.", DeprecationWarning)
        """,
    }, ["app/mod.py:12: class app.mod.DivRenderer -> app.mod.DjangoTemplates: "
        "DivRenderer is deprecated. Use DjangoTemplates instead."], id="own-class-defined-after-an-import-of-its-name"),
    pytest.param({
        "app/mod.py": """
            import warnings

            try:
                from app.new import Manager
            except ImportError:
                class Manager:
                    pass


            def f():
                warnings.warn("use Manager instead", DeprecationWarning)
        """,
    }, ["app/mod.py:11: function app.mod.f -> app.new.Manager: use Manager instead"],
        id="fallback-class-does-not-replace-the-import"),
    pytest.param({
        "app/mod.py": """
            import warnings


            class Base:
                def new(self):
                    pass


            class Mid(Base):
                def old(self):
                    warnings.warn("use Sub.new() instead", DeprecationWarning)

                def older(self):
                    warnings.warn("use Sub.missing() instead", DeprecationWarning)

                def oldest(self):
                    warnings.warn("use Cousin.new() instead", DeprecationWarning)
        """,
        "app/sub.py": """
            from app.mod import Base, Mid


            class Sub(Mid):
                pass


            class Cousin(Base):
                pass
        """,
    }, ["app/mod.py:11: method app.mod.Mid.old -> app.mod.Base.new: use Sub.new() instead",
        "app/mod.py:14: method app.mod.Mid.older -> Sub.missing? (unresolved): use Sub.missing() instead",
        "app/mod.py:17: method app.mod.Mid.oldest -> Cousin.new? (unresolved): use Cousin.new() instead"],
        id="subclass-method-inherited-from-the-warning-class-or-a-base"),
]


@pytest.mark.parametrize(("files", "expected"), RESOLVED_AS_PYTHON_DOES)
def test_replacement_resolves_as_python_does(ssot: Cli, tmp_path: Path, files: dict[str, str],
                                             expected: list[str]) -> None:
    write_tree(tmp_path, {**SUPPORT, **files})
    assert discover(ssot, tmp_path, "app/mod.py")[:-1] == expected


def test_replacement_method_of_the_same_class(ssot: Cli, tmp_path: Path) -> None:
    assert lines_for(ssot, tmp_path, """
        import warnings


        class C:
            def old(self):
                warnings.warn("use other() instead", DeprecationWarning)

            def other(self):
                pass
    """) == ["app/mod.py:6: method app.mod.C.old -> app.mod.C.other: use other() instead"]


def test_replacement_prefers_a_sibling_method_to_a_module_function(ssot: Cli, tmp_path: Path) -> None:
    assert lines_for(ssot, tmp_path, """
        import warnings


        def warning():
            pass


        class Logger:
            def warn(self):
                warnings.warn("use 'warning' instead", DeprecationWarning)

            def warning(self):
                pass
    """) == ["app/mod.py:10: method app.mod.Logger.warn -> app.mod.Logger.warning: use 'warning' instead"]


# -- the whole command --------------------------------------------------------------------

PROJECT = {
    **SUPPORT,
    "app/logging_config.py": """
        import warnings

        warnings.warn(
            "app.logging_config is deprecated. Use 'from app.new import get_logger' instead.",
            DeprecationWarning,
            stacklevel=2,
        )


        def configure():
            pass
    """,
    "app/ws.py": """
        import warnings

        from app.errors import RemovedInV2


        def create_websocket_manager(user_id=None):
            if user_id is not None:
                warnings.warn("user_id is deprecated; pass a context", DeprecationWarning)
            warnings.warn("create_websocket_manager is deprecated; use app.new.Manager.create", RemovedInV2)


        def make_manager():
            warnings.warn("make_manager is deprecated; use app.new.Manager.create", DeprecationWarning)


        class Legacy:
            def __init__(self):
                warnings.warn('Legacy: "quoted" \\\\ and ünïcode 🚀\\nsecond line', DeprecationWarning)


        def helper():
            warnings.warn("helper will go; use 'app.new.Gone' instead", FutureWarning)
    """,
    "app/use.py": """
        from app import logging_config
        from app.ws import Legacy, create_websocket_manager, helper, make_manager


        def run():
            logging_config.configure()
            create_websocket_manager()
            make_manager()
            helper()
            return Legacy()
    """,
}

TEXT = [
    "app/logging_config.py:3: module app.logging_config -> app.new.get_logger: app.logging_config is deprecated."
    " Use 'from app.new import get_logger' instead.",
    "app/ws.py:8: argument app.ws.create_websocket_manager(user_id): user_id is deprecated; pass a context",
    "app/ws.py:9: function app.ws.create_websocket_manager -> app.new.Manager.create:"
    " create_websocket_manager is deprecated; use app.new.Manager.create",
    "app/ws.py:13: function app.ws.make_manager -> app.new.Manager.create:"
    " make_manager is deprecated; use app.new.Manager.create",
    'app/ws.py:18: class app.ws.Legacy: Legacy: "quoted" \\ and ünïcode 🚀 second line',
    "app/ws.py:22: function app.ws.helper -> app.new.Gone? (unresolved): helper will go; use 'app.new.Gone' instead",
    "6 deprecation(s) declared in 2 file(s), 3 with a resolved replacement",
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    write_tree(root, PROJECT)
    return root


def test_text_without_configuration(ssot: Cli, project: Path) -> None:
    assert discover(ssot, project) == TEXT


def test_text_from_a_subdirectory_shows_paths_from_there(ssot: Cli, project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.flake8-ssot]\n")
    assert discover(ssot, project / "app", "ws.py")[:2] == [
        "ws.py:8: argument app.ws.create_websocket_manager(user_id): user_id is deprecated; pass a context",
        "ws.py:9: function app.ws.create_websocket_manager -> app.new.Manager.create:"
        " create_websocket_manager is deprecated; use app.new.Manager.create",
    ]


def test_json(ssot: Cli, project: Path) -> None:
    code, out, err = ssot("discover", "--format", "json", "app/ws.py", cwd=project)
    assert (code, err) == (0, "")
    found = json.loads(out)
    assert [(d["kind"], d["name"], d["line"], d["replacement"], d["named"]) for d in found] == [
        ("argument", "app.ws.create_websocket_manager(user_id)", 8, None, None),
        ("function", "app.ws.create_websocket_manager", 9, "app.new.Manager.create", "app.new.Manager.create"),
        ("function", "app.ws.make_manager", 13, "app.new.Manager.create", "app.new.Manager.create"),
        ("class", "app.ws.Legacy", 18, None, None),
        ("function", "app.ws.helper", 22, None, "app.new.Gone"),
    ]
    assert found[3]["message"] == 'Legacy: "quoted" \\ and ünïcode 🚀\nsecond line'
    assert found[3]["path"] == "app/ws.py"


TOML = '''\
# Generated by `flake8-ssot discover` from 6 declaration(s);
# paste under your [tool.flake8-ssot] table (or set `discover = true` there instead).

# module app.logging_config (app/logging_config.py:3)
[[tool.flake8-ssot.rules]]
name = "app.logging_config"
deprecated = ["app.logging_config"]
replacement = "app.new.get_logger"
message = "app.logging_config is deprecated. Use 'from app.new import get_logger' instead."

# function app.ws.create_websocket_manager (app/ws.py:9): create_websocket_manager is deprecated; use \
app.new.Manager.create
# function app.ws.make_manager (app/ws.py:13): make_manager is deprecated; use app.new.Manager.create
[[tool.flake8-ssot.rules]]
name = "to-app.new.Manager.create"
deprecated = ["app.ws.create_websocket_manager", "app.ws.make_manager"]
replacement = "app.new.Manager.create"

# argument app.ws.create_websocket_manager(user_id) (app/ws.py:8)
[[tool.flake8-ssot.rules]]
name = "app.ws.create_websocket_manager-user_id"
deprecated = ["app.ws.create_websocket_manager(user_id)"]
message = "user_id is deprecated; pass a context"

# class app.ws.Legacy (app/ws.py:18)
[[tool.flake8-ssot.rules]]
name = "app.ws.Legacy"
deprecated = ["app.ws.Legacy"]
message = "Legacy: \\"quoted\\" \\\\ and ünïcode 🚀 second line"

# function app.ws.helper (app/ws.py:22)
# replacement 'app.new.Gone' is named but not found: check it and add `replacement`
[[tool.flake8-ssot.rules]]
name = "app.ws.helper"
deprecated = ["app.ws.helper"]
message = "helper will go; use 'app.new.Gone' instead"
'''


def test_toml_rule_for_one_declaration_with_a_replacement_is_named_after_it(ssot: Cli, tmp_path: Path) -> None:
    write_tree(tmp_path, {**SUPPORT, "app/mod.py": """
        import warnings


        def f():
            warnings.warn("use app.new.get_logger", DeprecationWarning)
    """})
    code, out, _ = ssot("discover", "--format", "toml", cwd=tmp_path)
    assert out.splitlines()[3:8] == [
        "# function app.mod.f (app/mod.py:5)",
        "[[tool.flake8-ssot.rules]]",
        'name = "app.mod.f"',
        'deprecated = ["app.mod.f"]',
        'replacement = "app.new.get_logger"',
    ]


def test_toml_block(ssot: Cli, project: Path) -> None:
    code, out, err = ssot("discover", "--format", "toml", cwd=project)
    assert (code, err) == (0, "")
    assert out == TOML.replace("\\\n", "")


def findings(out: str) -> list[str]:
    """Findings by position, code and target: rule names and messages differ between the faces."""
    return sorted(line.split(" deprecated ")[0] + " " + line.split(" deprecated ")[1].split(";")[0].split(" (")[0]
                  for line in out.splitlines())


def test_toml_block_loads_back_and_enforces_what_discover_true_does(ssot: Cli, project: Path) -> None:
    code, out, _ = ssot("discover", "--format", "toml", cwd=project)
    (project / "pyproject.toml").write_text("[tool.flake8-ssot]\n\n" + out)
    config = load_config(project / "pyproject.toml")
    assert [(r.name, r.deprecated, r.replacement) for r in config.rules] == [
        ("app.logging_config", ("app.logging_config",), "app.new.get_logger"),
        ("to-app.new.Manager.create", ("app.ws.create_websocket_manager", "app.ws.make_manager"),
         "app.new.Manager.create"),
        # Shadowed here by the whole function's rule (which wins), but a rule of its own.
        ("app.ws.create_websocket_manager-user_id", ("app.ws.create_websocket_manager(user_id)",), None),
        ("app.ws.Legacy", ("app.ws.Legacy",), None),
        ("app.ws.helper", ("app.ws.helper",), None),
    ]
    assert len(tomllib.loads(out)["tool"]["flake8-ssot"]["rules"]) == 5  # valid TOML on its own too
    code, pasted, err = ssot("check", cwd=project)
    assert (code, err) == (1, "")
    (project / "pyproject.toml").write_text("[tool.flake8-ssot]\ndiscover = true\n")
    code, enforced, err = ssot("check", cwd=project)
    assert (code, err) == (1, "")
    assert findings(pasted) == findings(enforced) == sorted([
        "app/use.py:1:17: SOT001 import of app.logging_config",
        "app/use.py:2:20: SOT001 import of app.ws.Legacy",
        "app/use.py:2:28: SOT001 import of app.ws.create_websocket_manager",
        "app/use.py:2:54: SOT001 import of app.ws.helper",
        "app/use.py:2:62: SOT001 import of app.ws.make_manager",
        "app/use.py:6:5: SOT002 call of app.logging_config.configure",
        "app/use.py:7:5: SOT002 call of app.ws.create_websocket_manager",
        "app/use.py:8:5: SOT002 call of app.ws.make_manager",
        "app/use.py:9:5: SOT002 call of app.ws.helper",
        "app/use.py:10:12: SOT002 call of app.ws.Legacy",
    ])


# -- discover = true ------------------------------------------------------------------------

ENFORCED = [
    "app/use.py:1:17: SOT001 import of deprecated app.logging_config; use app.new.get_logger"
    " (app.logging_config is deprecated. Use 'from app.new import get_logger' instead.)",
    "app/use.py:2:20: SOT001 import of deprecated app.ws.Legacy;"
    ' Legacy: "quoted" \\ and ünïcode 🚀 second line',
    "app/use.py:2:28: SOT001 import of deprecated app.ws.create_websocket_manager; use app.new.Manager.create"
    " (create_websocket_manager is deprecated; use app.new.Manager.create)",
    "app/use.py:2:54: SOT001 import of deprecated app.ws.helper; helper will go; use 'app.new.Gone' instead",
    "app/use.py:2:62: SOT001 import of deprecated app.ws.make_manager; use app.new.Manager.create"
    " (make_manager is deprecated; use app.new.Manager.create)",
    "app/use.py:6:5: SOT002 call of deprecated app.logging_config.configure; use app.new.get_logger"
    " (app.logging_config is deprecated. Use 'from app.new import get_logger' instead.)",
    "app/use.py:7:5: SOT002 call of deprecated app.ws.create_websocket_manager; use app.new.Manager.create"
    " (create_websocket_manager is deprecated; use app.new.Manager.create)",
    "app/use.py:8:5: SOT002 call of deprecated app.ws.make_manager; use app.new.Manager.create"
    " (make_manager is deprecated; use app.new.Manager.create)",
    "app/use.py:9:5: SOT002 call of deprecated app.ws.helper; helper will go; use 'app.new.Gone' instead",
    "app/use.py:10:12: SOT002 call of deprecated app.ws.Legacy;"
    ' Legacy: "quoted" \\ and ünïcode 🚀 second line',
]


@pytest.mark.parametrize(("name", "config"), [
    pytest.param("pyproject.toml", "[tool.flake8-ssot]\ndiscover = true\n", id="pyproject"),
    pytest.param("setup.cfg", "[flake8]\nssot-discover = true\n", id="flake8-ini"),
])
def test_discover_true_drives_flake8_and_check_to_the_same_findings(project: Path, name: str, config: str) -> None:
    (project / name).write_text(config)
    checked = run_cli("flake8-ssot", "check", cwd=project)
    assert (checked.returncode, checked.stderr) == (1, "")
    assert checked.stdout.splitlines() == ENFORCED
    linted = run_cli("flake8", "--select", "SOT", ".", cwd=project)
    assert (linted.returncode, linted.stderr) == (1, "")
    assert sorted(linted.stdout.splitlines()) == sorted(f"./{line}" for line in ENFORCED)
    # A single file, as an editor or pre-commit runs it (the declarations come from the cache).
    single = run_cli("flake8", "--select", "SOT", "app/use.py", cwd=project)
    assert single.stdout.splitlines() == ENFORCED


def test_discover_true_enforces_a_deprecated_argument(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": "[tool.flake8-ssot]\ndiscover = true\n",
        "app/__init__.py": "",
        "app/net.py": """
            import warnings


            def connect(host, user_id=None):
                if user_id is not None:
                    warnings.warn("user_id is deprecated; pass a context", DeprecationWarning)
                return host
        """,
        "app/use.py": """
            from app.net import connect

            connect("h")
            connect("h", user_id=1)
            connect("h", 1)
        """,
    })
    expected = (
        "app/use.py:4:14: SOT002 call of deprecated app.net.connect(user_id); user_id is deprecated; pass a context\n"
        "app/use.py:5:14: SOT002 call of deprecated app.net.connect(user_id) (given by position); "
        "user_id is deprecated; pass a context\n"
    )
    checked = run_cli("flake8-ssot", "check", cwd=tmp_path)
    assert (checked.returncode, checked.stdout, checked.stderr) == (1, expected, "")
    linted = run_cli("flake8", "--select", "SOT", ".", cwd=tmp_path)
    assert (linted.returncode, linted.stdout, linted.stderr) == (1, expected.replace("app/", "./app/"), "")


def test_discover_true_enforces_kwargs_keys_and_lists_positional_use(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": "[tool.flake8-ssot]\ndiscover = true\n",
        "app/__init__.py": "",
        "app/idx.py": """
            import warnings


            class PeriodIndex:
                def __new__(cls, data=None, **fields):
                    if not set(fields) <= {"year", "month"}:
                        raise TypeError("unexpected keyword")
                    if fields:
                        warnings.warn("fields are deprecated", FutureWarning)


            class Field:
                def __init__(self, *args, name=None):
                    if args:
                        warnings.warn("pass name= by keyword", DeprecationWarning)
        """,
        "app/use.py": """
            from app.idx import Field, PeriodIndex

            PeriodIndex([1])
            PeriodIndex(year=[2000])
            Field("x")
        """,
    })
    expected = "app/use.py:4:13: SOT002 call of deprecated app.idx.PeriodIndex(year); fields are deprecated\n"
    checked = run_cli("flake8-ssot", "check", cwd=tmp_path)
    assert (checked.returncode, checked.stdout, checked.stderr) == (1, expected, "")
    toml = run_cli("flake8-ssot", "discover", "--format", "toml", cwd=tmp_path).stdout
    assert "#   app.idx.Field(*) (app/idx.py:15): pass name= by keyword" in toml.splitlines()


def test_discover_true_with_allowlist_baseline_and_report(project: Path) -> None:
    (project / "pyproject.toml").write_text(textwrap.dedent("""
        [tool.flake8-ssot]
        discover = true
        allowlist = "ssot-allowlist.toml"

        [[tool.flake8-ssot.rules]]
        name = "mine"
        deprecated = ["app.ws.make_manager"]
        message = "configured rules win over what discover derives"
    """))
    created = run_cli("flake8-ssot", "baseline", cwd=project)
    assert created.returncode == 0, created.stderr
    allowlist = tomllib.loads((project / "ssot-allowlist.toml").read_text())
    assert sorted({(e["path"], e["rule"]) for e in allowlist["allow"]}) == [
        ("app/use.py", "app.logging_config"),
        ("app/use.py", "app.ws.Legacy"),
        ("app/use.py", "app.ws.create_websocket_manager"),
        ("app/use.py", "app.ws.helper"),
        ("app/use.py", "mine"),
    ]
    checked = run_cli("flake8-ssot", "check", cwd=project)
    assert (checked.returncode, checked.stdout, checked.stderr) == (0, "", "")
    linted = run_cli("flake8", "--select", "SOT", ".", cwd=project)
    assert (linted.returncode, linted.stdout, linted.stderr) == (0, "", "")
    report = run_cli("flake8-ssot", "report", "--format", "json", cwd=project)
    assert report.returncode == 0, report.stderr
    assert sorted(r["rule"] for r in json.loads(report.stdout)["rules"]) == [
        "app.logging_config", "app.ws.Legacy", "app.ws.create_websocket_manager",
        "app.ws.create_websocket_manager-user_id", "app.ws.helper", "mine",
    ]
    # A new declaration is enforced on the next run: the cache notices the edit.
    (project / "app" / "new.py").write_text(
        "import warnings\n\n\ndef get_logger():\n    warnings.warn('use app.new.Manager', DeprecationWarning)\n"
        "\n\nclass Manager:\n    pass\n"
    )
    (project / "app" / "later.py").write_text("from app.new import get_logger\n")
    expected = [
        "app/later.py:1:21: SOT001 import of deprecated app.new.get_logger; use app.new.Manager"
        " (use app.new.Manager)",
    ]
    checked = run_cli("flake8-ssot", "check", cwd=project)
    assert (checked.returncode, checked.stdout.splitlines(), checked.stderr) == (1, expected, "")
    linted = run_cli("flake8", "--select", "SOT", "app/later.py", cwd=project)
    assert (linted.returncode, linted.stdout.splitlines(), linted.stderr) == (1, expected, "")


@pytest.mark.parametrize(("config", "error"), [
    pytest.param('[tool.flake8-ssot]\ndiscover = "yes"\n',
                 "flake8-ssot: {root}/pyproject.toml: tool.flake8-ssot.discover: expected true or false\n",
                 id="toml-not-a-bool"),
])
def test_bad_discover_value(tmp_path: Path, config: str, error: str) -> None:
    (tmp_path / "pyproject.toml").write_text(config)
    result = run_cli("flake8-ssot", "check", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", error.format(root=tmp_path))


def test_bad_ini_discover_value(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("[flake8]\nssot-discover = maybe\n")
    result = run_cli("flake8-ssot", "check", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (
        2, "", f"flake8-ssot: {tmp_path}/setup.cfg: ssot-discover: expected true or false\n"
    )


def test_a_bare_name_is_no_attribute_of_the_deprecated_class(ssot: Cli, tmp_path: Path) -> None:
    assert lines_for(ssot, tmp_path, """
        import warnings


        class PickleSerializer:
            def __init__(self):
                warnings.warn("PickleSerializer is deprecated. Use JSONSerializer instead.", DeprecationWarning)
    """) == [
        "app/mod.py:6: class app.mod.PickleSerializer -> JSONSerializer? (unresolved):"
        " PickleSerializer is deprecated. Use JSONSerializer instead."
    ]


@pytest.mark.parametrize(("text", "taken", "name"), [
    pytest.param("app.ws.f", set(), "app.ws.f", id="dotted"),
    pytest.param("_private.mod", set(), "private.mod", id="leading-underscore"),
    pytest.param("app.ws.f", {"app.ws.f"}, "app.ws.f-2", id="taken"),
    pytest.param("app.ws.f", {"app.ws.f", "app.ws.f-2"}, "app.ws.f-3", id="taken-twice"),
    pytest.param("to-app.x(y)", set(), "to-app.x-y", id="not-a-name-character"),
    pytest.param("__", set(), "deprecated", id="nothing-left"),
])
def test_rule_names_are_valid_and_unique(text: str, taken: set[str], name: str) -> None:
    assert rule_name(text, taken) == name
    assert name in taken


def test_a_file_no_import_can_name_is_left_out(ssot: Cli, tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "my-tool.py": "import warnings\n\nwarnings.warn('old', DeprecationWarning)\n",
        "tool.py": "import warnings\n\nwarnings.warn('old', DeprecationWarning)\n",
    })
    assert discover(ssot, tmp_path) == [
        "tool.py:3: module tool: old",
        "1 deprecation(s) declared in 1 file(s), 0 with a resolved replacement",
    ]


def test_a_path_that_cannot_be_read_is_named(ssot: Cli, project: Path) -> None:
    import os

    os.mkfifo(project / "app" / "fifo.py")
    code, out, err = ssot("discover", "app", cwd=project)
    assert (code, out.splitlines()[-1]) == (2, TEXT[-1])
    assert err.splitlines() == ["flake8-ssot: app/fifo.py: cannot read: not a regular file"]


def test_output_file(ssot: Cli, project: Path) -> None:
    assert ssot("discover", "-o", "found.txt", cwd=project) == (0, "", "")
    assert (project / "found.txt").read_text(encoding="utf-8").splitlines() == TEXT


def test_discover_true_in_a_subproject_linted_by_flake8_workers(tmp_path: Path) -> None:
    """flake8 run from a monorepo root finds the subproject's configuration in its (daemonic)
    workers, which may not start a process pool of their own."""
    files = {
        "sub/pyproject.toml": "[tool.flake8-ssot]\ndiscover = true\n",
        "sub/app/__init__.py": "",
        "sub/app/m.py": """
            import warnings


            def old():
                warnings.warn("old is deprecated; use new()", DeprecationWarning)


            def new():
                pass
        """,
    }
    # Enough files that the declarations scan would use the pool.
    files.update({f"sub/app/u{i}.py": "from app.m import old\n\nold()  # warn\n" for i in range(70)})
    write_tree(tmp_path, files)
    linted = run_cli("flake8", "-j", "2", "--select", "SOT", ".", cwd=tmp_path)
    assert (linted.returncode, linted.stderr) == (1, "")
    assert sorted(linted.stdout.splitlines())[:2] == [
        "./sub/app/u0.py:1:19: SOT001 import of deprecated app.m.old; use app.m.new (old is deprecated; use new())",
        "./sub/app/u0.py:3:1: SOT002 call of deprecated app.m.old; use app.m.new (old is deprecated; use new())",
    ]
    assert len(linted.stdout.splitlines()) == 140


def test_warning_classes_that_derive_from_each_other_in_a_cycle(ssot: Cli, tmp_path: Path) -> None:
    assert lines_for(ssot, tmp_path, """
        import warnings


        class A(B):
            pass


        class B(A):
            pass


        def f():
            warnings.warn("f", A)
    """) == []


def test_message_in_a_module_constant_used_by_a_function(ssot: Cli, tmp_path: Path) -> None:
    assert lines_for(ssot, tmp_path, """
        import warnings

        MSG = "f is deprecated"


        def f():
            warnings.warn(MSG, DeprecationWarning)
    """) == ["app/mod.py:7: function app.mod.f: f is deprecated"]


def test_paths_outside_the_current_directory(ssot: Cli, project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert discover(ssot, elsewhere, str(project / "app" / "ws.py"))[:1] == [
        "../project/app/ws.py:8: argument app.ws.create_websocket_manager(user_id): user_id is deprecated;"
        " pass a context",
    ]


def test_a_damaged_cache_is_read_as_absent(ssot: Cli, project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.flake8-ssot]\n")
    assert discover(ssot, project) == TEXT
    cached = project / ".flake8-ssot-cache" / "declarations.json"
    data = json.loads(cached.read_text())
    data["resolved"][0]["bogus"] = 1
    cached.write_text(json.dumps(data))
    assert discover(ssot, project) == TEXT
    data = json.loads(cached.read_text())
    assert "bogus" not in data["resolved"][0]
    data["files"]["app/ws.py"] = "nonsense"
    cached.write_text(json.dumps(data))
    assert discover(ssot, project) == TEXT
    entry = json.loads(cached.read_text())["files"]["app/ws.py"]
    assert entry[4]["d"][0][0] == "app.ws.create_websocket_manager(user_id)"


@pytest.mark.parametrize("newline", [
    pytest.param("\n", id="lf"), pytest.param("\r\n", id="crlf"), pytest.param("\r", id="cr"),
])
def test_line_ends(ssot: Cli, tmp_path: Path, newline: str) -> None:
    write_tree(tmp_path, SUPPORT)
    source = (
        "import warnings\n\n\ndef f():\n    x = 1\n    warnings.warn(\n        'f is deprecated', DeprecationWarning)\n"
    )
    (tmp_path / "app" / "mod.py").write_bytes(source.replace("\n", newline).encode())
    assert discover(ssot, tmp_path, "app/mod.py")[:-1] == ["app/mod.py:6: function app.mod.f: f is deprecated"]


def test_a_single_file_run_trusts_the_last_full_run_for_other_files(project: Path) -> None:
    """As the index does for an editor: a declaration added in a file that declared nothing is
    enforced from the next full run on; an edit to a declaring file is noticed at once."""
    (project / "pyproject.toml").write_text("[tool.flake8-ssot]\ndiscover = true\n")
    settle()
    assert run_cli("flake8-ssot", "check", cwd=project).returncode == 1
    (project / "app" / "new.py").write_text(
        "import warnings\n\n\ndef get_logger():\n    warnings.warn('use print', DeprecationWarning)\n"
    )
    (project / "app" / "later.py").write_text("from app.new import get_logger\n")
    single = run_cli("flake8", "--select", "SOT", "app/later.py", cwd=project)
    assert (single.returncode, single.stdout, single.stderr) == (0, "", "")
    flagged = "app/later.py:1:21: SOT001 import of deprecated app.new.get_logger; use print"
    full = run_cli("flake8", "--select", "SOT", ".", cwd=project)
    assert f"./{flagged}" in full.stdout.splitlines()
    single = run_cli("flake8", "--select", "SOT", "app/later.py", cwd=project)
    assert single.stdout.splitlines() == [flagged]
    # A declaring file changed: the single-file run scans again.
    with (project / "app" / "ws.py").open("a") as f:
        f.write("\n\ndef gone():\n    warnings.warn('gone', DeprecationWarning)\n")
    (project / "app" / "later.py").write_text("from app.new import get_logger\nfrom app.ws import gone\n")
    single = run_cli("flake8", "--select", "SOT", "app/later.py", cwd=project)
    assert single.stdout.splitlines() == [flagged, "app/later.py:2:20: SOT001 import of deprecated app.ws.gone; gone"]


def test_a_deprecated_special_method_is_listed_but_no_rule(ssot: Cli, tmp_path: Path) -> None:
    write_tree(tmp_path, {**SUPPORT, "app/mod.py": """
        import warnings


        class Item:
            def __str__(self):
                warnings.warn("str(item) is deprecated", DeprecationWarning)
                return ""
    """, "app/use.py": "from app.mod import Item\n\nprint(Item().__str__())\n"})
    assert discover(ssot, tmp_path)[:-1] == ["app/mod.py:6: method app.mod.Item.__str__: str(item) is deprecated"]
    code, out, _ = ssot("discover", "--format", "toml", cwd=tmp_path)
    assert out.splitlines()[2:] == [
        "",
        "# Deprecated special methods (Python calls them implicitly: `str(x)`; no rule can find it):",
        "#   app.mod.Item.__str__ (app/mod.py:6): str(item) is deprecated",
    ]
    (tmp_path / "pyproject.toml").write_text("[tool.flake8-ssot]\ndiscover = true\n")
    assert ssot("check", cwd=tmp_path) == (0, "", "")


def test_a_declaration_removed_by_an_edit_that_restores_the_mtime_is_gone(
    ssot: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cp -p`, `touch -r`: same size, same mtime, new content (new ctime); the cached
    declarations of the file do not outlive it."""
    from flake8_ssot import cache

    declaring = "import warnings\n\n\ndef old():\n    warnings.warn('old is gone', DeprecationWarning)\n"
    write_tree(tmp_path, {
        "pyproject.toml": "[tool.flake8-ssot]\ndiscover = true\n",
        "app/__init__.py": "",
        "app/ws.py": declaring,
        "app/use.py": "from app.ws import old\n",
    })
    monkeypatch.setattr(cache, "RACY_NS", 0)  # no wait for settled files: what the first run cached is trusted
    used = "app/use.py:1:20: SOT001 import of deprecated app.ws.old; old is gone\n"
    assert ssot("check", cwd=tmp_path) == (1, used, "")
    path = tmp_path / "app/ws.py"
    st = path.stat()
    plain = "import warnings\n\n\ndef old():\n    print('fine')\n"
    path.write_text(plain + "#" * (len(declaring) - len(plain) - 1) + "\n")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    assert ssot("check", cwd=tmp_path) == (0, "", "")
