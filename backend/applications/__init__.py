"""Applications: the staff's reading and deciding, exports and reference numbers."""
