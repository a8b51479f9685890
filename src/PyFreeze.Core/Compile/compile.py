# PyFreeze batch compiler: run once per build by the target's CPython (python -I -S compile.py < jobs).
# Each stdin line is a JSON job {"src": PATH | null, "text": SOURCE | null, "dfile": NAME, "out": PATH, "optimize": N};
# each job answers one stdout line {"out": PATH} or {"out": PATH, "error": MESSAGE}.
# Output: unchecked-hash .pyc (PEP 552), so nothing depends on timestamps; co_filename is "dfile" (a relative
# name like "pkg/mod.py"), never a build-machine path; at run time the boot module (boot.py `_absolute_filenames`) or
# CPython's SourceFileLoader (--include-source) makes it the module's absolute path in the unpacked app.
import json
import os
import sys
from importlib import util
from importlib._bootstrap_external import _code_to_hash_pyc


def main():
    out = sys.stdout
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        job = json.loads(line)
        target = job["out"]
        try:
            if job.get("text") is not None:
                source = job["text"].encode("utf-8")
            else:
                with open(job["src"], "rb") as f:
                    source = f.read()
            code = compile(source, job["dfile"], "exec", dont_inherit=True, optimize=job.get("optimize", 0))
            data = _code_to_hash_pyc(code, util.source_hash(source), checked=False)
            tmp = "%s.%d.tmp" % (target, os.getpid())
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, target)
            answer = {"out": target}
        except SyntaxError as e:
            answer = {"out": target, "error": "%s: %s (line %s)" % (type(e).__name__, e.msg, e.lineno)}
        except (OSError, ValueError, UnicodeDecodeError) as e:
            answer = {"out": target, "error": "%s: %s" % (type(e).__name__, e)}
        out.write(json.dumps(answer) + "\n")
    out.flush()


main()
