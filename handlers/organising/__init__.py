"""Organisers in chat: their menu, neighbourhoods, vetting, roles, /settings, /log, oversight."""
