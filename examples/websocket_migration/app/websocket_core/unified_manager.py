"""The single source of truth for WebSocket managers: one isolated manager per user."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class UserContext:
    user_id: str
    thread_id: str = "main"


@dataclass
class WebSocketManager:
    user_context: UserContext
    sent: list[str] = field(default_factory=list)

    @classmethod
    def create_for_user(cls, user_context: UserContext) -> WebSocketManager:
        return cls(user_context)

    def send(self, message: str) -> str:
        self.sent.append(message)
        return f"{self.user_context.user_id}: {message}"
