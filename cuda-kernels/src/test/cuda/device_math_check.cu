// The device math of cuda-kernels evaluated case by case, for the bit-identity check against the Java code
// (io.chunkwise.cuda.DeviceMathCases writes the cases and the Java results, and compares).
//
// One source, three builds:
// - g++ (host): chunkwise_device.cuh, unchanged, with the CUDA intrinsics it uses defined as the IEEE operations they
//   stand for (__dadd_rn is a + b, __umulhi the high word of the 64-bit product, bit casts by memcpy) and the math
//   functions of <cmath>; build with -ffp-contract=off, as nvcc's intrinsics never contract;
//     g++ -std=c++17 -O2 -ffp-contract=off -x c++ -I<header dir> -I<generated dir> device_math_check.cu
// - nvcc -ptx (device): the kernel chunkwise_device_math_check alone, the header as the kernels use it, built as the
//   kernels of cuda-kernels are (-fmad=false, ISA 8.0 label, a fatbin of sm_80/sm_90 SASS and the PTX);
// - g++ -DCW_DRIVER (the device's host side): reads the cases, loads <this executable>.fatbin through the CUDA
//   driver API (libcuda.so.1, opened at run time: nothing else of CUDA is needed, any driver from CUDA 12.0 on),
//   evaluates every case in one launch and prints the results; add -ldl.
// The op expressions come from the generated op table (chunkwise_op_table.cuh): each is evaluated as the prebuilt
// elementwise kernels evaluate it, T x = in; out = (T) (expr), with T double or float.
//
// Input, one case a line: <kind> <w0> <w1> <w2> <w3> (kind a name below, w* 64-bit hex words; doubles as raw bits,
// floats as the raw bits of the float). Output, one line a case: <r0> <r1> (hex; a float's raw bits; a bool 0 or 1).
// An unknown kind is an error (exit 2), so that the Java side and this file cannot drift apart silently.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#ifdef __CUDACC__
#define CW_EVAL __device__
#else
// ---- host build: CUDA's qualifiers and intrinsics as the IEEE operations they stand for ----
#include <cmath>
using namespace std; // the float overloads of the math functions, as CUDA's device library has them
#define __device__
#define __forceinline__ inline
#define CW_EVAL
static inline long long __double_as_longlong(double x) { long long r; memcpy(&r, &x, 8); return r; }
static inline double __longlong_as_double(long long x) { double r; memcpy(&r, &x, 8); return r; }
static inline int __float_as_int(float x) { int r; memcpy(&r, &x, 4); return r; }
static inline float __int_as_float(int x) { float r; memcpy(&r, &x, 4); return r; }
static inline unsigned int __umulhi(unsigned int a, unsigned int b) {
    return (unsigned int) (((unsigned long long) a * b) >> 32);
}
static inline double __dadd_rn(double a, double b) { return a + b; }
static inline double __dsub_rn(double a, double b) { return a - b; }
static inline double __dmul_rn(double a, double b) { return a * b; }
static inline double __ddiv_rn(double a, double b) { return a / b; }
static inline double __dsqrt_rn(double a) { return sqrt(a); }
static inline double __ll2double_rn(long long a) { return (double) a; }
#endif

#include "chunkwise_device.cuh"
#include "chunkwise_op_table.cuh"

typedef unsigned long long u64;

CW_EVAL inline double as_double(u64 w) { return __longlong_as_double((long long) w); }
CW_EVAL inline float as_float(u64 w) { return __int_as_float((int) (unsigned int) w); }
CW_EVAL inline u64 bits(double x) { return (u64) __double_as_longlong(x); }
CW_EVAL inline u64 bits(float x) { return (u64) (unsigned int) __float_as_int(x); }

