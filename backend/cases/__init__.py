"""Cases: a person handed over to a human, the staff's replies and the canned replies."""
