"""Proactive care (主动关怀): service tickets for hurt customers found by the voice of the user (issue 16)."""
