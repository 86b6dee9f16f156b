"""WebSocket core: import the manager from here."""

from app.websocket_core.unified_manager import UserContext, WebSocketManager
from app.websocket_core.websocket_manager_factory import get_websocket_manager_factory  # legacy re-export

__all__ = ["UserContext", "WebSocketManager", "get_websocket_manager_factory"]
