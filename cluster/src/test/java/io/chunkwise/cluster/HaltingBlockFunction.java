package io.chunkwise.cluster;

import io.chunkwise.BlockFunction;
import io.chunkwise.NDArray;

/**
 * A block function that stops the member process running it on block 2 (as a crash would: {@code Runtime.halt}, no
 * shutdown hooks), every time; other blocks pass through. Only in a member process (never in a test JVM).
 */
public final class HaltingBlockFunction implements BlockFunction {
    @Override
    public NDArray apply(NDArray block, long[] index) {
        if (index[0] == 2 && MemberRuntime.running() != null && inMemberProcess()) Runtime.getRuntime().halt(9);
        return block;
    }

    /** Whether this JVM is a member process of the launcher (HotSpot names the main class in sun.java.command). */
    private static boolean inMemberProcess() {
        return String.valueOf(System.getProperty("sun.java.command")).startsWith(ClusterMemberMain.class.getName());
    }
}
