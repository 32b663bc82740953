"""The names training data may use, beside the spans' checks (handoff/review/entities.py): what the
review inbox's annotations and the admins' own examples (api/routers/review.py, examples.py) refuse."""

from __future__ import annotations

# What the bot's fallback classifier says when it has no intent for a message: never training data
# (a message annotated with it would teach the model to fall back on its like).
NOT_AN_INTENT = "nlu_fallback"
