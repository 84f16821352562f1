"""Developer tools run from the repository (documentation generators)."""
