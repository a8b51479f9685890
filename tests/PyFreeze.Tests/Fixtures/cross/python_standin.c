/* A stand-in for python3XY.dll in cross-building tests (PyFreeze never runs a real Windows CPython here).
 * Exports Py_Main (wide argv, what the Windows bootloader calls) and Py_BytesMain. Py_Main prints, as UTF-8 lines:
 * its own path, each argument, whether each argument naming a file exists, the variable _PYFREEZE_EXECUTABLE, and
 * the dependency DLL's answer; then returns N when an argument is "exit=N" (else 0). With the argument "wait-ctrl-c"
 * it registers a console control handler, as CPython's signal set-up does, prints "ready" and waits up to 30 s for
 * Ctrl-C: it prints "ctrl-c" and returns 130 when one arrives. With the argument "--standin-fail" it does what the
 * boot module does with an uncaught exception in a windowed app: appends a fake traceback to the file named by
 * _PYFREEZE_ERROR_LOG (when that variable is set; it prints "error_log=PATH" then) and returns 1.
 * Build: x86_64-w64-mingw32-gcc -shared -O1 -o python311.dll python_standin.c pyfreeze_standin_dep.dll */
#include <windows.h>
#include <wchar.h>

__declspec(dllimport) int pyfreeze_standin_dep_answer(void);

static void out(const wchar_t *prefix, const wchar_t *text)
{
    static wchar_t line[8192];
    char utf8[3 * 8192];
    DWORD written;
    _snwprintf(line, 8191, L"%ls%ls\n", prefix, text);
    line[8191] = 0;
    int n = WideCharToMultiByte(CP_UTF8, 0, line, -1, utf8, sizeof utf8, NULL, NULL);
    if (n > 0)
        WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), utf8, (DWORD)(n - 1), &written, NULL);
}

static HANDLE ctrl_c;

static BOOL WINAPI on_ctrl(DWORD type)
{
    if (type != CTRL_C_EVENT)
        return FALSE;
    SetEvent(ctrl_c);
    return TRUE;
}

__declspec(dllexport) int Py_Main(int argc, wchar_t **argv)
{
    wchar_t buf[4096];
    HMODULE self = NULL;
    GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT, (LPCWSTR)&Py_Main, &self);
    GetModuleFileNameW(self, buf, 4096);
    out(L"dll=", buf);
    int code = 0;
    for (int i = 0; i < argc; i++)
    {
        _snwprintf(buf, 4095, L"argv[%d]=", i);
        out(buf, argv[i]);
        DWORD attrs = GetFileAttributesW(argv[i]);
        if (attrs != INVALID_FILE_ATTRIBUTES && wcslen(argv[i]) > 3)
            out(L"exists=", argv[i]);
        if (wcsncmp(argv[i], L"exit=", 5) == 0)
            code = _wtoi(argv[i] + 5);
    }
    if (GetEnvironmentVariableW(L"_PYFREEZE_EXECUTABLE", buf, 4096) > 0)
        out(L"executable=", buf);
    _snwprintf(buf, 4095, L"%d", pyfreeze_standin_dep_answer());
    out(L"dep=", buf);
    for (int i = 0; i < argc; i++)
    {
        if (wcscmp(argv[i], L"--standin-fail") != 0)
            continue;
        if (GetEnvironmentVariableW(L"_PYFREEZE_ERROR_LOG", buf, 4096) > 0)
        {
            out(L"error_log=", buf);
            /* the log's folder (under the cache root) is the boot module's to make, as os.makedirs does */
            wchar_t dir[4096];
            wcscpy(dir, buf);
            wchar_t *slash = wcsrchr(dir, L'\\');
            if (slash)
            {
                *slash = 0;
                CreateDirectoryW(dir, NULL);
            }
            HANDLE f = CreateFileW(buf, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
            if (f != INVALID_HANDLE_VALUE)
            {
                static const char tb[] = "Traceback (most recent call last):\r\n"
                                         "  File \"C:\\app\\wapp.py\", line 2, in <module>\r\n"
                                         "    main()\r\n"
                                         "ZeroDivisionError: division by zero (stand-in)\r\n";
                DWORD written;
                WriteFile(f, tb, sizeof tb - 1, &written, NULL);
                CloseHandle(f);
            }
        }
        return 1;
    }
    for (int i = 0; i < argc; i++)
    {
        if (wcscmp(argv[i], L"wait-ctrl-c") != 0)
            continue;
        ctrl_c = CreateEventW(NULL, TRUE, FALSE, NULL);
        SetConsoleCtrlHandler(on_ctrl, TRUE);
        out(L"ready", L"");
        if (WaitForSingleObject(ctrl_c, 30000) != WAIT_OBJECT_0)
            return 1;
        out(L"ctrl-c", L"");
        return 130;
    }
    return code;
}

__declspec(dllexport) int Py_BytesMain(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return 0;
}
