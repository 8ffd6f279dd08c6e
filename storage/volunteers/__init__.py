"""SQL for volunteers' offers, availability and status."""
