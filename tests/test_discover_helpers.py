"""`discover` on deprecations a project declares its own way: helpers, decorators, shim tables.

Each package is laid out as the real one is (Sphinx's `sphinx.deprecation._deprecation_warning`,
django-oscar's `oscar.core.decorators.deprecated`, pandas' decorator factories in
`pandas.util._decorators`), cut to the forms that matter.
"""

from __future__ import annotations

from collections.abc import Callable
import textwrap
from pathlib import Path

import pytest

from conftest import run_cli, write_tree
from flake8_ssot.config import load_config

Cli = Callable[..., tuple[int, str, str]]

SPHINX = {
    "sph/__init__.py": "",
    "sph/deprecation.py": """
        import warnings


        class RemovedInSph80Warning(DeprecationWarning):
            pass


        class RemovedInSph90Warning(PendingDeprecationWarning):
            pass


        def _deprecation_warning(module, attribute, canonical_name="", *, remove, raises=False):
            if remove == (8, 0):
                warning_class = RemovedInSph80Warning
            elif remove == (9, 0):
                warning_class = RemovedInSph90Warning
            else:
                raise RuntimeError(f"removal version {remove!r} is invalid!")

            qualname = f"{module}.{attribute}"
            if canonical_name:
                message = f"The alias {qualname!r} is deprecated, use {canonical_name!r} instead."
            else:
                message = f"{qualname!r} is deprecated."

            if raises:
                raise AttributeError(message)

            message = f"{message} Check CHANGES for Sph API modifications."
            warnings.warn(message, warning_class, stacklevel=3)
    """,
    # No `warn` and no `deprecated` in this file: only the helper's name says it declares anything.
    "sph/osutil.py": """
        import contextlib

        from sph.deprecation import _deprecation_warning


        def new_cd(path):
            return contextlib.chdir(path)


        def cd(path):
            _deprecation_warning(__name__, "cd", "sph.osutil.new_cd", remove=(8, 0))
            return new_cd(path)


        class Builder:
            def __init__(self, theme=None):
                if theme is not None:
                    _deprecation_warning(__name__, "Builder(theme)", remove=(9, 0))

            @property
            def css_files(self):
                _deprecation_warning(__name__, f"{self.__class__.__name__}.css_files", "sph.osutil.Builder.assets",
                                     remove=(9, 0))
                return []

            @property
            def assets(self):
                return []


        class OldBuilder(Builder):
            def __init__(self):
                _deprecation_warning(__name__, "OldBuilder", "sph.osutil.Builder", remove=(9, 0))
                super().__init__()


        def _moved(name, new):
            _deprecation_warning(__name__, name, new, remove=(9, 0))


        def old_cd(path):
            _moved("old_cd", "sph.osutil.new_cd")
            return new_cd(path)
    """,
    "sph/old_module.py": """
        from sph.deprecation import _deprecation_warning

        _deprecation_warning("sph", "old_module", "sph.osutil", remove=(9, 0))
    """,
    "sph/util.py": """
        import hashlib

        from sph.osutil import new_cd

        _DEPRECATED_OBJECTS = {
            "md5": (hashlib.md5, "hashlib.md5", (8, 0)),
            "chdir": (new_cd, "sph.osutil.new_cd", (9, 0)),
        }


        def __getattr__(name):
            if name not in _DEPRECATED_OBJECTS:
                raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

            from sph.deprecation import _deprecation_warning

            info = _DEPRECATED_OBJECTS[name]
            deprecated_object, canonical_name = info[:2]
            _deprecation_warning(__name__, name, canonical_name, remove=info[2])
            return deprecated_object
    """,
    "sph/typing.py": """
        import warnings

        _DEPRECATED_OBJECTS = {"stringify": (str, "sph.typing.restify")}


        def restify(obj):
            return str(obj)


        def __getattr__(name):
            if name not in _DEPRECATED_OBJECTS:
                raise AttributeError(name)
            warnings.warn(f"{name} is deprecated", DeprecationWarning, stacklevel=2)
            return _DEPRECATED_OBJECTS[name][0]
    """,
    "app/__init__.py": "",
    "app/use.py": """
        from sph import util
        from sph.osutil import Builder, OldBuilder, cd, old_cd
        from sph.typing import stringify

        cd("/tmp")
        util.md5(b"")
        Builder(theme="classic")
        print(stringify)
        OldBuilder()
        old_cd("/")
    """,
}
SPHINX_FOUND = [
    "sph/old_module.py:3: module sph.old_module -> sph.osutil: The alias sph.old_module is deprecated, use sph.osutil"
    " instead. Check CHANGES for Sph API modifications.",
    "sph/osutil.py:11: function sph.osutil.cd -> sph.osutil.new_cd: The alias sph.osutil.cd is deprecated,"
    " use sph.osutil.new_cd instead. Check CHANGES for Sph API modifications.",
    # No canonical name passed: the helper's other branch is the message.
    "sph/osutil.py:18: argument sph.osutil.Builder(theme): sph.osutil.Builder(theme) is deprecated."
    " Check CHANGES for Sph API modifications.",
    "sph/osutil.py:22: method sph.osutil.Builder.css_files -> sph.osutil.Builder.assets: The alias"
    " sph.osutil.Builder.css_files is deprecated, use sph.osutil.Builder.assets instead. Check CHANGES for Sph"
    " API modifications.",
    "sph/osutil.py:33: class sph.osutil.OldBuilder -> sph.osutil.Builder: The alias sph.osutil.OldBuilder is"
    " deprecated, use sph.osutil.Builder instead. Check CHANGES for Sph API modifications.",
    # Through `_moved`, a helper of the helper (not listed itself).
    "sph/osutil.py:42: function sph.osutil.old_cd -> sph.osutil.new_cd: The alias sph.osutil.old_cd is deprecated,"
    " use sph.osutil.new_cd instead. Check CHANGES for Sph API modifications.",
    "sph/typing.py:13: name sph.typing.stringify -> sph.typing.restify: stringify is deprecated",
    "sph/util.py:19: name sph.util.chdir -> sph.osutil.new_cd: The alias sph.util.chdir is deprecated,"
    " use sph.osutil.new_cd instead. Check CHANGES for Sph API modifications.",
    # hashlib makes md5 at run time (`globals()[name] = ...`): no source defines it.
    "sph/util.py:19: name sph.util.md5 -> hashlib.md5? (unresolved): The alias sph.util.md5 is deprecated,"
    " use hashlib.md5 instead. Check CHANGES for Sph API modifications.",
    "9 deprecation(s) declared in 4 file(s), 7 with a resolved replacement",
]
SPHINX_USES = [
    "app/use.py:10:1: SOT002 call of sph.osutil.old_cd",
    "app/use.py:2:33: SOT001 import of sph.osutil.OldBuilder",
    "app/use.py:2:45: SOT001 import of sph.osutil.cd",
    "app/use.py:2:49: SOT001 import of sph.osutil.old_cd",
    "app/use.py:3:24: SOT001 import of sph.typing.stringify",
    "app/use.py:5:1: SOT002 call of sph.osutil.cd",
    "app/use.py:6:1: SOT002 call of sph.util.md5",
    "app/use.py:7:9: SOT002 call of sph.osutil.Builder(theme)",
    "app/use.py:8:7: SOT003 reference to sph.typing.stringify",
    "app/use.py:9:1: SOT002 call of sph.osutil.OldBuilder",
]

