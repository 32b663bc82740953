"""Retraining the assistant from the admins' annotations: background training jobs in the bot's
environment, one at a time, and the models they make (issue 12)."""
