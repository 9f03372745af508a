"""Trust labels (标签体系): a catalogue of rules, each earned only by evidence that verifies in the ledger."""
