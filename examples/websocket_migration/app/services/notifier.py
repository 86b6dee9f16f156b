"""Notifications, still reaching the old factory through the compat module."""

from app import compat
from app.websocket_core.unified_manager import UserContext, WebSocketManager


def notify(user_id: str, message: str) -> str:
    manager = compat.get_factory().create_for_user(UserContext(user_id))
    return manager.send(message)


def is_legacy(factory: object) -> bool:
    return isinstance(factory, compat.legacy_factories.WebSocketManagerFactory)


def broadcast(user_ids: list[str], message: str) -> list[str]:
    return [WebSocketManager.create_for_user(UserContext(u)).send(message) for u in user_ids]
