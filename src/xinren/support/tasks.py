"""Background tasks of the support context: none yet. Contexts above subscribe to `events.MESSAGE_POSTED`."""
