"""Request and response models of the admin API: ``XCreate`` in, ``XRead`` out."""
