"""SQL for check-ins: schedules, occurrences, escalations, quiet hours and the digest."""
