"""The `remi` command."""
