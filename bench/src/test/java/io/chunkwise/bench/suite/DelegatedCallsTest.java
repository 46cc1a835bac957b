package io.chunkwise.bench.suite;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The bench's line for the calls a device backend handed to its CPU backend. */
class DelegatedCallsTest {
    @Test
    void namesTheTotalThenEachKind() {
        assertEquals("0 (everything ran on the device)", BenchCommand.delegatedText(Map.of()));
        assertEquals("12 (assemble 10, reduceCombine 2)", BenchCommand.delegatedText(new TreeMap<>(Map.of("assemble", 10L, "reduceCombine", 2L))));
    }
}
