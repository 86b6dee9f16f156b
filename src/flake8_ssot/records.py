"""Value classes that cost nothing to define.

A dataclass is generated at import: each costs an editor's flake8 run about half a
millisecond (its methods are compiled from source every time), and the plugin imports the
engine for every buffer. The engine's own values are plain classes with ``__slots__`` on
this base, which compares, hashes and prints them by their fields, as a frozen dataclass does.
"""

from __future__ import annotations

from typing import Any


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
