"""The conversation's states. Each node asks one thing and handles the answer to it."""
