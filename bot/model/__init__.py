"""The domain's entities: what storage returns and handlers show. Imports nothing of the bot."""
