package io.chunkwise.cuda;

import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.UnaryOp;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 14, 5(a): the device math, compiled for the host with g++ (the CUDA intrinsics defined as the IEEE
 * operations they stand for, no contraction), gives Java's bits on every case of {@link DeviceMathCases}: the
 * random streams, the helpers and every CUDA expression of the op table, NaN, +-0, infinities and edge indices
 * included. The transcendental ops run glibc's math here (CUDA's on a GPU), so they are held to 2 ulps of float64
 * (4 of float32) instead. Skipped, with the reason, where g++ is missing or the op header was not generated.
 */
class DeviceMathHostTest {
    private static final Path HARNESS = Path.of("src/test/cuda/device_math_check.cu");
    private static final Path HEADER_DIR = Path.of("src/main/resources/io/chunkwise/cuda");
    private static final Path GENERATED = Path.of("target/generated-cuda");
    private static final Path WORK = Path.of("target/device-math");

    @Test
    void hostBuildOfTheDeviceMathGivesJavasBits() throws Exception {
        assumeTrue(Files.exists(GENERATED.resolve("chunkwise_op_table.cuh")),
                "target/generated-cuda/chunkwise_op_table.cuh not generated (-Dchunkwise.cuda.skip=true, or not a unix build)");
        String gxx = onPath("g++");
        assumeTrue(gxx != null, "g++ not found on PATH: the host build of the device math needs it");
        Files.createDirectories(WORK);
        Path exe = WORK.resolve("device_math_check");
        List<String> cmd = List.of(gxx, "-std=c++17", "-O2", "-ffp-contract=off", "-Wall", "-Wno-unknown-pragmas",
                "-x", "c++", "-I", HEADER_DIR.toString(), "-I", GENERATED.toString(), HARNESS.toString(), "-o", exe.toString());
        run(cmd);

        DeviceMathCases cases = DeviceMathCases.all();
        DeviceMathCases.Report r = cases.compare(cases.run(exe), 2);
        assertTrue(r.ok(), r.summary());
        assertTrue(r.cases() >= 50_000, "tens of thousands of cases: " + r.cases());
    }

    /**
     * The device builds of the harness compile (the GPU check bundle runs them): the kernel with nvcc, where nvcc is
     * on PATH, labelled ISA 8.0 and assembled by ptxas for sm_80 and sm_90; its driver-API host side with g++.
     */
    @Test
    void theDeviceBuildsOfTheHarnessCompile() throws Exception {
        assumeTrue(Files.exists(GENERATED.resolve("chunkwise_op_table.cuh")), "target/generated-cuda/chunkwise_op_table.cuh not generated");
        String gxx = onPath("g++");
        assumeTrue(gxx != null, "g++ not found on PATH: the host build of the device math needs it");
        Files.createDirectories(WORK);
        run(List.of(gxx, "-std=c++17", "-O2", "-ffp-contract=off", "-Wall", "-Wno-unknown-pragmas", "-DCW_DRIVER", "-x", "c++",
                "-I", HEADER_DIR.toString(), "-I", GENERATED.toString(), HARNESS.toString(), "-o",
                WORK.resolve("device_math_check_driver").toString(), "-ldl"));
        String nvcc = onPath("nvcc"), ptxas = onPath("ptxas");
        assumeTrue(nvcc != null && ptxas != null, "nvcc/ptxas not found on PATH: the harness's kernel is not compiled here");
        Path ptx = WORK.resolve("device_math_check.ptx");
        run(List.of(nvcc, "-ptx", "-arch=compute_75", "-std=c++17", "-O2", "-fmad=false", "-Werror", "all-warnings",
                "-I", HEADER_DIR.toString(), "-I", GENERATED.toString(), HARNESS.toString(), "-o", ptx.toString()));
        Files.writeString(ptx, Files.readString(ptx).replaceFirst("(?m)^\\.version [0-9.]+$", ".version 8.0"));
        for (String sm : List.of("sm_80", "sm_90")) {
            run(List.of(ptxas, "-arch=" + sm, ptx.toString(), "-o", WORK.resolve("device_math_check." + sm + ".cubin").toString()));
        }
    }

    private static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), cmd.get(0) + " did not finish within 120 s");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed:\n" + log);
    }

    @Test
    void everyOpOfTheTableWithACudaFormIsACaseForBothDtypes() {
        Set<String> kinds = new TreeSet<>();
        for (DeviceMathCases.Case c : DeviceMathCases.all().cases()) kinds.add(c.kind());
        List<String> expected = new ArrayList<>();
        for (String dt : List.of("float64", "float32")) {
            for (UnaryOp op : UnaryOp.values()) if (op.forms().cuda() != null) expected.add("unary_" + op.name().toLowerCase(Locale.ROOT) + "_" + dt);
            for (BinaryOp op : BinaryOp.values()) if (op.forms().cuda() != null) expected.add("binary_" + op.name().toLowerCase(Locale.ROOT) + "_" + dt);
            expected.addAll(List.of("uniform_" + dt, "normal_" + dt, "next_down_" + dt));
        }
        expected.addAll(List.of("philox", "bm_log", "bm_cos_two_pi", "global_index"));
        assertEquals(new TreeSet<>(expected), kinds);
    }

    /** The executable's path where {@code PATH} has it, else null. */
    static String onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path f = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(f)) return f.toString();
        }
        return null;
    }
}
