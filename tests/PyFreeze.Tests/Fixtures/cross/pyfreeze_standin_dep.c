/* A DLL the stand-in python DLL imports, so the build must find it through the PE import table and bundle it. */
__declspec(dllexport) int pyfreeze_standin_dep_answer(void) { return 42; }
