package untrusted;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * A Java-serializable task of a package outside {@code io.chunkwise}: members must refuse to deserialize it. Were it
 * run, it would create the file {@code marker} (on the same machine, as the tests' members are).
 */
public class ForeignTask implements Callable<String>, Serializable {
    private static final long serialVersionUID = 1L;
    private final String marker;
    public int field = 1;

    public ForeignTask(Path marker) { this.marker = marker.toString(); }

    @Override
    public String call() throws Exception {
        Files.createFile(Path.of(marker));
        return "ran";
    }
}
