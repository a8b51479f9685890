"""Dialects, one module per database, imported by name from create_engine."""
