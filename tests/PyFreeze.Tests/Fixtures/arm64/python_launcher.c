/* The interpreter of a python-build-standalone-shaped tree: bin/python3.11 linked to the shared libpython3.11.so.1.0
   (Debian's libpython3.11:arm64), found through $ORIGIN/../lib, as python-build-standalone's interpreter is. Built
   for aarch64 with clang and the libc6-dev-arm64-cross start files by Arm64Target. */
extern int Py_BytesMain(int argc, char **argv);

int main(int argc, char **argv)
{
    return Py_BytesMain(argc, argv);
}
