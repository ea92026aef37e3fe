"""The rules of `visiobook check`, one module per category (see registry.py)."""
