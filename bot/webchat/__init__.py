"""The web chat: a page that posts messages and polls for replies."""
