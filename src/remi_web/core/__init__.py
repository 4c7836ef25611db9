"""The pure-Python core: no threads, no I/O imports. Import public names from `remi_web`."""
