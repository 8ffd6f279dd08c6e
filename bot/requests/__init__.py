"""Asking for help and giving it: requests, alerts, accepting, reminders, Done, the relay."""
