"""Trust models."""
