"""Management commands, one module each, loaded by name (Django's layout)."""