OSCAR = {
    "shop/__init__.py": "",
    "shop/utils/__init__.py": "",
    "shop/utils/deprecation.py": """
        class RemovedInShop32Warning(DeprecationWarning):
            pass
    """,
    "shop/core/__init__.py": "",
    "shop/core/decorators.py": """
        import warnings

        from shop.utils.deprecation import RemovedInShop32Warning


        def deprecated(obj):
            if isinstance(obj, type):
                return _deprecated_cls(cls=obj)
            else:
                return _deprecated_func(f=obj)


        def _deprecated_func(f, warn_cls=RemovedInShop32Warning):
            def _deprecated(*args, **kwargs):
                message = (
                    "Method '%s' is deprecated and will be "
                    "removed in the next version of shop" % f.__name__
                )
                warnings.warn(message, warn_cls, stacklevel=2)
                return f(*args, **kwargs)

            return _deprecated


        def _deprecated_cls(cls, warn_cls=RemovedInShop32Warning):
            class Deprecated(cls):
                def __init__(self, *args, **kwargs):
                    message = (
                        "Class '%s' is deprecated and will be "
                        "removed in the next version of shop" % cls.__name__
                    )
                    warnings.warn(message, warn_cls, stacklevel=2)
                    super().__init__(*args, **kwargs)

            return Deprecated
    """,
    "shop/basket.py": """
        from shop.core.decorators import deprecated


        class Line:
            @property
            @deprecated
            def consumer(self):
                return self.discounts

            @deprecated
            def get_is_discountable(self):
                return True


        @deprecated
        class LineOfferConsumer:
            pass
    """,
    "app/__init__.py": "",
    "app/use.py": """
        from shop.basket import Line, LineOfferConsumer

        Line().get_is_discountable()
        LineOfferConsumer()
    """,
}
OSCAR_FOUND = [
    "shop/basket.py:6: method shop.basket.Line.consumer: Method 'consumer' is deprecated and will be removed in"
    " the next version of shop",
    "shop/basket.py:10: method shop.basket.Line.get_is_discountable: Method 'get_is_discountable' is deprecated"
    " and will be removed in the next version of shop",
    "shop/basket.py:15: class shop.basket.LineOfferConsumer: Class 'LineOfferConsumer' is deprecated and will be"
    " removed in the next version of shop",
    "3 deprecation(s) declared in 1 file(s), 0 with a resolved replacement",
]
OSCAR_USES = [
    "app/use.py:1:31: SOT001 import of shop.basket.LineOfferConsumer",
    "app/use.py:3:1: SOT002 call of shop.basket.Line.get_is_discountable",
    "app/use.py:4:1: SOT002 call of shop.basket.LineOfferConsumer",
]

