/* Stand-in for python-build-standalone's bin/python3.11 (macOS arm64): calls libpython's Py_BytesMain, which it
   finds through @rpath (LC_RPATH @executable_path/../lib). Never run. */
extern int Py_BytesMain(int argc, char **argv);
int main(int argc, char **argv) { return Py_BytesMain(argc, argv); }
