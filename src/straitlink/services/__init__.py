"""Use cases: one function each, called alike by the CLI, the web app and (later) the exchange."""
