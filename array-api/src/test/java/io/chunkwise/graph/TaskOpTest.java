package io.chunkwise.graph;

import io.chunkwise.DType;
import io.chunkwise.NDArray;
import io.chunkwise.reference.ReferenceBackend;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.testing.LeakCheckingBackend;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertThrows;

/** Task ops that make several backend calls give back what they made when a later call fails. */
class TaskOpTest {
    /** The reference backend, except that its {@code n}-th call of {@code method} throws. */
    private static Backend failsAt(String method, int n) {
        Backend ref = new ReferenceBackend();
        AtomicInteger calls = new AtomicInteger();
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[]{Backend.class}, (p, m, args) -> {
            if (m.getName().equals(method) && calls.incrementAndGet() == n) throw new IllegalStateException(method + " " + n + " fails");
            try {
                return m.invoke(ref, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @Test
    void matmulReleasesItsPartialSumWhenAGemmFails() {
        LeakCheckingBackend backend = new LeakCheckingBackend(failsAt("gemm", 3));
        Block[] inputs = new Block[6];   // A[0..3), then B[0..3)
        for (int i = 0; i < inputs.length; i++) inputs[i] = backend.fromHost(HostBlock.allocate(DType.FLOAT64, new int[]{2, 2}));
        assertThrows(IllegalStateException.class, () -> new TaskOp.Matmul(DType.FLOAT64, new int[]{2, 2}).run(backend, inputs, TaskEnv.EMPTY));
        for (Block b : inputs) backend.release(b);
        backend.close();   // fails naming the GEMM's block if the op kept it
    }

    @Test
    void mapBlocksReleasesTheFunctionsBlockWhenTheCastFails() {
        LeakCheckingBackend backend = new LeakCheckingBackend(failsAt("elementwise", 1));
        Block in = backend.fromHost(HostBlock.allocate(DType.INT32, new int[]{3}));
        TaskOp op = new TaskOp.MapBlocks("to-float64", new long[]{0}, DType.INT32, new int[]{3});
        BlockFunctions functions = new BlockFunctions();
        functions.register("to-float64", (b, i) -> NDArray.of(new double[3], 3));
        TaskEnv env = new TaskEnv() {
            @Override public Block scattered(ChunkKey key, io.chunkwise.spi.Backend b) { throw new AssertionError(); }
            @Override public Block persisted(ChunkKey key) { throw new AssertionError(); }
            @Override public HostBlock read(TaskOp.Read read) { throw new AssertionError(); }
            @Override public io.chunkwise.BlockFunction function(String name) { return functions.resolve(name); }
        };
        assertThrows(IllegalStateException.class, () -> op.run(backend, new Block[]{in}, env));   // the float64 result, cast to int32
        backend.release(in);
        backend.close();
    }
}
