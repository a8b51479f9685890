/* A stand-in python.exe: only present so the runtime archive has the layout of python-build-standalone's. */
int main(void) { return 0; }
