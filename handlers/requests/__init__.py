"""Asking for help and the task buttons in chat: /request, /myrequests, /tasks, the relay."""
