"""Telegram on the backend side: building the bot from the settings, the webhook route."""
