#!/usr/bin/env bash
# The test command: builds the solution (which publishes the bootloader kit for this machine) and runs every test.
#   ./run-tests.sh                 every test (the full suite: end-to-end builds, real binaries, Wine, Xvfb)
#   ./run-tests.sh --fast          the fast lane: unit tests that start no process (xunit trait Lane=Fast), no kit published
#   ./run-tests.sh --rest          every test not in the fast lane (CI runs --fast, then --rest)
# Further arguments go to dotnet test, e.g. ./run-tests.sh --filter "FullyQualifiedName~Analyze".
set -euo pipefail
cd "$(dirname "$0")"
build=()
case "${1:-}" in
  --fast) shift; set -- --filter "Lane=Fast" "$@"; build=(-p:PyFreezeSkipKit=true) ;;
  --rest) shift; set -- --filter "Lane!=Fast" "$@" ;;
esac
dotnet build PyFreeze.sln -c Debug --nologo -v minimal "${build[@]}"
dotnet test PyFreeze.sln -c Debug --no-build --nologo --logger "console;verbosity=normal" "$@"
