#!/usr/bin/env bash
# Builds the GPU check bundle: bench/gpu-check.sh --bundle DIR [extra mvn arguments] (see there). Needs a JDK >= 21
# with jlink, Maven and what the build needs; nvcc for the device half of the bit-identity check (without it the
# bundle says so when run), g++ for its host half. Fails when the folder would exceed 60 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=${1:?usage: bench/gpu-bundle.sh DIR [extra mvn arguments]}
shift
limit_mib=60
say() { echo "gpu-bundle: $*"; }

# shellcheck source=/dev/null
. bin/find-jdk.sh || exit 1
[[ -x $JAVA_HOME/bin/jlink ]] || { say "no jlink in $JAVA_HOME/bin: a full JDK is needed" >&2; exit 1; }

# 1. the jars (test classes compiled too: -DskipTests only skips running them) and each module's class path
say "building gpu-backend and cpu-backend with Maven (JDK $CHUNKWISE_JAVA_FEATURE)"
log=$(mktemp "${TMPDIR:-/tmp}/gpu-bundle.XXXXXX")
if ! mvn -B -ntp -q -DskipTests -Dmaven.source.skip -Dmaven.javadoc.skip -pl gpu-backend,cpu-backend -am \
        package dependency:build-classpath -Dmdep.outputFile=target/bundle-classpath.txt -Dmdep.includeScope=test \
        "$@" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    say "the build failed (log in $log)" >&2
    exit 1
fi
rm -f "$log"

rm -rf "$out"
mkdir -p "$out/lib" "$out/native"
out=$(cd "$out" && pwd)

# 2. the jars: the modules', the test classes the check runs, and the third-party ones (natives trimmed)
jars=$( { for m in gpu-backend cpu-backend; do tr ':' '\n' <"$m/target/bundle-classpath.txt"; echo; done; } | sed '/^$/d' | sort -u)
for m in array-api cuda-kernels gpu-backend cpu-backend; do
    cp "$m"/target/"$m"-*-SNAPSHOT.jar "$out/lib/" 2>/dev/null || cp "$m"/target/"$m"-[0-9]*.jar "$out/lib/"
