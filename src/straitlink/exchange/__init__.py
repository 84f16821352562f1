"""The exchange between the two sides' instances: signed messages and receipts, outbox and inbox (docs/exchange.md)."""
