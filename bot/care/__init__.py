"""Check-ins: schedules, the resident's answer, the buddy and the escalation ladder (/checkin)."""
