"""Old import paths, kept so that half-migrated callers keep working."""

from app.websocket_core import websocket_manager_factory as legacy_factories
from app.websocket_core.websocket_manager_factory import (
    get_websocket_manager_factory as get_factory,
)

__all__ = ["get_factory", "legacy_factories"]
