"""Offering help in chat: /volunteer, /pause and /resume."""
