"""sempkg: a regular package with data files and submodules."""
VALUE = "sempkg"
