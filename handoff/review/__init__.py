"""Turning real customer messages into NLU training examples: redaction first, then review and export."""
