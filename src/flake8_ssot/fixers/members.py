"""Members renamed within their class: the attribute renamed wherever the member is reached."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import ImportAssignment

from flake8_ssot.fixers.common import _chain_head, _replace_with
from flake8_ssot.fixers.state import RewriterState
from flake8_ssot.fixers.templates import Move


class MemberRenames(RewriterState):
    def _rename_member(self, node: cst.CSTNode, move: Move, target: str) -> str | bool:
        """``self.old(...)``, ``obj.old``, ``cls.old``, ``pkg.C.old``: the attribute renamed where
        it stands, the object before it kept; a reason when the member is not spelled there.

        True when the chain starts at an import (``unittest.TestCase.old``): its new name means
        the replacement through the file's bindings, which the meaning check reads."""
        chain = node.func if isinstance(node, cst.Call) else node
        # The member is as many attributes in from the chain's end as the target is past it.
        for _ in range(target.count(".") - move.old.count(".")):
            if not isinstance(chain, cst.Attribute):
                break
            chain = chain.value
        old, new = move.old.rpartition(".")[2], move.new.rpartition(".")[2]
        if not isinstance(chain, cst.Attribute) or chain.attr.value != old:
            return f"{old} is reached here by another name: rename it to {new} by hand"
        self.exprs[chain.attr] = _replace_with(new)
        self.regions.append((chain, [chain.value]))
        head = _chain_head(chain)
        scope = self.scopes.get(head) if isinstance(head, cst.Name) else None
        if scope is None or not isinstance(head, cst.Name):
            return False
        assignments = list(scope[head.value])
        imported = bool(assignments) and all(isinstance(a, ImportAssignment) for a in assignments)
        if imported:
            self.changed_whole.append(node.func if isinstance(node, cst.Call) else node)
        return imported
