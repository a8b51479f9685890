"""The fixture app's own package: data beside it and a plugin its distribution declares as an entry point."""
