"""The HTTP and websocket surface of the handoff service (imports `handoff`, never the reverse)."""