// The op table's expressions, as the elementwise kernels of elementwise.cu evaluate them.
#define CW_UNARY_FN(op, expr) template <typename T> CW_EVAL T unary_##op(T x) { return (T) (expr); }
#define CW_BINARY_FN(op, expr) template <typename T> CW_EVAL T binary_##op(T a, T b) { return (T) (expr); }
#define CW_UNARY_PRED_FN(op, expr) template <typename T> CW_EVAL bool unary_##op(T x) { return (expr); }
#define CW_BINARY_PRED_FN(op, expr) template <typename T> CW_EVAL bool binary_##op(T a, T b) { return (expr); }
CHUNKWISE_UNARY_OPS(CW_UNARY_FN)
CHUNKWISE_BINARY_OPS(CW_BINARY_FN)
CHUNKWISE_UNARY_PREDICATES(CW_UNARY_PRED_FN)
CHUNKWISE_BINARY_PREDICATES(CW_BINARY_PRED_FN)

// The kinds: fixed ones, then unary_<op>_<dtype> and binary_<op>_<dtype> for every row of the op table.
#define CW_KINDS_U(op, expr) K_unary_##op##_float64, K_unary_##op##_float32,
#define CW_KINDS_B(op, expr) K_binary_##op##_float64, K_binary_##op##_float32,
enum Kind {
    K_philox, K_uniform_float64, K_uniform_float32, K_normal_float64, K_normal_float32, K_bm_log, K_bm_cos_two_pi,
    K_next_down_float64, K_next_down_float32, K_global_index,
    CHUNKWISE_UNARY_OPS(CW_KINDS_U) CHUNKWISE_UNARY_PREDICATES(CW_KINDS_U)
    CHUNKWISE_BINARY_OPS(CW_KINDS_B) CHUNKWISE_BINARY_PREDICATES(CW_KINDS_B)
    K_count
};
#define CW_NAMES_U(op, expr) "unary_" #op "_float64", "unary_" #op "_float32",
#define CW_NAMES_B(op, expr) "binary_" #op "_float64", "binary_" #op "_float32",
static const char* const KIND_NAMES[] = {
    "philox", "uniform_float64", "uniform_float32", "normal_float64", "normal_float32", "bm_log", "bm_cos_two_pi",
    "next_down_float64", "next_down_float32", "global_index",
    CHUNKWISE_UNARY_OPS(CW_NAMES_U) CHUNKWISE_UNARY_PREDICATES(CW_NAMES_U)
    CHUNKWISE_BINARY_OPS(CW_NAMES_B) CHUNKWISE_BINARY_PREDICATES(CW_NAMES_B)
};
static_assert(sizeof(KIND_NAMES) / sizeof(KIND_NAMES[0]) == K_count, "one name per kind");

