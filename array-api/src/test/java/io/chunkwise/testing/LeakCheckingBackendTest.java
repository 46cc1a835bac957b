package io.chunkwise.testing;

import io.chunkwise.DType;
import io.chunkwise.reference.ReferenceBackend;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.HostBlock;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The leak check itself: what it counts, and what its failure says. */
class LeakCheckingBackendTest {
    private static Block upload(LeakCheckingBackend b, int... shape) { return b.fromHost(HostBlock.allocate(DType.FLOAT64, shape)); }

    /** Every SPI method, defaults included, goes straight to the wrapped backend: its fast paths (elementwiseInto, ...) run. */
    @Test
    void overridesEveryMethodOfTheSpi() {
        List<String> missing = new ArrayList<>();
        for (Method m : Backend.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) continue;
            try {
                LeakCheckingBackend.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
            } catch (NoSuchMethodException e) {
                missing.add(m.toString());
            }
        }
        assertEquals(List.of(), missing, "SPI methods LeakCheckingBackend does not delegate");
    }

    @Test
    void closesQuietlyWhenEverythingIsReleased() {
        LeakCheckingBackend b = new LeakCheckingBackend(new ReferenceBackend());
        Block x = upload(b, 2, 2), y = upload(b, 2, 2);
        Block c = b.gemm(false, false, 1, x, y, 0, null);
        Block same = b.gemm(false, false, 1, x, y, 1, c);   // into C: still the one block c
        b.release(same);
        b.release(x);
        b.release(y);
        b.close();
    }

    @Test
    void namesTheBlocksNotReleased() {
        LeakCheckingBackend b = new LeakCheckingBackend(new ReferenceBackend());
        upload(b, 3);
        upload(b, 3);
        b.release(upload(b, 4, 5));
        String m = assertThrows(AssertionError.class, b::close).getMessage();
        assertTrue(m.contains("2 blocks never released") && m.contains("2 x float64(3,)") && m.contains("fromHost in LeakCheckingBackendTest.upload"), m);
        assertTrue(!m.contains("(4, 5)"), m);
    }

    @Test
    void namesTheBlocksReleasedTooOften() {
        LeakCheckingBackend b = new LeakCheckingBackend(new ReferenceBackend());
        Block x = upload(b, 1);
        b.release(x);
        b.release(x);
        String m = assertThrows(AssertionError.class, b::close).getMessage();
        assertTrue(m.contains("1 block released more often than handed out") && m.contains("float64(1,)"), m);
    }
}
