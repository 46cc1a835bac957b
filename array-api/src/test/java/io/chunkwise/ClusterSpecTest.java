package io.chunkwise;

import io.chunkwise.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterSpecTest {
    @Test
    void aClusterWithoutTheClusterModuleFailsNamingTheModule() {
        ClusterUnavailableException e = assertThrows(ClusterUnavailableException.class,
                () -> Chunkwise.builder().backend(new ReferenceBackend()).cluster(ClusterSpec.embedded(3)).build());
        assertTrue(e.getMessage().contains("io.chunkwise:cluster") && e.getMessage().contains("embedded(3)"), e.getMessage());
    }

    @Test
    void connectSpecKeepsItsSettings() {
        ClusterSpec s = ClusterSpec.connect("127.0.0.1:5701").clusterName("lab").secretFile(Path.of("secret"));
        assertEquals("lab", s.clusterName());
        assertEquals("127.0.0.1:5701", s.address().orElseThrow());
        assertEquals(Path.of("secret"), s.secretFile().orElseThrow());
        assertThrows(InvalidArgumentException.class, () -> ClusterSpec.embedded(0));
        assertThrows(InvalidArgumentException.class, () -> ClusterSpec.connect(" "));
    }
}
