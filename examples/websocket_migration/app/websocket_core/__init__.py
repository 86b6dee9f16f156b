"""WebSocket core: import the manager from here."""

from app.websocket_core.unified_manager import UserContext, WebSocketManager

# Legacy re-export for callers that have not migrated yet.
from app.websocket_core.websocket_manager_factory import get_websocket_manager_factory

__all__ = ["UserContext", "WebSocketManager", "get_websocket_manager_factory"]
