"""Flag, track and fix uses of deprecated APIs in favour of their single source of truth."""

from __future__ import annotations

__version__ = "0.1.0.dev0"
