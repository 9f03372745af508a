"""Evidence media models."""