CW_EVAL void eval(int kind, const u64* w, u64* r) {
    r[1] = 0;
    switch (kind) {
        case K_philox: {
            cw_philox_out x = cw_philox_element(w[0], w[1]);
            r[0] = ((u64) x.x0 << 32) | x.x1;
            r[1] = ((u64) x.x2 << 32) | x.x3;
            break;
        }
        case K_uniform_float64: r[0] = bits(cw_uniform<double>(w[0], w[1], as_double(w[2]), as_double(w[3]))); break;
        case K_uniform_float32: r[0] = bits(cw_uniform<float>(w[0], w[1], as_double(w[2]), as_double(w[3]))); break;
        case K_normal_float64: r[0] = bits(cw_normal<double>(w[0], w[1], as_double(w[2]), as_double(w[3]))); break;
        case K_normal_float32: r[0] = bits(cw_normal<float>(w[0], w[1], as_double(w[2]), as_double(w[3]))); break;
        case K_bm_log: r[0] = bits(cw_bm_log(as_double(w[0]))); break;
        case K_bm_cos_two_pi: r[0] = bits(cw_bm_cos_two_pi((long long) w[0])); break;
        case K_next_down_float64: r[0] = bits(cw_next_down(as_double(w[0]))); break;
        case K_next_down_float32: r[0] = bits(cw_next_down(as_float(w[0]))); break;
        case K_global_index: r[0] = cw_global_index((long long) w[0], (long long) w[1], (long long) w[2], (long long) w[3]); break;
#define CW_CASES_U(op, expr)                                                                                    \
        case K_unary_##op##_float64: r[0] = (u64) unary_##op<double>(as_double(w[0])); break;                  \
        case K_unary_##op##_float32: r[0] = (u64) unary_##op<float>(as_float(w[0])); break;
#define CW_CASES_B(op, expr)                                                                                    \
        case K_binary_##op##_float64: r[0] = (u64) binary_##op<double>(as_double(w[0]), as_double(w[1])); break; \
        case K_binary_##op##_float32: r[0] = (u64) binary_##op<float>(as_float(w[0]), as_float(w[1])); break;
#define CW_CASES_UV(op, expr)                                                                                   \
        case K_unary_##op##_float64: r[0] = bits(unary_##op<double>(as_double(w[0]))); break;                  \
        case K_unary_##op##_float32: r[0] = bits(unary_##op<float>(as_float(w[0]))); break;
#define CW_CASES_BV(op, expr)                                                                                   \
        case K_binary_##op##_float64: r[0] = bits(binary_##op<double>(as_double(w[0]), as_double(w[1]))); break; \
        case K_binary_##op##_float32: r[0] = bits(binary_##op<float>(as_float(w[0]), as_float(w[1]))); break;
        CHUNKWISE_UNARY_OPS(CW_CASES_UV)
        CHUNKWISE_BINARY_OPS(CW_CASES_BV)
        CHUNKWISE_UNARY_PREDICATES(CW_CASES_U)
        CHUNKWISE_BINARY_PREDICATES(CW_CASES_B)
        default: r[0] = r[1] = ~0ull; break;
    }
}

#ifdef __CUDACC__
extern "C" __global__ void __launch_bounds__(256)
chunkwise_device_math_check(const int* kinds, const u64* in, u64* out, long long n) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) blockDim.x * gridDim.x) {
        eval(kinds[i], in + 4 * i, out + 2 * i);
    }
}
#else

#ifdef CW_DRIVER
// ---- the CUDA driver API, opened at run time ----
#include <dlfcn.h>
#include <unistd.h>
typedef int CUresult;
typedef int CUdevice;
typedef struct CUctx_st* CUcontext;
typedef struct CUmod_st* CUmodule;
typedef struct CUfunc_st* CUfunction;
typedef unsigned long long CUdeviceptr;
static void* libcuda;
template <typename F> static F sym(const char* name) {
    void* f = dlsym(libcuda, name);
    if (!f) {
        fprintf(stderr, "device_math_check: libcuda.so.1 has no %s\n", name);
        exit(3);
    }
    return (F) f;
}
static void check(CUresult r, const char* what) {
    if (r != 0) {
        const char* text = "?";
        sym<CUresult (*)(CUresult, const char**)>("cuGetErrorString")(r, &text);
        fprintf(stderr, "device_math_check: %s: %s (%d)\n", what, text, r);
        exit(3);
    }
}

