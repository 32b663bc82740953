"""Rasa SDK custom actions. Runs in the bot environment; reaches shop data only over the app's HTTP API."""
