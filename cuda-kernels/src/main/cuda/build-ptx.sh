#!/usr/bin/env bash
# Builds the PTX of cuda-kernels; run by Maven (process-resources) or by hand:
#   src/main/cuda/build-ptx.sh OUTPUT_DIR [WORK_DIR [GENERATED_DIR]]
# - compiles every src/main/cuda/*.cu to OUTPUT_DIR/<name>.ptx for a baseline virtual arch (the lowest CUDA 13
#   supports; the driver JIT-compiles it for the GPU at hand),
# - assembles each PTX with ptxas for real GPUs, to prove it assembles (the cubins stay in WORK_DIR),
# - instantiates the NVRTC template fused_elementwise.cu.template once and compiles + assembles it the same way,
# - writes OUTPUT_DIR/build-info.properties (what was built, by which nvcc), which tests and the GPU backend read.
# Without nvcc on PATH (or in $CUDA_HOME/bin) it says so, records nvcc=absent and exits 0: the project still builds,
# and the GPU backend reports itself unavailable. A compile or assembly error fails the build.
# GENERATED_DIR holds chunkwise_op_table.cuh, the op lists generated from the op table (src/codegen/GenerateOpTable.java).
# Environment: CHUNKWISE_PTX_ARCH (default compute_75), CHUNKWISE_PTXAS_SMS (default "sm_80 sm_90").
set -euo pipefail

src=$(cd "$(dirname "$0")" && pwd)
inc=$(cd "$src/../resources/io/chunkwise/cuda" && pwd)
out=${1:?usage: build-ptx.sh OUTPUT_DIR [WORK_DIR]}
work=${2:-$(mktemp -d)}
gen=${3:-$src/../../../target/generated-cuda}
arch=${CHUNKWISE_PTX_ARCH:-compute_75}
sms=${CHUNKWISE_PTXAS_SMS:-sm_80 sm_90}
say() { echo "[cuda-kernels] $*"; }

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

inputs=("$src"/*.cu "$src"/*.cuh "$inc"/*.cuh "$inc"/*.template "$gen"/*.cuh "$0")
if [[ -f $info ]] && grep -q '^nvcc=present' "$info"; then
    stale=0
    for f in "${inputs[@]}"; do [[ $f -nt $info ]] && stale=1; done
    if [[ $stale == 0 ]]; then say "PTX up to date"; exit 0; fi
fi

release=$("$nvcc" --version | sed -n 's/.*release \([0-9][0-9.]*\),.*/\1/p')
flags=(-ptx -arch="$arch" -std=c++17 -Werror all-warnings -I "$inc" -I "$gen")

assemble() { # PTX file, label
    for sm in $sms; do
        "$ptxas" -arch="$sm" "$1" -o "$work/$(basename "$1" .ptx).$sm.cubin"
    done
    say "ptxas $sms: $2 assembles"
}

kernels=()
for cu in "$src"/*.cu; do
    name=$(basename "$cu" .cu)
    "$nvcc" "${flags[@]}" "$cu" -o "$out/$name.ptx"
    entries=$(grep -c '^\.visible \.entry chunkwise_' "$out/$name.ptx" || true)
    say "nvcc $release -arch=$arch: $name.cu -> $name.ptx ($entries kernels)"
    assemble "$out/$name.ptx" "$name.ptx"
    kernels+=("$name")
done

# One instance of the NVRTC template, as the backend would make it (kept in WORK_DIR, not shipped).
check="$work/fused_elementwise_check.cu"
sed -e 's|@NAME@|chunkwise_fused_check_float64|' \
    -e 's|@PARAMS@|const double* __restrict__ in0, const double* __restrict__ in1,|' \
    -e 's|@OUT_T@|double|g' \
    -e 's|@EXPR@|cw_maximum(in0[i] * in0[i] + in1[i], 0.0) + cw_normal<double>(42ull, g, 0.0, 1.0)|' \
    "$inc/fused_elementwise.cu.template" > "$check"
if grep -q '@[A-Z_]*@' "$check"; then say "a placeholder of fused_elementwise.cu.template was not replaced"; exit 1; fi
"$nvcc" "${flags[@]}" "$check" -o "$work/fused_elementwise_check.ptx"
say "nvcc $release -arch=$arch: fused_elementwise.cu.template (one instance) compiles"
assemble "$work/fused_elementwise_check.ptx" "fused_elementwise_check.ptx"

isa=$(sed -n 's/^\.version \([0-9.]*\)/\1/p' "$out/${kernels[0]}.ptx" | head -1)
{
    echo "# written by src/main/cuda/build-ptx.sh"
    echo "nvcc=present"
    echo "cuda.release=$release"
    echo "ptx.arch=$arch"
    echo "ptx.isa=$isa"
    echo "ptxas.sms=$sms"
    echo "modules=${kernels[*]}"
} > "$info"
