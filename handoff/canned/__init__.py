"""Canned responses: reusable replies per language, with placeholders filled from the handoff context."""
