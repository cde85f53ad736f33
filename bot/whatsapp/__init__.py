"""The WhatsApp Cloud API channel: webhook parsing, signature checks, rendering and sending.

Nothing here knows the database: the backend gives the adapter its settings and the callback it
calls with each message, and keeps the 24-hour window and delivery statuses itself.
"""