/** Evaluates the cases on device 0: the image is <this executable>.fatbin. */
static void evaluate_on_device(const std::vector<int>& kinds, const std::vector<u64>& in, std::vector<u64>& out) {
    libcuda = dlopen("libcuda.so.1", RTLD_NOW);
    if (!libcuda) {
        fprintf(stderr, "device_math_check: no CUDA driver: %s\n", dlerror());
        exit(3);
    }
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 16);
    if (len <= 0) { fprintf(stderr, "device_math_check: cannot find its own path\n"); exit(3); }
    exe[len] = 0;
    std::string path = std::string(exe) + ".fatbin";
    FILE* f = fopen(path.c_str(), "rb");
    if (!f) { fprintf(stderr, "device_math_check: cannot read %s\n", path.c_str()); exit(3); }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    std::vector<unsigned long long> image((size + 7) / 8 + 1, 0); // 8-byte aligned, as the driver wants a fatbin
    if (size <= 0 || fread(image.data(), 1, size, f) != (size_t) size) {
        fprintf(stderr, "device_math_check: cannot read %s\n", path.c_str());
        exit(3);
    }
    fclose(f);

    CUdevice dev;
    CUcontext ctx;
    CUmodule module;
    CUfunction kernel;
    CUdeviceptr dk, din, dout;
    long long n = (long long) kinds.size();
    check(sym<CUresult (*)(unsigned)>("cuInit")(0), "cuInit");
    check(sym<CUresult (*)(CUdevice*, int)>("cuDeviceGet")(&dev, 0), "cuDeviceGet");
    check(sym<CUresult (*)(CUcontext*, CUdevice)>("cuDevicePrimaryCtxRetain")(&ctx, dev), "cuDevicePrimaryCtxRetain");
    check(sym<CUresult (*)(CUcontext)>("cuCtxSetCurrent")(ctx), "cuCtxSetCurrent");
    check(sym<CUresult (*)(CUmodule*, const void*)>("cuModuleLoadData")(&module, image.data()), "cuModuleLoadData");
    check(sym<CUresult (*)(CUfunction*, CUmodule, const char*)>("cuModuleGetFunction")(&kernel, module,
          "chunkwise_device_math_check"), "cuModuleGetFunction");
    auto alloc = sym<CUresult (*)(CUdeviceptr*, size_t)>("cuMemAlloc_v2");
    auto htod = sym<CUresult (*)(CUdeviceptr, const void*, size_t)>("cuMemcpyHtoD_v2");
    auto dtoh = sym<CUresult (*)(void*, CUdeviceptr, size_t)>("cuMemcpyDtoH_v2");
    check(alloc(&dk, n * sizeof(int) + 8), "cuMemAlloc");
    check(alloc(&din, in.size() * sizeof(u64) + 8), "cuMemAlloc");
    check(alloc(&dout, out.size() * sizeof(u64) + 8), "cuMemAlloc");
    if (n > 0) {
        check(htod(dk, kinds.data(), n * sizeof(int)), "cuMemcpyHtoD");
        check(htod(din, in.data(), in.size() * sizeof(u64)), "cuMemcpyHtoD");
    }
    void* args[] = {&dk, &din, &dout, &n};
    check(sym<CUresult (*)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, void*, void**, void**)>(
              "cuLaunchKernel")(kernel, 256, 1, 1, 256, 1, 1, 0, nullptr, args, nullptr), "cuLaunchKernel");
    check(sym<CUresult (*)()>("cuCtxSynchronize")(), "the kernel");
    if (n > 0) check(dtoh(out.data(), dout, out.size() * sizeof(u64)), "cuMemcpyDtoH");
}
#endif

int main() {
    std::vector<int> kinds;
    std::vector<u64> in;
    char name[128];
    u64 w[4];
    while (scanf("%127s %llx %llx %llx %llx", name, &w[0], &w[1], &w[2], &w[3]) == 5) {
        int k = 0;
        while (k < K_count && strcmp(KIND_NAMES[k], name) != 0) k++;
        if (k == K_count) {
            fprintf(stderr, "device_math_check: unknown kind %s (the op table and this harness differ)\n", name);
            return 2;
        }
        kinds.push_back(k);
        in.insert(in.end(), w, w + 4);
    }
    long long n = (long long) kinds.size();
    std::vector<u64> out(2 * n);
#ifdef CW_DRIVER
    evaluate_on_device(kinds, in, out);
#else
    for (long long i = 0; i < n; i++) eval(kinds[i], &in[4 * i], &out[2 * i]);
#endif
    for (long long i = 0; i < n; i++) printf("%llx %llx\n", out[2 * i], out[2 * i + 1]);
    return 0;
}
#endif
