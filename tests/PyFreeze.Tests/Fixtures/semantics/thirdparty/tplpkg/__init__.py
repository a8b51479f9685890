"""Templates for jinja2's PackageLoader."""
