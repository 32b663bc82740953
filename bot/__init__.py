"""The Rasa assistant (config, domain, data) and the app-side HTTP client for the Rasa server."""
