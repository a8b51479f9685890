"""A command-line program that the entry reaches only through its distribution's entry point."""
