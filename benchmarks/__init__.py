"""Benchmarks: show that Telegram's limits, not the bot, are the bottleneck."""
