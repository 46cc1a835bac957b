package io.chunkwise.gpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeviceMemoryBudgetTest {
    static final long GIB = 1L << 30;

    @Test
    void aFractionOfTheFreeMemoryByDefault() {
        assertEquals((long) (60 * GIB * DeviceMemoryBudget.DEFAULT_FRACTION), DeviceMemoryBudget.of(60 * GIB, 80 * GIB, null, null));
        assertEquals(30 * GIB, DeviceMemoryBudget.of(60 * GIB, 80 * GIB, "0.5", null));
        assertEquals(60 * GIB, DeviceMemoryBudget.of(60 * GIB, 80 * GIB, " 1 ", ""));
    }

    @Test
    void bytesWinOverTheFractionAndStayWithinTheDevice() {
        assertEquals(GIB, DeviceMemoryBudget.of(60 * GIB, 80 * GIB, "0.5", "1073741824"));
        assertEquals(80 * GIB, DeviceMemoryBudget.of(60 * GIB, 80 * GIB, null, String.valueOf(500 * GIB)));
    }

    @Test
    void badValuesNameTheProperty() {
        for (String f : new String[]{"0", "1.5", "-0.1", "half", "NaN"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> DeviceMemoryBudget.of(GIB, GIB, f, null));
            assertTrue(e.getMessage().startsWith(DeviceMemoryBudget.FRACTION_PROPERTY), e.getMessage());
        }
        for (String b : new String[]{"0", "-5", "1G"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> DeviceMemoryBudget.of(GIB, GIB, null, b));
            assertTrue(e.getMessage().startsWith(DeviceMemoryBudget.BYTES_PROPERTY), e.getMessage());
        }
    }
}
