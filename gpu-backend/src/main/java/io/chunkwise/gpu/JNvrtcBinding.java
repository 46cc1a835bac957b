package io.chunkwise.gpu;

import jcuda.nvrtc.JNvrtc;
import jcuda.nvrtc.nvrtcProgram;

import java.util.List;

/**
 * NVRTC through JCuda 12.6's JNvrtc, whose natives import {@code libnvrtc.so.12}. Where that library was found by
 * path it is loaded first ({@link Nvrtc}), so JNvrtc finds it even outside the system loader's search.
 */
final class JNvrtcBinding implements NvrtcBinding {
    private final String description;

    JNvrtcBinding(String where) {
        JNvrtc.setExceptionsEnabled(false);
        int[] major = {0}, minor = {0};
        NvrtcBinding.check(JNvrtc.nvrtcVersion(major, minor), "nvrtcVersion");
        description = "NVRTC " + major[0] + "." + minor[0] + " (" + where + ", JNvrtc)";
    }

    @Override public String describe() { return description; }

    @Override
    public String compile(String source, String name, List<String> headers, List<String> options) {
        int count = headers.size() / 2;
        String[] names = new String[count], texts = new String[count];
        for (int h = 0; h < count; h++) {
            names[h] = headers.get(2 * h);
            texts[h] = headers.get(2 * h + 1);
        }
        nvrtcProgram program = new nvrtcProgram();
        NvrtcBinding.check(JNvrtc.nvrtcCreateProgram(program, source, name, count, texts, names), "nvrtcCreateProgram");
        try {
            int r = JNvrtc.nvrtcCompileProgram(program, options.size(), options.toArray(new String[0]));
            if (r != 0) {
                String[] log = {""};
                JNvrtc.nvrtcGetProgramLog(program, log);
                throw new NvrtcException("nvrtcCompileProgram(" + name + ") failed: " + NvrtcBinding.resultName(r) + "\n" + log[0]);
            }
            String[] ptx = {null};
            NvrtcBinding.check(JNvrtc.nvrtcGetPTX(program, ptx), "nvrtcGetPTX");
            return ptx[0];
        } finally {
            JNvrtc.nvrtcDestroyProgram(program);
        }
    }

    @Override
    public int[] supportedArchs() {
        int[] n = {0};
        NvrtcBinding.check(JNvrtc.nvrtcGetNumSupportedArchs(n), "nvrtcGetNumSupportedArchs");
        int[] archs = new int[n[0]];
        NvrtcBinding.check(JNvrtc.nvrtcGetSupportedArchs(archs), "nvrtcGetSupportedArchs");
        return archs;
    }

    @Override public String toString() { return description; }
}