PANDAS = {
    "pd/__init__.py": "",
    "pd/util/__init__.py": "",
    "pd/util/_decorators.py": """
        from functools import wraps
        import warnings


        def deprecate_kwarg(old_arg_name, new_arg_name, mapping=None, stacklevel=2):
            def _deprecate_kwarg(func):
                @wraps(func)
                def wrapper(*args, **kwargs):
                    old_arg_value = kwargs.pop(old_arg_name, None)
                    if old_arg_value is not None:
                        msg = f"the {old_arg_name!r} keyword is deprecated, use {new_arg_name!r} instead."
                        warnings.warn(msg, FutureWarning, stacklevel=stacklevel)
                        kwargs[new_arg_name] = old_arg_value
                    return func(*args, **kwargs)

                return wrapper

            return _deprecate_kwarg


        def deprecate_nonkeyword_arguments(version, allowed_args=None, name=None):
            def decorate(func):
                num_allow_args = len(allowed_args)

                @wraps(func)
                def wrapper(*args, **kwargs):
                    if len(args) > num_allow_args:
                        warnings.warn("positional arguments are deprecated", FutureWarning, stacklevel=2)
                    return func(*args, **kwargs)

                return wrapper

            return decorate
    """,
    "pd/core/__init__.py": "",
    "pd/core/window.py": """
        from pd.util._decorators import deprecate_kwarg


        class Rolling:
            @deprecate_kwarg(old_arg_name="quantile", new_arg_name="q")
            def quantile(self, q=0.5, interpolation="linear"):
                return q
    """,
    "pd/core/frame.py": """
        from pd.util._decorators import deprecate_nonkeyword_arguments


        class DataFrame:
            @deprecate_nonkeyword_arguments(version="3.0", allowed_args=["self", "path"], name="to_csv")
            def to_csv(self, path=None, sep=","):
                return sep

            @deprecate_nonkeyword_arguments(version="3.0")
            def to_dict(self, orient="dict"):
                return orient
    """,
    "app/__init__.py": "",
    "app/use.py": """
        from pd.core.window import Rolling

        r = Rolling()
        r.quantile(q=0.1)
        r.quantile(quantile=0.1)
    """,
}
PANDAS_FOUND = [
    "pd/core/frame.py:5: positional pd.core.frame.DataFrame.to_csv(*): passing arguments other than"
    " ['self', 'path'] by position is deprecated",
    "pd/core/frame.py:9: positional pd.core.frame.DataFrame.to_dict(*): passing arguments by position is deprecated",
    "pd/core/window.py:5: argument pd.core.window.Rolling.quantile(quantile): the 'quantile' keyword is"
    " deprecated, use 'q' instead",
    "3 deprecation(s) declared in 2 file(s), 0 with a resolved replacement",
]
PANDAS_USES = ["app/use.py:5:12: SOT002 call of pd.core.window.Rolling.quantile(quantile)"]

