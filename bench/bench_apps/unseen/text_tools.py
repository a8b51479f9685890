"""unidecode, regex, colorama, docopt, sqlparse, jmespath, psutil."""
"""Usage: text_tools.py [--n=N]"""
import docopt, unidecode, regex, colorama, sqlparse, jmespath, psutil
print(docopt.docopt("Usage: t [--n=N]", argv=["--n=3"]))
print(unidecode.unidecode("Grüße Köln 北京"), regex.findall(r"\p{Lu}\w+", "Hello World ÉTÉ"))
colorama.init(strip=False); print(repr(colorama.Fore.RED + "x" + colorama.Style.RESET_ALL))
print(sqlparse.format("select a,b from t where x=1", reindent=True, keyword_case="upper"))
print(jmespath.search("a[?b>`1`].c", {"a": [{"b": 1, "c": "x"}, {"b": 2, "c": "y"}]}))
print(psutil.Process().name() != "", psutil.cpu_count() > 0)
