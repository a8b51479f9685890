/* A stand-in extension module (.pyd): imports from the python DLL like a real one does. */
__declspec(dllimport) int Py_BytesMain(int argc, char **argv);
__declspec(dllexport) void *PyInit__standin(void) { return (void *)&Py_BytesMain; }