PACKAGES = [
    pytest.param(SPHINX, SPHINX_FOUND, SPHINX_USES, id="sphinx-helper-and-shim-tables"),
    pytest.param(OSCAR, OSCAR_FOUND, OSCAR_USES, id="oscar-decorator"),
    pytest.param(PANDAS, PANDAS_FOUND, PANDAS_USES, id="pandas-decorator-factories"),
]


def uses(out: str) -> list[str]:
    """Findings by position, code and target (the faces word rule names differently)."""
    return sorted(line.split(" deprecated ")[0] + " " + line.split(" deprecated ")[1].split(";")[0].split(" (")[0]
                  for line in out.splitlines())


@pytest.mark.parametrize(("files", "found", "used"), PACKAGES)
def test_discover_lists_what_a_project_declares_its_own_way(
    ssot: Cli, tmp_path: Path, files: dict[str, str], found: list[str], used: list[str],
) -> None:
    write_tree(tmp_path, files)
    code, out, err = ssot("discover", cwd=tmp_path)
    assert (code, err) == (0, "")
    assert out.splitlines() == found


@pytest.mark.parametrize(("files", "found", "used"), PACKAGES)
def test_the_toml_block_loads_back_and_enforces_the_uses(
    ssot: Cli, tmp_path: Path, files: dict[str, str], found: list[str], used: list[str],
) -> None:
    write_tree(tmp_path, files)
    code, block, err = ssot("discover", "--format", "toml", cwd=tmp_path)
    assert (code, err) == (0, "")
    (tmp_path / "pyproject.toml").write_text("[tool.flake8-ssot]\n\n" + block)
    assert load_config(tmp_path / "pyproject.toml").rules  # loads back as configuration
    linted = run_cli("flake8", "--select", "SOT", "app", cwd=tmp_path)
    assert (linted.returncode, linted.stderr) == (1, "")
    assert uses(linted.stdout.replace("./", "")) == used
    # `discover = true` derives the same rules from the same facts.
    (tmp_path / "pyproject.toml").write_text("[tool.flake8-ssot]\ndiscover = true\n")
    checked = run_cli("flake8-ssot", "check", "app", cwd=tmp_path)
    assert (checked.returncode, checked.stderr) == (1, "")
    assert uses(checked.stdout) == used


