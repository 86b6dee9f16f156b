"""What rewriting one file yields."""

from __future__ import annotations

from dataclasses import dataclass, field

from flake8_ssot.model import Finding


Span = tuple[int, int, int, int]
"""Start line, column, end line, column (characters) of code in the original text."""


@dataclass(frozen=True)
class Reexport:
    """A deprecated name a module imports only for others: nothing in the module itself uses it."""

    name: str
    """The name the module binds."""
    uses: tuple[Finding, ...]
    """Its import's findings, then those of its ``__all__`` entries."""


@dataclass
class Result:
    code: str
    fixed: list[Finding] = field(default_factory=list)
    manual: list[tuple[Finding, str]] = field(default_factory=list)
    dropped_comments: list[str] = field(default_factory=list)
    """Trailing comments of removed import lines and ``__all__`` entries (they annotated them)."""
    reexports: list[Reexport] = field(default_factory=list)
    """Re-exports left in place (listed as manual, with a generic reason)."""
    removed_reexports: list[Reexport] = field(default_factory=list)
    unused_imports: list[str] = field(default_factory=list)
    """Names whose module-level imports were removed as the rewrite left them unused."""
    written: list[str] = field(default_factory=list)
    """The fully qualified name each name the new code writes must reach, one per name written."""
    written_on_instances: list[str] = field(default_factory=list)
    """The same for members renamed through an instance (``self.old`` -> ``self.new``): each may
    reach its name where the visitor follows the instance, and must reach nothing else."""
    changed: list[tuple[Span, list[Span]]] = field(default_factory=list)
    """Code of the original text the rewrite replaces or removes, each with the parts it carries
    over unchanged (a placeholder's expression)."""
