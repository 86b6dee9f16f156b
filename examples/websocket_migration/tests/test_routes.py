from unittest import mock

from app.routes import health, websocket_ssot
from app.services import notifier
from app.websocket_core.unified_manager import UserContext, WebSocketManager


def test_endpoint_returns_a_manager_for_the_user() -> None:
    assert websocket_ssot.websocket_endpoint("alice").user_context == UserContext("alice")


def test_reconnect_keeps_the_thread() -> None:
    assert websocket_ssot.reconnect("bob", "t2").user_context.thread_id == "t2"


def test_session_opens_a_manager() -> None:
    manager = websocket_ssot.Session("carol").open()
    assert isinstance(manager, WebSocketManager) and manager.user_context == UserContext("carol")


def test_notify_sends() -> None:
    assert notifier.notify("dave", "hi") == "dave: hi"


def test_page_sends_an_urgent_message() -> None:
    assert notifier.page("frank", "disk full") == "frank: urgent: disk full"


def test_health_probe() -> None:
    assert health.HealthCheck().probe()


@mock.patch("app.websocket_core.websocket_manager_factory.get_websocket_manager_factory")
def test_endpoint_uses_patched_factory(factory: mock.MagicMock) -> None:
    factory.return_value.create_for_user.return_value = "patched"
    assert websocket_ssot.websocket_endpoint("erin") == "patched"
