#!/usr/bin/env bash
# The test command: builds the solution (which publishes the bootloader kit for this machine) and runs every test.
# Pass xunit filters through, e.g. ./run-tests.sh --filter "FullyQualifiedName~Analyze".
set -euo pipefail
cd "$(dirname "$0")"
dotnet build PyFreeze.sln -c Debug --nologo -v minimal
dotnet test PyFreeze.sln -c Debug --no-build --nologo --logger "console;verbosity=normal" "$@"
