"""SQL for the outbox and its delivery bookkeeping."""
