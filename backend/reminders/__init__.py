"""Scheduled messages: reminders, broadcasts and follow-up surveys, as rows a tick claims."""
