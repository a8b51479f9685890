# Strings for translation: read by the app as text (an extraction input), never imported.
MESSAGES = [_("Hello"), _("Goodbye"), _("Thank you")]  # noqa: F821
