"""Getting messages out: the outbox, its per-chat lanes, send limits, quiet hours, reports."""
