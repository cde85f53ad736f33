"""People: the beneficiaries, their consent, the staff's view of them and erasure."""
