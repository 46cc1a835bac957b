/*
 * A stand-in for libnvrtc.so.13 / .so.12, so that both NVRTC bindings (JNvrtc, FFM) are checked without a CUDA
 * toolkit: the symbols, argument order and types of the calls Chunkwise makes. Its "PTX" lists what it was given
 * (program name, headers, options) and then the source; a source holding #error fails with a log. Like the real
 * one it opens libnvrtc-builtins by name when compiling (NVRTC_FAKE_BUILTINS), which checks that the binding loaded
 * it from the same folder first.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { char *src, *name, *ptx, *log; int headers; char **header_names; } program_t;

const char *nvrtcGetErrorString(int r) { return r == 0 ? "NVRTC_SUCCESS" : "NVRTC_ERROR"; }

int nvrtcVersion(int *major, int *minor) { *major = NVRTC_FAKE_MAJOR; *minor = 4; return 0; }

int nvrtcCreateProgram(program_t **p, const char *src, const char *name, int n, const char *const *headers,
                       const char *const *names) {
    if (p == NULL || src == NULL || n < 0) return 3;
    program_t *q = calloc(1, sizeof *q);
    q->src = strdup(src);
    q->name = strdup(name ? name : "default_program");
    q->headers = n;
    q->header_names = calloc(n + 1, sizeof(char *));
    for (int h = 0; h < n; h++) {
        if (headers[h] == NULL || names[h] == NULL || strlen(headers[h]) == 0) return 3;
        q->header_names[h] = strdup(names[h]);
    }
    *p = q;
    return 0;
}

int nvrtcDestroyProgram(program_t **p) {
    if (p == NULL || *p == NULL) return 4;
    program_t *q = *p;
    for (int h = 0; h < q->headers; h++) free(q->header_names[h]);
    free(q->header_names); free(q->src); free(q->name); free(q->ptx); free(q->log); free(q);
    *p = NULL;
    return 0;
}

int nvrtcCompileProgram(program_t *p, int n, const char *const *options) {
    if (p == NULL) return 4;
    if (dlopen(NVRTC_FAKE_BUILTINS, RTLD_NOW) == NULL) return 7;
    if (strstr(p->src, "#error") != NULL) {
        p->log = strdup("fake.cu(1): error: #error directive");
        return 6;
    }
    size_t size = strlen(p->src) + strlen(p->name) + 64;
    for (int h = 0; h < p->headers; h++) size += strlen(p->header_names[h]) + 16;
    for (int o = 0; o < n; o++) size += strlen(options[o]) + 16;
    char *out = malloc(size), *at = out;
    at += sprintf(at, "// program %s\n", p->name);
    for (int h = 0; h < p->headers; h++) at += sprintf(at, "// header %s\n", p->header_names[h]);
    for (int o = 0; o < n; o++) at += sprintf(at, "// option %s\n", options[o]);
    strcpy(at, p->src);
    p->ptx = out;
    p->log = strdup("");
    return 0;
}

int nvrtcGetNumSupportedArchs(int *n) { *n = 3; return 0; }
int nvrtcGetSupportedArchs(int *archs) { archs[0] = 75; archs[1] = 80; archs[2] = 90; return 0; }

int nvrtcGetPTXSize(program_t *p, size_t *n) { if (p == NULL || p->ptx == NULL) return 4; *n = strlen(p->ptx) + 1; return 0; }
int nvrtcGetPTX(program_t *p, char *out) { if (p == NULL || p->ptx == NULL) return 4; strcpy(out, p->ptx); return 0; }
int nvrtcGetProgramLogSize(program_t *p, size_t *n) { if (p == NULL) return 4; *n = (p->log ? strlen(p->log) : 0) + 1; return 0; }
int nvrtcGetProgramLog(program_t *p, char *out) { if (p == NULL) return 4; strcpy(out, p->log ? p->log : ""); return 0; }

/* the rest of what JCuda's JNvrtc imports, never called here */
#define UNUSED(NAME) int NAME(void) { return 3; }
UNUSED(nvrtcAddNameExpression) UNUSED(nvrtcGetCUBIN) UNUSED(nvrtcGetCUBINSize) UNUSED(nvrtcGetLTOIR)
UNUSED(nvrtcGetLTOIRSize) UNUSED(nvrtcGetLoweredName) UNUSED(nvrtcGetNVVM) UNUSED(nvrtcGetNVVMSize)
UNUSED(nvrtcGetOptiXIR) UNUSED(nvrtcGetOptiXIRSize)
