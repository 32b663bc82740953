"""Starts and stops the three processes of the product (Rasa, action server, app) for runs and tests."""
