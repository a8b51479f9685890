/* Stand-in for python-build-standalone's lib/libpython3.11.dylib (macOS arm64), for structural cross-build tests on
   Linux: it exports the entry point the interpreter executable calls and the PyInit_ functions of the modules a
   static python-build-standalone build has built in, which PyFreeze reads from the symbol table. Never run. */
int Py_BytesMain(int argc, char **argv) { (void)argv; return argc; }
#define BUILTIN(name) void *PyInit_##name(void) { return 0; }
BUILTIN(posix) BUILTIN(_io) BUILTIN(_thread) BUILTIN(_signal) BUILTIN(_sre) BUILTIN(_codecs) BUILTIN(_weakref)
BUILTIN(_abc) BUILTIN(_stat) BUILTIN(_collections) BUILTIN(_functools) BUILTIN(itertools) BUILTIN(_operator)
BUILTIN(time) BUILTIN(errno) BUILTIN(_json) BUILTIN(_struct) BUILTIN(math) BUILTIN(_datetime) BUILTIN(_random)
BUILTIN(_sha512) BUILTIN(_sha256) BUILTIN(_sha1) BUILTIN(_md5) BUILTIN(_sha3) BUILTIN(_blake2) BUILTIN(binascii)
BUILTIN(zlib) BUILTIN(select) BUILTIN(_socket) BUILTIN(_posixsubprocess) BUILTIN(fcntl) BUILTIN(array)
BUILTIN(_bisect) BUILTIN(_heapq) BUILTIN(_pickle) BUILTIN(_locale) BUILTIN(_contextvars) BUILTIN(atexit)
BUILTIN(faulthandler) BUILTIN(_tracemalloc) BUILTIN(_string) BUILTIN(_warnings) BUILTIN(_imp) BUILTIN(marshal)
BUILTIN(gc) BUILTIN(_symtable) BUILTIN(_opcode) BUILTIN(pwd) BUILTIN(_typing) BUILTIN(unicodedata)
BUILTIN(_decimal) BUILTIN(_scproxy) BUILTIN(_statistics) BUILTIN(_queue) BUILTIN(_asyncio) BUILTIN(_uuid)
