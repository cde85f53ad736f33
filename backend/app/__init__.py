"""The FastAPI application: web chat, webhooks, admin API."""
