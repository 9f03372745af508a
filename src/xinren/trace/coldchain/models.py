"""Cold chain models."""
