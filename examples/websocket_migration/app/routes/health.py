"""Health checks: clean code that merely shares names with the deprecated API."""

from app.websocket_core.unified_manager import UserContext, WebSocketManager


class HealthCheck:
    def create_websocket_manager(self) -> WebSocketManager:
        """Unlike get_websocket_manager_factory(), this builds an isolated manager."""
        return WebSocketManager.create_for_user(UserContext("health-check"))

    def probe(self) -> bool:
        manager = self.create_websocket_manager()
        return manager.send("ping") == "health-check: ping"


def build(get_websocket_manager_factory=None):  # type: ignore[no-untyped-def]
    # The old get_websocket_manager_factory() is gone from this module.
    if get_websocket_manager_factory is not None:
        return get_websocket_manager_factory()
    return WebSocketManager.create_for_user(UserContext("default"))
