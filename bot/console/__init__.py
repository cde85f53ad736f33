"""The terminal: ``massar chat``."""
