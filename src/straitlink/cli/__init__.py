"""The `straitlink` command line (Typer + Rich)."""
