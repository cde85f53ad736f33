"""The people's side of the backend: erasure that leaves nothing, and retention."""
