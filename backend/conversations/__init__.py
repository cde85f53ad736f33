"""Conversations: inbound messages, the engine's state and store, the outbox and its dispatcher."""
