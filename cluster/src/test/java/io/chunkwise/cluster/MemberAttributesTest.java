package io.chunkwise.cluster;

import io.chunkwise.BackendKind;
import io.chunkwise.InvalidArgumentException;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemberAttributesTest {
    @Test
    void attributesRoundTripThroughAMemberConfig() {
        var config = new com.hazelcast.config.MemberAttributeConfig();
        MemberAttributes a = new MemberAttributes(3, 5L << 30, EnumSet.of(BackendKind.CPU, BackendKind.GPU), 1);
        a.applyTo(config);
        assertEquals("3", config.getAttribute(MemberAttributes.THREADS));
        assertEquals(Long.toString(5L << 30), config.getAttribute(MemberAttributes.MEMORY));
        assertEquals("CPU,GPU", config.getAttribute(MemberAttributes.BACKENDS));
        assertEquals("1", config.getAttribute(MemberAttributes.GPUS));
        assertEquals("threads 3, memory 5.0 GiB, backends CPU,GPU, GPUs 1", a.toString());
        assertFalse(new MemberAttributes(1, 1, EnumSet.noneOf(BackendKind.class), 0).offers(BackendKind.AUTO));
        assertThrows(InvalidArgumentException.class, () -> new MemberAttributes(0, 1, EnumSet.of(BackendKind.CPU), 0));
        assertThrows(InvalidArgumentException.class, () -> new MemberAttributes(1, 1, EnumSet.of(BackendKind.AUTO), 0));
        var e = assertThrows(InvalidArgumentException.class, () -> MemberAttributes.detect(1, 1, 2));
        assertTrue(e.getMessage().startsWith("2 GPUs asked for, but no GPU backend is usable here"), e.getMessage());
        assertEquals(0, MemberAttributes.detect(1, 1, -1).gpus(), "no GPU backend here: no GPUs offered");
    }

    @Test
    void sizesParse() {
        assertEquals(4L << 30, MemberAttributes.parseBytes("4g"));
        assertEquals(4L << 30, MemberAttributes.parseBytes("4GiB"));
        assertEquals(512L << 20, MemberAttributes.parseBytes(" 512m "));
        assertEquals(1536L << 20, MemberAttributes.parseBytes("1.5g"));
        assertEquals(1048576, MemberAttributes.parseBytes("1048576"));
        assertEquals(2048, MemberAttributes.parseBytes("2kb"));
        for (String bad : new String[]{"", "g", "-1g", "0", "lots", "1e9", "0x10", "NaN", "99999999999t"}) {
            assertThrows(InvalidArgumentException.class, () -> MemberAttributes.parseBytes(bad), bad);
        }
    }
}
