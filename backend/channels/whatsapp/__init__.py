"""WhatsApp on the backend side: building the adapter, the 24-hour window, paging,
statuses and the webhook route."""
