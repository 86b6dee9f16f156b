"""A nightly job nobody has run since the re-export of create_websocket_manager was dropped."""

from app.websocket_core import create_websocket_manager
from app.websocket_core.unified_manager import UserContext


def run() -> str:
    return create_websocket_manager(UserContext("nightly")).send("digest")