done
cp array-api/target/array-api-*-tests.jar "$out/lib/"
rm -f "$out"/lib/*-sources.jar "$out"/lib/*-javadoc.jar
(cd gpu-backend/target/test-classes && "$JAVA_HOME/bin/jar" --create --file "$out/lib/gpu-backend-tests.jar" .)
(cd cuda-kernels/target/test-classes && "$JAVA_HOME/bin/jar" --create --file "$out/lib/cuda-kernels-tests.jar" .)

trim() { # jar, entries to drop (zip patterns): a copy without them (the jar itself where zip is missing)
    local work
    command -v zip >/dev/null 2>&1 || { echo "$1"; return; }
    work=$(mktemp -d)
    cp "$1" "$work/x.jar"
    shift
    (cd "$work" && zip -q -d x.jar "$@" >/dev/null 2>&1 || true)
    echo "$work/x.jar"
}
while read -r jar; do
    [[ -n $jar && -f $jar ]] || continue
    case $jar in
        "$root"/*) continue ;; # the modules, copied above
        *jcuda-natives-*) # the PTX compiler (24 MB) is not used: the kernels come as fatbin/PTX for the driver
            cp "$(trim "$jar" 'lib/libJNvPTXCompiler*')" "$out/lib/$(basename "$jar")" ;;
        *openblas-*-linux-x86_64.jar) # the CPU backend binds openblas_nolapack only; xz takes it from 12 to 5 MB
            slim=$(trim "$jar" '*/libjniopenblas.so' '*/libjniopenblas_full.so' '*/include/*' '*/lib/cmake/*' '*/lib/pkgconfig/*')
            if command -v xz >/dev/null 2>&1 && command -v zip >/dev/null 2>&1; then
                # stored (not deflated) entries, so that xz sees the libraries themselves
                ex=$(mktemp -d)
                (cd "$ex" && unzip -q "$slim" && zip -q -0 -r -X stored.jar . -x stored.jar)
                mkdir -p "$out/lib/xz"
                xz -9 -c "$ex/stored.jar" >"$out/lib/xz/$(basename "$jar").xz"
                rm -rf "$ex"
            else
                cp "$slim" "$out/lib/$(basename "$jar")"
            fi ;;
        *) cp "$jar" "$out/lib/" ;;
    esac
done <<<"$jars"

# 3. the Java runtime
modules=java.base,java.logging,java.management,jdk.management,jdk.unsupported,jdk.incubator.vector
say "jlink: $modules"
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=zip-9 \
    --output "$out/jre" 2>&1 | grep -v 'incubator modules' || true
if command -v strip >/dev/null 2>&1; then find "$out/jre" -name '*.so' -exec strip --strip-unneeded {} + || true; fi

# 4. the device-math harness: its kernel built as cuda-kernels builds its kernels (PTX labelled ISA 8.0, checked by
#    ptxas, a fatbin of sm_80/sm_90 SASS and that PTX), loaded through the driver API by a host program that opens
#    libcuda.so.1 at run time (so any driver from CUDA 12.0 on will do); and the host build (g++), which runs anywhere
harness=cuda-kernels/src/test/cuda/device_math_check.cu
inc=(-I cuda-kernels/src/main/resources/io/chunkwise/cuda -I cuda-kernels/target/generated-cuda)
if ! command -v g++ >/dev/null 2>&1; then
    say "g++ not found: the bundle has no device-math harness"
elif ! command -v nvcc >/dev/null 2>&1 || ! command -v ptxas >/dev/null 2>&1 || ! command -v fatbinary >/dev/null 2>&1 \
        || [[ ! -f cuda-kernels/target/generated-cuda/chunkwise_op_table.cuh ]]; then
    say "nvcc, ptxas or fatbinary not found (or the op header not generated): the bundle has no device half of the bit-identity check"
else
    work=$(mktemp -d)
    nvcc -ptx -arch=compute_75 -std=c++17 -O2 -fmad=false -Werror all-warnings "${inc[@]}" "$harness" -o "$work/dm.ptx"
    sed -i 's/^\.version [0-9.]*$/.version 8.0/' "$work/dm.ptx"
    for sm in sm_75 sm_80 sm_90; do ptxas -arch=$sm "$work/dm.ptx" -o "$work/dm.$sm.cubin"; done
    fatbinary -64 --compress=false --create="$out/native/device_math_check.fatbin" \
        --image3=kind=elf,sm=80,file="$work/dm.sm_80.cubin" --image3=kind=elf,sm=90,file="$work/dm.sm_90.cubin" \
        --image3=kind=ptx,sm=75,file="$work/dm.ptx"
    g++ -std=c++17 -O2 -ffp-contract=off -Wno-unknown-pragmas -DCW_DRIVER -x c++ "${inc[@]}" "$harness" \
        -o "$out/native/device_math_check" -ldl
    echo "nvcc $(nvcc --version | sed -n 's/.*release \([0-9.]*\),.*/\1/p'), PTX ISA 8.0, SASS sm_80 sm_90" \
        >"$out/native/device_math_check.built-by"
    rm -rf "$work"
    say "device-math harness: kernel fatbin (SASS sm_80, sm_90; PTX ISA 8.0) + a driver-API host program"
fi
if command -v g++ >/dev/null 2>&1; then
    g++ -std=c++17 -O2 -ffp-contract=off -Wno-unknown-pragmas -x c++ "${inc[@]}" "$harness" -o "$out/native/device_math_check_host"
fi

