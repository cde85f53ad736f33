"""Follow-up surveys after a decision, and the indicators drawn from their answers."""
