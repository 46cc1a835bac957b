#!/usr/bin/env bash
# Runs the GPU conformance tests (the @Tag("gpu") tests of gpu-backend: GpuBackend against the reference backend, and
# the public contract on the GPU backend) and prints one line per test. Exits non-zero when a test fails or the build
# breaks. Where there is no usable GPU the tests are skipped: it prints the GPU backend's reason and exits 0.
#
#   bench/gpu-check.sh [extra mvn arguments, e.g. -o]
#   bench/gpu-check.sh --bundle DIR [extra mvn arguments]
#
# --bundle DIR builds, here, a folder of at most 60 MiB that runs on a machine with only an NVIDIA driver (no JDK, no
# Maven, no network): a jlink'ed Java runtime, the jars, the natives needed (JCuda's driver, runtime and cuBLAS
# bindings; OpenBLAS for the CPU backend), the device-math harness built by nvcc (and by g++ for the host), and
# DIR/run.sh, which prints in a few minutes: the host-vs-device bit-identity check of the device math, the GPU
# conformance result and the performance table (chunked GEMM vs one cuBLAS call, fused x*x+10 vs a device copy,
# sum vs read bandwidth, speed-up over the CPU backend). Copy DIR over and run DIR/run.sh there.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ${1:-} == --bundle ]]; then
    [[ -n ${2:-} ]] || { echo "usage: bench/gpu-check.sh --bundle DIR [extra mvn arguments]" >&2; exit 2; }
    dir=$2
    shift 2
    exec bash bench/gpu-bundle.sh "$dir" "$@"
fi

# A JDK >= 21: bin/find-jdk.sh when the checkout has it, else the newest under /usr/lib/jvm.
if [[ -f bin/find-jdk.sh ]]; then
    # shellcheck source=/dev/null
    . bin/find-jdk.sh || exit 1
else
    feature() { "$1/bin/java" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1; }
    best="" best_v=0
    for home in ${JAVA_HOME:+"$JAVA_HOME"} /usr/lib/jvm/*; do
        [[ -x $home/bin/java && -x $home/bin/javac ]] || continue
        v=$(feature "$home")
        if [[ -n $v && $v -ge 21 && $v -gt $best_v ]]; then best=$home best_v=$v; fi
    done
    [[ -n $best ]] || { echo "gpu-check: no JDK >= 21 found (set JAVA_HOME)" >&2; exit 1; }
    export JAVA_HOME=$best PATH="$best/bin:$PATH"
fi

reports=gpu-backend/target/surefire-reports
log=$(mktemp "${TMPDIR:-/tmp}/gpu-check.XXXXXX")
rm -rf "$reports"
echo "gpu-check: mvn -pl gpu-backend -am test -Dgroups=gpu (JDK at $JAVA_HOME; log in $log)"
if ! mvn -B -ntp -pl gpu-backend -am test -Dgroups=gpu "$@" >"$log" 2>&1; then
    mvn_failed=1
else
    mvn_failed=0
fi

shopt -s nullglob
xml=("$reports"/TEST-*.xml)
if [[ ${#xml[@]} == 0 ]]; then
    tail -n 40 "$log"
    echo "gpu-check: no test reports in $reports: the build failed before the tests ran" >&2
    exit 1
fi

# One "result<TAB>test<TAB>detail" line per test case of the surefire XML reports.
results=$(awk '
    function flush() { if (name != "") print result "\t" cls "." name "\t" detail; name = "" }
    function attr(s, a,   r) { r = s; if (!sub(".*[[:space:]]" a "=\"", "", r)) return ""; sub("\".*", "", r); return r }
    /<testcase / {
        flush(); name = attr($0, "name"); cls = attr($0, "classname"); sub(".*\\.", "", cls)
        result = "passed"; detail = ""
        if ($0 ~ /\/>[[:space:]]*$/) flush()
        next
    }
    name != "" && /<skipped/ { result = "skipped"; detail = attr($0, "message")
        if (detail == "" && match($0, /Assumption failed: .*/)) detail = substr($0, RSTART + 19) }
    name != "" && /<failure/ { result = "FAILED"; detail = attr($0, "message") }
    name != "" && /<error/ { result = "ERROR"; detail = attr($0, "message") }
    /<\/testcase>/ { flush() }
    END { flush() }' "${xml[@]}")

printf '%-85s %s\n' "test" "result"
printf '%-85s %s\n' "----" "------"
while IFS=$'\t' read -r result test detail; do
    printf '%-85s %s\n' "$test" "$result"
done <<<"$results"

total=$(grep -c . <<<"$results" || true)
failed=$(grep -c -E '^(FAILED|ERROR)' <<<"$results" || true)
skipped=$(grep -c '^skipped' <<<"$results" || true)
echo
if [[ $failed -gt 0 ]]; then
    grep -E '^(FAILED|ERROR)' <<<"$results" | cut -f2,3 | sed -e 's/^/  /' -e 's/\t/: /' || true
    echo "gpu-check: $failed of $total GPU tests failed (details in $reports and $log)" >&2
    exit 1
fi
if [[ $mvn_failed == 1 ]]; then
    tail -n 40 "$log"
    echo "gpu-check: the build failed (log in $log)" >&2
    exit 1
fi
if [[ $skipped == "$total" ]]; then
    reason=$(grep '^skipped' <<<"$results" | cut -f3 | sort | uniq -c | sort -rn | head -n 1 | sed 's/^ *[0-9]* //')
    echo "gpu-check: no usable GPU here: ${reason#GPU backend unavailable: }"
    echo "gpu-check: all $total GPU tests were skipped"
    exit 0
fi
if [[ $skipped -gt 0 ]]; then extra=", $skipped skipped"; else extra=""; fi
echo "gpu-check: $((total - skipped)) of $total GPU tests passed$extra"
