/* Stand-in extension module (lib-dynload/_ssl and a site-packages module), linked against a stand-in dylib through
   @rpath or @loader_path, as python-build-standalone's OpenSSL and delocate-built wheels are. Never run. */
extern int standin_dep(void);
#define CAT(a, b) a##b
#define INIT(m) CAT(PyInit_, m)
void *INIT(MODULE)(void) { return (void *)(long)standin_dep(); }
