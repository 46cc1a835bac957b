package io.chunkwise.graph;

import io.chunkwise.Chunks;
import io.chunkwise.ChunkingException;
import io.chunkwise.Chunkwise;
import io.chunkwise.DType;
import io.chunkwise.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Grids too large to plan are refused before anything is allocated; a 10-million-task graph runs in a 4 GiB heap. */
class HugeGraphTest {
    @Test
    void gridsOfTooManyChunksAreRefusedNamingTheCount() {
        try (Chunkwise cw = Chunkwise.builder().backend(new ReferenceBackend()).threads(1).build()) {
            ChunkingException a = assertThrows(ChunkingException.class,
                    () -> cw.zeros(DType.FLOAT64, new long[]{1L << 40, 1L << 40}, new int[]{1 << 20, 1 << 10}));
            assertTrue(a.getMessage().contains(Long.toString((1L << 20) * (1L << 30))) && a.getMessage().contains("chunks"), a.getMessage());
            ChunkingException b = assertThrows(ChunkingException.class,
                    () -> cw.zeros(DType.FLOAT64, new long[]{2_000_000_000L}, new int[]{1}));
            assertTrue(b.getMessage().contains("2000000000") && b.getMessage().contains("at most " + Chunks.MAX_CHUNKS), b.getMessage());
            long[] many = new long[20_000];
            java.util.Arrays.fill(many, 1);
            ChunkingException c = assertThrows(ChunkingException.class, () -> Chunks.explicit(new long[][]{many, many}));
            assertTrue(c.getMessage().contains("400000000"), c.getMessage());
        }
    }

    /** Run in a JVM of its own with a 4 GiB heap: {@code ones(n elements, chunk 1).sum()}. */
    public static void main(String[] args) {
        long n = Long.parseLong(args[0]);
        try (Chunkwise cw = Chunkwise.builder().threads(2).build()) {
            System.out.println("sum " + cw.ones(DType.FLOAT64, new long[]{n}, new int[]{1}).sum().compute().getDouble());
        }
    }

    @Test
    void aTenMillionTaskGraphPlansAndRunsInAFourGigabyteHeap() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(List.of(java, "-Xmx4g", "-cp", System.getProperty("java.class.path"),
                HugeGraphTest.class.getName(), "10000000")).redirectErrorStream(true).start();
        boolean done = p.waitFor(10, TimeUnit.MINUTES);
        if (!done) p.destroyForcibly();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(done, "still running after 10 minutes: " + out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("sum 1.0E7"), out);
    }
}
