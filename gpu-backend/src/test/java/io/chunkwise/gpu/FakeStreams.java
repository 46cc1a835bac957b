package io.chunkwise.gpu;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Named fake streams for the memory tests: the calling thread's stream is set by the test; waits are recorded. */
final class FakeStreams implements StreamOrder<String> {
    private final ThreadLocal<String> mine = ThreadLocal.withInitial(() -> "main");
    /** Each wait as "stream<-user". */
    final List<String> waits = new ArrayList<>();

    void use(String stream) { mine.set(stream); }

    @Override public String current() { return mine.get(); }

    @Override
    public synchronized void orderAfter(String stream, Collection<String> users) {
        for (String u : users) if (!u.equals(stream)) waits.add(stream + "<-" + u);
    }
}
