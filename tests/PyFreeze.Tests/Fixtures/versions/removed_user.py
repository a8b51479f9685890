"""An app module written for 3.11 that copes when PEP 594 removed its module (cgi, gone in 3.13)."""
try:
    import cgi
except ImportError:
    cgi = None


def available():
    return cgi is not None
