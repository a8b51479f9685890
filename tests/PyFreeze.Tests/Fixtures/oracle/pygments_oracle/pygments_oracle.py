"""Oracle app: pygments, whose lexers, formatters and styles load by name at run time."""
from pygments import highlight
from pygments.formatters import HtmlFormatter, TerminalFormatter, get_formatter_by_name
from pygments.lexers import PythonLexer, get_lexer_by_name, guess_lexer
from pygments.styles import get_style_by_name

code = "def f(x):\n    return x + 1\n"
print(len(highlight(code, PythonLexer(), HtmlFormatter())))
print(len(highlight("var x = 1;", get_lexer_by_name("javascript"), TerminalFormatter())))
print(guess_lexer("#!/bin/bash\necho hi\n").name)
print(len(highlight(code, get_lexer_by_name("python"), get_formatter_by_name("latex"))))
print(get_style_by_name("monokai").background_color)
