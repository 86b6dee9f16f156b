"""DEPRECATED: a process-wide factory whose managers leak state between users.

Kept only until every caller has moved to WebSocketManager.create_for_user().
"""

from __future__ import annotations

import warnings

from app.websocket_core.unified_manager import UserContext, WebSocketManager


class WebSocketManagerFactory:
    def __init__(self) -> None:
        self.created: list[WebSocketManager] = []

    def create_for_user(self, user_context: UserContext) -> WebSocketManager:
        warnings.warn("use WebSocketManager.create_for_user", DeprecationWarning, stacklevel=2)
        manager = WebSocketManager.create_for_user(user_context)
        self.created.append(manager)
        return manager


_factory: WebSocketManagerFactory | None = None


def get_websocket_manager_factory() -> WebSocketManagerFactory:
    global _factory
    if _factory is None:
        _factory = WebSocketManagerFactory()
    return _factory


def create_websocket_manager(user_context: UserContext) -> WebSocketManager:
    return get_websocket_manager_factory().create_for_user(user_context)
