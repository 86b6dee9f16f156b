"""Value classes that cost nothing to define.

A dataclass is generated at import: each costs an editor's flake8 run about half a
millisecond (its methods are compiled from source every time), and the plugin imports the
engine for every buffer. The engine's own values are plain classes with ``__slots__`` on
this base, which compares, hashes and prints them by their fields, as a frozen dataclass does.
"""

from __future__ import annotations

from typing import Any, TypeVar


class Record:
    __slots__: tuple[str, ...] = ()

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({shown})"


R = TypeVar("R", bound=Record)


def replace(record: R, **changes: Any) -> R:
    """A copy of ``record`` with ``changes`` to its fields, as :func:`dataclasses.replace` makes
    (every field of a record is a parameter of its ``__init__``, by the same name)."""
    names = [n for n in type(record).__slots__ if not n.startswith("_")]  # "_": derived, not a field
    unknown = changes.keys() - set(names)
    if unknown:
        raise TypeError(f"{type(record).__name__} has no field {sorted(unknown)[0]!r}")
    return type(record)(**{n: changes[n] if n in changes else getattr(record, n) for n in names})
