"""Statistics: the funnel per program and the figures staff see."""
