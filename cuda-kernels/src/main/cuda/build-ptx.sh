#!/usr/bin/env bash
# Builds the kernels of cuda-kernels; run by Maven (process-resources) or by hand:
#   src/main/cuda/build-ptx.sh OUTPUT_DIR [WORK_DIR [GENERATED_DIR]]
# - compiles every src/main/cuda/*.cu to OUTPUT_DIR/<name>.ptx for a baseline virtual arch, and labels that PTX with
#   an ISA a CUDA 12.0 driver JIT-compiles (8.0; nvcc 13 writes 9.0 although these kernels use nothing of it),
# - assembles that PTX with ptxas for the baseline and for real GPUs: ptxas refuses an instruction newer than the
#   labelled ISA, so the label is checked, and the build fails when the shipped ISA is above the limit (8.0),
# - packs the sm_80 and sm_90 SASS and the PTX into OUTPUT_DIR/<name>.fatbin (uncompressed, which every CUDA 12/13
#   driver reads): A100, H100 and H200 load their SASS without a JIT, other GPUs JIT-compile the PTX,
# - instantiates the NVRTC templates (fused_elementwise.cu.template, strided_copy.cu.template) once each and compiles +
#   assembles them the same way,
# - writes OUTPUT_DIR/build-info.properties (what was built, by which nvcc, for which drivers), which tests and the
#   GPU backend read.
# Without nvcc on PATH (or in $CUDA_HOME/bin) it says so, records nvcc=absent and exits 0: the project still builds,
# and the GPU backend reports itself unavailable. A compile or assembly error fails the build.
# GENERATED_DIR holds chunkwise_op_table.cuh, the op lists generated from the op table (src/codegen/GenerateOpTable.java).
# Environment: CHUNKWISE_PTX_ARCH (default compute_75), CHUNKWISE_SASS_SMS (default "sm_80 sm_90"),
#              CHUNKWISE_PTX_ISA (default 8.0, at most 8.0: the ISA the PTX is labelled with).
set -euo pipefail

src=$(cd "$(dirname "$0")" && pwd)
inc=$(cd "$src/../resources/io/chunkwise/cuda" && pwd)
out=${1:?usage: build-ptx.sh OUTPUT_DIR [WORK_DIR]}
work=${2:-$(mktemp -d)}
gen=${3:-$src/../../../target/generated-cuda}
arch=${CHUNKWISE_PTX_ARCH:-compute_75}
sms=${CHUNKWISE_SASS_SMS:-${CHUNKWISE_PTXAS_SMS:-sm_80 sm_90}}
isa_max=8.0 # CUDA 12.0 drivers JIT-compile PTX up to ISA 8.0
isa=${CHUNKWISE_PTX_ISA:-$isa_max}
say() { echo "[cuda-kernels] $*"; }

# ISA x.y as the integer 10x+y, for comparisons
isa_num() { local v=$1; [[ $v =~ ^([0-9]+)\.([0-9])$ ]] || { say "not a PTX ISA version: $v"; exit 1; }; echo $((BASH_REMATCH[1] * 10 + BASH_REMATCH[2])); }
if (( $(isa_num "$isa") > $(isa_num "$isa_max") )); then
    say "CHUNKWISE_PTX_ISA=$isa is above $isa_max, the newest PTX ISA a CUDA 12.0 driver loads"
    exit 1
fi

mkdir -p "$out" "$work"
info="$out/build-info.properties"

nvcc=$(command -v nvcc || true)
if [[ -z $nvcc && -n ${CUDA_HOME:-} && -x $CUDA_HOME/bin/nvcc ]]; then nvcc=$CUDA_HOME/bin/nvcc; fi
if [[ -z $nvcc ]]; then
    say "nvcc not found on PATH or in \$CUDA_HOME/bin: PTX not built (the GPU backend will report itself unavailable)"
    printf 'nvcc=absent\n' > "$info"
    exit 0
fi
[[ -f $gen/chunkwise_op_table.cuh ]] || { say "no $gen/chunkwise_op_table.cuh: run the build (GenerateOpTable) first"; exit 1; }
ptxas=$(command -v ptxas || true)
[[ -n $ptxas ]] || ptxas=$(dirname "$nvcc")/ptxas
[[ -x $ptxas ]] || { say "nvcc found but no ptxas beside it or on PATH"; exit 1; }
fatbinary=$(command -v fatbinary || true)
[[ -n $fatbinary ]] || fatbinary=$(dirname "$nvcc")/fatbinary
[[ -x $fatbinary ]] || { say "nvcc found but no fatbinary beside it or on PATH"; exit 1; }

