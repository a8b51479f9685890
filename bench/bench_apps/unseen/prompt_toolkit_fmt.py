"""prompt_toolkit: render formatted text to plain text, and run a non-interactive validator."""
from prompt_toolkit.formatted_text import HTML, to_plain_text
from prompt_toolkit.document import Document
from prompt_toolkit.validation import Validator, ValidationError
print(to_plain_text(HTML("<b>bold</b> and <i>it</i>")))
v = Validator.from_callable(str.isdigit, error_message="digits")
try:
    v.validate(Document("12a"))
except ValidationError as e:
    print("invalid:", e.message)
