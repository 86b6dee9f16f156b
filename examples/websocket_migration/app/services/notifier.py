"""Notifications, still reaching the old factory through the compat module."""

from app import compat
from app.websocket_core.unified_manager import UserContext, WebSocketManager


def notify(user_id: str, message: str) -> str:
    manager = compat.get_factory().create_for_user(UserContext(user_id))
    return manager.send(message)


def page(user_id: str, message: str) -> str:
    pager = UserContext(user_id, "pager")
    return compat.legacy_factories.create_websocket_manager(pager).send(f"urgent: {message}")


def broadcast(user_ids: list[str], message: str) -> list[str]:
    return [WebSocketManager.create_for_user(UserContext(u)).send(message) for u in user_ids]
