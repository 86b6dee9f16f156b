"""A chat backend in the middle of its WebSocket manager migration."""