# 5. the script
flags=$(sed -n 's:.*<chunkwise.jvm.flags>\(.*\)</chunkwise.jvm.flags>.*:\1:p' pom.xml)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
sed -e "s|@FLAGS@|$flags|" -e "s|@COMMIT@|$commit|" >"$out/run.sh" <<'EOF'
#!/usr/bin/env bash
# The Chunkwise GPU check (issue 14), built from commit @COMMIT@. Needs only an NVIDIA driver (libcuda.so.1, CUDA 12.0 on) and,
# for GEMM, a libcublas.so.12 or .13 where the backend finds it. Prints, in a few minutes:
#   1. the device math (Philox, uniform/normal, the op table's expressions) on the GPU vs Java, bit for bit,
#   2. the GPU conformance result (the public contract and the SPI on the GPU backend),
#   3. the performance table (chunked GEMM vs one cuBLAS call, x*x+10 vs a device copy, sum vs read, vs the CPU).
#   DIR/run.sh [--quick]     (--quick: small sizes; CHUNKWISE_JAVA_OPTS adds JVM options, e.g. -Xmx64g)
# Each part has a time limit (60 s, 150 s, 150 s), so the whole stays under 6 minutes even when a part hangs.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cp="$here/lib/*"
# jars kept xz-compressed to fit the bundle (OpenBLAS, the CPU backend's GEMM), unpacked to a temporary folder
if compgen -G "$here/lib/xz/*.xz" >/dev/null; then
    if command -v xz >/dev/null 2>&1; then
        unpacked=$(mktemp -d "${TMPDIR:-/tmp}/chunkwise-gpu-check.XXXXXX")
        trap 'rm -rf "$unpacked"' EXIT
        for f in "$here"/lib/xz/*.xz; do xz -dc "$f" >"$unpacked/$(basename "$f" .xz)"; done
        cp="$cp:$unpacked/*"
    else
        echo "note: xz not found, so OpenBLAS stays packed: the CPU backend's GEMM runs without it (slower)"
    fi
fi
java=("$here/jre/bin/java" @FLAGS@ ${CHUNKWISE_JAVA_OPTS:-} -cp "$cp")
status=0
section() { printf '\n== %s\n' "$*"; }
limit() { local s=$1; shift; if command -v timeout >/dev/null 2>&1; then timeout "$s" "$@"; else "$@"; fi; }

echo "chunkwise gpu-check bundle (commit @COMMIT@) on $(uname -n), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | sed 's/^/gpu: /'
else
    echo "gpu: nvidia-smi not found"
fi
reason=$("${java[@]}" io.chunkwise.gpu.GpuCheckProbe 2>/dev/null) || true
if [[ -n $reason ]]; then
    echo "NO GPU: the GPU backend is not usable here: $reason"
    echo "(what follows runs as far as it can without one)"
fi

section "1. device math vs Java, bit for bit"
if [[ -x $here/native/device_math_check_host ]]; then
    limit 60 "${java[@]}" io.chunkwise.cuda.DeviceMathCases "$here/native/device_math_check_host" 2 | sed 's/^device math:/host (g++):/' || status=1
fi
if [[ ! -x $here/native/device_math_check ]]; then
    echo "device: not built (no nvcc where the bundle was made)"
elif [[ -n $reason ]]; then
    echo "device: skipped, no GPU ($reason)"
else
    limit 60 "${java[@]}" io.chunkwise.cuda.DeviceMathCases "$here/native/device_math_check" 4 | sed 's/^device math:/device (nvcc):/' || status=1
fi

section "2. GPU conformance"
limit 150 "${java[@]}" io.chunkwise.gpu.GpuCheckTests || status=1

section "3. performance"
limit 150 "${java[@]}" io.chunkwise.gpu.GpuCheckBench "$@" || status=1

echo
if [[ -n $reason ]]; then
    echo "gpu-check: NO GPU here ($reason): nothing was verified on a GPU"
elif [[ $status == 0 ]]; then
    echo "gpu-check: done, every check passed (see the targets of the table)"
else
    echo "gpu-check: done, with failures (above)"
fi
exit $status
EOF
chmod +x "$out/run.sh"

size=$(du -sm "$out" | cut -f1)
say "$out: $size MiB (jre $(du -sm "$out/jre" | cut -f1), lib $(du -sm "$out/lib" | cut -f1), native $(du -sm "$out/native" | cut -f1))"
if (( size > limit_mib )); then
    say "the bundle is $size MiB, over its limit of $limit_mib MiB" >&2
    exit 1
fi
say "copy $out to the GPU machine and run $(basename "$out")/run.sh there"
