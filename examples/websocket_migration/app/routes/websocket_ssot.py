"""WebSocket routes: the primary migration target."""

from app.websocket_core.unified_manager import UserContext, WebSocketManager


def websocket_endpoint(user_id: str) -> WebSocketManager:
    from app.websocket_core.websocket_manager_factory import get_websocket_manager_factory

    user_context = UserContext(user_id)
    manager_factory = get_websocket_manager_factory()
    manager = manager_factory.create_for_user(user_context)
    return manager


def reconnect(user_id: str, thread_id: str) -> WebSocketManager:
    from app.websocket_core import get_websocket_manager_factory

    return get_websocket_manager_factory().create_for_user(UserContext(user_id, thread_id))


def migrated_endpoint(user_id: str) -> WebSocketManager:
    # Already on the SSOT: nothing to report here.
    return WebSocketManager.create_for_user(UserContext(user_id))


class Session:
    """A user's session: its manager is created when the session opens."""

    def __init__(self, user_id: str) -> None:
        self.user_context = UserContext(user_id)

    def open(self) -> WebSocketManager:
        from app.websocket_core import websocket_manager_factory

        return websocket_manager_factory.get_websocket_manager_factory().create_for_user(self.user_context)
