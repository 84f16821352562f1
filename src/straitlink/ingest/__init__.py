"""Documents in, proposed records out, each with the span of text it came from (docs/ingest.md)."""
