package io.chunkwise.cluster;

import io.chunkwise.FileNotSharedException;
import io.chunkwise.graph.TaskOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Set;

/**
 * One job's fallback for files: members read (and write) the files tasks name where they see them as the driver does
 * ({@link MemberFiles}); a member that does not reports {@link FileNotSharedException}, and the driver then runs that
 * task itself, and the remaining reads of that file in the job too (no second failed attempt per member). Used on the
 * driver's job thread only.
 */
final class DriverFiles {
    private static final Logger LOG = LoggerFactory.getLogger(DriverFiles.class);
    private static final String NOT_SHARED = FileNotSharedException.class.getName();

    private final Set<String> driverOnly = new HashSet<>();

    /** The file a task reads or writes, or null. */
    static String fileOf(TaskOp op) {
        return switch (op) {
            case TaskOp.Read r -> r.path();
            case TaskOp.Write w -> w.path();
            default -> null;
        };
    }

    /** Whether a member's failure of class {@code errorClass} means it does not see the task's file as the driver does. */
    static boolean notShared(String errorClass) { return NOT_SHARED.equals(errorClass); }

    /** Records that members do not see {@code path} as the driver does; true the first time in the job. */
    boolean driverOnly(String path, String why) {
        if (!driverOnly.add(path)) return false;
        LOG.info("a member does not see {} as the driver does ({}); the driver reads and writes it for the rest of this job", path, why);
        return true;
    }

    /** Whether a read of a file members cannot see (a read has no inputs, so it can move to the driver before it runs). */
    boolean readOnDriver(TaskOp op) { return op instanceof TaskOp.Read r && driverOnly.contains(r.path()); }
}
