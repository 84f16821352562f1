"""The append-only, hash-chained audit log: entries, appending, verification and signed checkpoints."""
