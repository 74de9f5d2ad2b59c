#!/usr/bin/env bash
# Builds the C ABI: libengine.so (NativeAOT, from interop/Engine.Interop.csproj with -p:NativeAbi=true) into
# interop/native/build/, then, where a C compiler is found ($CC or cc), the C tests and the example host against it.
# Usage: [ENGINE_ISA=x86-64-v3|native|x86-64-v2] interop/native/build.sh [--lib-only]
# NativeAOT fixes the instruction sets at compile time (Avx2.IsSupported is a constant there, not a CPUID check), so
# ENGINE_ISA picks them: x86-64-v3 by default (AVX2, BMI2: every x64 CPU since about 2015, and what the generated
# BMI2/ADX kernels need), native for this machine's (AVX-512 lanes where it has them; the library then runs only on
# such CPUs), x86-64-v2 for older CPUs (portable code only).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$here/build"
isa=()
case "$(uname -m)" in
  x86_64) rid=linux-x64; isa=(-p:IlcInstructionSet="${ENGINE_ISA:-x86-64-v3}") ;;
  aarch64) rid=linux-arm64 ;;
  *) echo "no NativeAOT runtime identifier for $(uname -m)"; exit 1 ;;
esac
mkdir -p "$out"
dotnet publish "$root/interop/Engine.Interop.csproj" -c Release -r "$rid" -p:NativeAbi=true -p:IlcOptimizationPreference=Speed "${isa[@]}" -o "$out/publish" -nologo -v quiet
cp "$out/publish/libengine.so" "$out/libengine.so"
echo "built $out/libengine.so"
[ "${1:-}" = "--lib-only" ] && exit 0

cc="${CC:-cc}"
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "no C compiler ($cc): the C tests and the example are not built"
  exit 0
fi
flags=(-O2 -std=c11 -Wall -Wextra -Werror -I"$here/include" -L"$out" -lengine "-Wl,-rpath,\$ORIGIN")
"$cc" "$here/tests/engine_tests.c" "${flags[@]}" -o "$out/engine_tests"
"$cc" "$here/examples/bls_example.c" "${flags[@]}" -o "$out/bls_example"
"$cc" "$here/tests/abi_bench.c" "${flags[@]}" -o "$out/abi_bench"
"$cc" "$here/tests/two_server_host.c" "${flags[@]}" -o "$out/two_server_host"
echo "built $out/engine_tests, $out/bls_example, $out/abi_bench, $out/two_server_host"
