package io.chunkwise.bench.suite;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {
    @Test
    void readsWhatThePeerScriptPrints() {
        Map<String, Object> m = Json.object("{\"system\": \"dask\", \"n\": 512, \"seconds\": [0.5, 1e-3, 2.5E+1],"
                + " \"check\": {\"ok\": true, \"none\": null, \"s\": \"a\\\"b\\\\c\\u00e9\\n\"}, \"nan\": NaN, \"neg\": -Infinity}");
        assertEquals("dask", m.get("system"));
        assertEquals(512.0, m.get("n"));
        assertEquals(List.of(0.5, 0.001, 25.0), m.get("seconds"));
        Map<?, ?> check = (Map<?, ?>) m.get("check");
        assertEquals(Boolean.TRUE, check.get("ok"));
        assertTrue(check.containsKey("none"));
        assertNull(check.get("none"));
        assertEquals("a\"b\\c\u00e9\n", check.get("s"));
        assertTrue(Double.isNaN((Double) m.get("nan")));
        assertEquals(Double.NEGATIVE_INFINITY, m.get("neg"));
        assertEquals(List.of(), Json.parse(" [ ] "));
        assertEquals(Map.of(), Json.parse("{}"));
    }

    @Test
    void refusesMalformedText() {
        for (String bad : List.of("", "{", "{\"a\" 1}", "[1, 2", "{\"a\": 1} x", "tru", "\"open", "{\"a\": -}")) {
            assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> Json.object("[1]"));
    }
}
