"""The handoff domain: shop data, conversations and their lifecycle, agents, realtime fan-out."""
