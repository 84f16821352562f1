"""The pure domain: entities, value objects and rules. No database, web or file I/O here."""