inputs=("$src"/*.cu "$src"/*.cuh "$inc"/*.cuh "$inc"/*.template "$gen"/*.cuh "$0")
if [[ -f $info ]] && grep -q '^nvcc=present' "$info"; then
    stale=0
    for f in "${inputs[@]}"; do [[ $f -nt $info ]] && stale=1; done
    if [[ $stale == 0 ]]; then say "PTX up to date"; exit 0; fi
fi

release=$("$nvcc" --version | sed -n 's/.*release \([0-9][0-9.]*\),.*/\1/p')
flags=(-ptx -arch="$arch" -std=c++17 -fmad=false -Werror all-warnings -I "$inc" -I "$gen")

# Labels a PTX file with ISA $isa where nvcc wrote a newer one (older labels stay), then checks the result.
relabel() { # PTX file
    local was
    was=$(sed -n 's/^\.version \([0-9.]*\)$/\1/p' "$1" | head -n 1)
    [[ -n $was ]] || { say "$1 has no .version line"; exit 1; }
    if (( $(isa_num "$was") > $(isa_num "$isa") )); then
        sed -i "s/^\.version $was\$/.version $isa/" "$1"
    fi
    nvcc_isa=$was
}

# ptxas assembles the PTX for the baseline and for every SASS target: it refuses any instruction or directive that
# needs a newer ISA than the file's .version, so this proves the label honest. Cubins go to WORK_DIR.
assemble() { # PTX file, label
    local got base
    got=$(sed -n 's/^\.version \([0-9.]*\)$/\1/p' "$1" | head -n 1)
    if (( $(isa_num "$got") > $(isa_num "$isa_max") )); then
        say "$2 is PTX ISA $got: CUDA 12.0 drivers load $isa_max at most"
        exit 1
    fi
    base=${arch/compute_/sm_}
    for sm in $base $sms; do
        "$ptxas" -arch="$sm" "$1" -o "$work/$(basename "$1" .ptx).$sm.cubin"
    done
    say "ptxas $base $sms: $2 (PTX ISA $got) assembles"
}

# One fatbin per module: the SASS of every target and the PTX, uncompressed.
pack() { # module name
    local images=()
    for sm in $sms; do images+=("--image3=kind=elf,sm=${sm#sm_},file=$work/$1.$sm.cubin"); done
    images+=("--image3=kind=ptx,sm=${arch#compute_},file=$out/$1.ptx")
    "$fatbinary" -64 --compress=false --create="$out/$1.fatbin" "${images[@]}"
    say "fatbinary: $1.fatbin (SASS $sms + PTX, $(wc -c <"$out/$1.fatbin") bytes)"
}

kernels=()
for cu in "$src"/*.cu; do
    name=$(basename "$cu" .cu)
    "$nvcc" "${flags[@]}" "$cu" -o "$out/$name.ptx"
    relabel "$out/$name.ptx"
    entries=$(grep -c '^\.visible \.entry chunkwise_' "$out/$name.ptx" || true)
    say "nvcc $release -arch=$arch: $name.cu -> $name.ptx ($entries kernels, ISA $nvcc_isa labelled $isa)"
    assemble "$out/$name.ptx" "$name.ptx"
    pack "$name"
    kernels+=("$name")
done

# One instance of the NVRTC template, as the backend would make it (kept in WORK_DIR, not shipped).
check="$work/fused_elementwise_check.cu"
sed -e 's|@NAME@|chunkwise_fused_check_float64|' \
    -e 's|@PARAMS@|const double* __restrict__ in0, long long* __restrict__ out, long long n, long long d0, long long s0_0, double p0|' \
    -e 's|@BODY@|        cw_i64 v = cw_to_int64(cw_maximum(in0[i * s0_0] * in0[i * s0_0], p0) + cw_normal<double>(42ull, i, 0.0, 1.0)); out[i] = (fabs(v) * v).v;|' \
    "$inc/fused_elementwise.cu.template" > "$check"
if grep -q '@[A-Z_]*@' "$check"; then say "a placeholder of fused_elementwise.cu.template was not replaced"; exit 1; fi
"$nvcc" "${flags[@]}" "$check" -o "$work/fused_elementwise_check.ptx"
relabel "$work/fused_elementwise_check.ptx"
say "nvcc $release -arch=$arch: fused_elementwise.cu.template (one instance) compiles"
assemble "$work/fused_elementwise_check.ptx" "fused_elementwise_check.ptx"

copy="$work/strided_copy_check.cu"
sed -e 's|@NAME@|chunkwise_copy_64_rank1|' -e 's|@T@|unsigned long long|g' \
    -e 's|@PARAMS@|long long d0, long long s0, long long t0|' \
    -e 's|@INDEX@|        { long long c = r; o += c * s0; q += c * t0; }|' \
    "$inc/strided_copy.cu.template" > "$copy"
if grep -q '@[A-Z_]*@' "$copy"; then say "a placeholder of strided_copy.cu.template was not replaced"; exit 1; fi
"$nvcc" "${flags[@]}" "$copy" -o "$work/strided_copy_check.ptx"
relabel "$work/strided_copy_check.ptx"
say "nvcc $release -arch=$arch: strided_copy.cu.template (one instance) compiles"
assemble "$work/strided_copy_check.ptx" "strided_copy_check.ptx"

shipped=$(sed -n 's/^\.version \([0-9.]*\)$/\1/p' "$out/${kernels[0]}.ptx" | head -n 1)
# the CUDA release whose driver first JIT-compiles that ISA: 7.y is CUDA 11.y, 8.0 is CUDA 12.0
n=$(isa_num "$shipped")
driver_min=$((n / 10 + 4)).$((n % 10))
{
    echo "# written by src/main/cuda/build-ptx.sh"
    echo "nvcc=present"
    echo "cuda.release=$release"
    echo "ptx.arch=$arch"
    echo "ptx.isa=$shipped"
    echo "nvcc.ptx.isa=$nvcc_isa"
    echo "driver.min=$driver_min"
    echo "sass.sms=$sms"
    echo "images=fatbin ptx"
    echo "modules=${kernels[*]}"
} > "$info"