@pytest.mark.parametrize("helper", [
    pytest.param("""
        import warnings


        def get_model(app_label, model_name):
            if (app_label, model_name) in MOVED:
                warnings.warn(f"{model_name} has moved", DeprecationWarning, stacklevel=2)
            return None
    """, id="warns-only-under-a-condition"),
    pytest.param("""
        import warnings


        def check(name):
            warnings.warn(f"{name} is not what you think", UserWarning, stacklevel=3)
    """, id="not-a-deprecation-category"),
])
def test_a_function_that_does_not_always_warn_about_its_caller_is_no_helper(
    ssot: Cli, tmp_path: Path, helper: str,
) -> None:
    write_tree(tmp_path, {
        "lib/__init__.py": "",
        "lib/loading.py": helper,
        "lib/models.py": """
            from lib.loading import get_model, check

            Product = get_model("catalogue", "Product")


            def products():
                check("products")
                return get_model("catalogue", "Product")
        """,
    })
    code, out, err = ssot("discover", cwd=tmp_path)
    assert (code, err) == (0, "")
    assert out.splitlines()[-1].startswith("0 deprecation(s)"), out


def test_a_cached_run_reads_a_new_file_that_only_calls_a_helper(ssot: Cli, tmp_path: Path) -> None:
    write_tree(tmp_path, {**SPHINX, "pyproject.toml": "[tool.flake8-ssot]\n"})
    assert discover_lines(ssot, tmp_path) == SPHINX_FOUND
    assert discover_lines(ssot, tmp_path) == SPHINX_FOUND  # from the cache
    write_tree(tmp_path, {"sph/later.py": """
        from sph.deprecation import _deprecation_warning


        def old():
            _deprecation_warning(__name__, "old", remove=(9, 0))
    """})
    lines = discover_lines(ssot, tmp_path)
    assert [line for line in lines if "later" in line or "declared" in line] == [
        "sph/later.py:5: function sph.later.old: sph.later.old is deprecated. Check CHANGES for Sph API modifications.",
        "10 deprecation(s) declared in 5 file(s), 7 with a resolved replacement",
    ]


def discover_lines(ssot: Cli, root: Path) -> list[str]:
    code, out, err = ssot("discover", cwd=root)
    assert (code, err) == (0, "")
    return out.splitlines()


@pytest.mark.parametrize(("helper", "expected"), [
    pytest.param("""
        def warn_alias_replacement(obj, func, alias):
            warnings.warn(f"The callable {func} is using {alias}.", FutureWarning, stacklevel=2)
    """, [], id="named-like-a-helper-pandas-warn-alias-replacement"),
    pytest.param("""
        def check_alias(obj, func, alias):
            warnings.warn(f"The callable {func} is using {alias}.", FutureWarning)
    """, [], id="named-unlike-a-helper"),
    pytest.param("""
        def check_alias(obj, func, alias):
            warnings.warn(f"The callable {func} is using {alias}.", UserWarning, stacklevel=3)
    """, [], id="plain-user-warning"),
    pytest.param("""
        def uncalled_alias(obj, func, alias):
            warnings.warn(f"The callable {func} is using {alias}.", FutureWarning)
    """, ["lib/apply.py:5: function lib.apply.uncalled_alias: The callable {func} is using {alias}."],
        id="called-nowhere-is-an-api-of-its-own"),
])
def test_a_helper_called_only_under_conditions_is_not_listed_itself(
    ssot: Cli, tmp_path: Path, helper: str, expected: list[str],
) -> None:
    write_tree(tmp_path, {
        "lib/__init__.py": "",
        "lib/apply.py": "import warnings\n\n\n" + textwrap.dedent(helper).lstrip("\n"),
        "lib/frame.py": """
            from lib.apply import check_alias, warn_alias_replacement


            class Frame:
                def agg(self, func):
                    if func in ("sum", "max"):
                        warn_alias_replacement(self, func, "np.sum")
                    try:
                        pass
                    except TypeError:
                        check_alias(self, func, "np.min")
        """,
    })
    assert discover_lines(ssot, tmp_path)[:-1] == expected
