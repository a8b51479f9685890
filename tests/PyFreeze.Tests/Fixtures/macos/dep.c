/* Stand-in shared library an extension module links (libssl.3.dylib, a wheel's .dylibs/libfast.dylib). Never run. */
int standin_dep(void) { return 1; }
