"""Broadcasts: one message to many people of a program, sent by the scheduler."""
