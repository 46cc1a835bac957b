package io.chunkwise.io;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunks;
import io.chunkwise.Chunkwise;
import io.chunkwise.ChunkwiseException;
import io.chunkwise.DType;
import io.chunkwise.MemoryBudgetExceededException;
import io.chunkwise.NDArray;
import io.chunkwise.TaskFailedException;
import io.chunkwise.reference.ReferenceBackend;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import static io.chunkwise.io.NpyBytes.dict;
import static java.nio.ByteOrder.BIG_ENDIAN;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded mutation fuzzing of the two readers: valid files get random bit flips, byte and integer overwrites,
 * truncations, insertions, deletions and edits of their header text (numbers, quoted strings, punctuation), and each
 * is read and computed. Only the library's own exceptions may come out: not an OutOfMemoryError, an
 * IndexOutOfBoundsException, an ArithmeticException or an Arrow exception, neither directly nor as the cause that the
 * scheduler wrapped into a TaskFailedException or MemoryBudgetExceededException; no read may hang; and every read,
 * failed or not, gives back all the Arrow buffers it took from the context's allocator.
 *
 * <p>Each campaign runs in a child JVM whose address space is capped (on Linux), so that a file which makes a reader
 * allocate without bound fails there with an OutOfMemoryError, reported as a finding, instead of taking down the
 * test JVM or the machine. The child stops at the first hang.
 *
 * <p>System properties: {@code chunkwise.fuzz.seed} (default fixed), {@code chunkwise.fuzz.cases} (per format,
 * default 2000), {@code chunkwise.fuzz.case} (run only that case, to reproduce one), {@code chunkwise.fuzz.limit}
 * (seconds a case may take, default 10), {@code chunkwise.fuzz.verbose} (the report also lists slow cases),
 * {@code chunkwise.fuzz.inprocess} (run in the test JVM, for a debugger; no memory cap).
 */
class ReaderFuzzTest {
    private static final long SEED = Long.getLong("chunkwise.fuzz.seed", 0x5EED_C0DEL);
    private static final int CASES = Integer.getInteger("chunkwise.fuzz.cases", 2000);
    private static final int ONLY = Integer.getInteger("chunkwise.fuzz.case", -1);
    private static final int LIMIT_SECONDS = Integer.getInteger("chunkwise.fuzz.limit", 10);
    private static final boolean VERBOSE = Boolean.getBoolean("chunkwise.fuzz.verbose");
    private static final boolean IN_PROCESS = Boolean.getBoolean("chunkwise.fuzz.inprocess");
    /** The child's address space: its heap, code and class space, and room for ordinary reads. */
    private static final long CHILD_ADDRESS_SPACE_KIB = 3L << 20;
    /** Grids with more chunks than this are only opened, not computed: planning them is the caller's choice of chunks. */
    private static final long MAX_CHUNKS = 4096;

    enum Format { NPY, ARROW }

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Format.class)
    void mutatedFilesFailOnlyWithLibraryExceptions(Format format) throws Exception {
        Path report = dir.resolve("report.txt"), progress = dir.resolve("progress.txt");
        String[] args = {format.name(), Long.toString(SEED), Integer.toString(CASES), Integer.toString(ONLY),
                Integer.toString(LIMIT_SECONDS), Boolean.toString(VERBOSE), dir.toString(), report.toString(), progress.toString()};
        if (IN_PROCESS) {
            new Campaign(args).run();
        } else {
            runChild(args, progress);
        }
        String text = Files.readString(report);
        if (VERBOSE) System.err.print(text);
        if (!text.startsWith("no findings")) fail(text);
    }

    private void runChild(String[] args, Path progress) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        boolean cap = System.getProperty("os.name", "").startsWith("Linux") && Files.isExecutable(Path.of("/bin/sh"));
        if (cap) cmd.addAll(List.of("/bin/sh", "-c", "ulimit -v " + CHILD_ADDRESS_SPACE_KIB + " && exec \"$0\" \"$@\""));
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xmx512m", "-Xss1m", "-XX:+UseSerialGC", "-XX:CompressedClassSpaceSize=128m", "-XX:ReservedCodeCacheSize=128m"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) if (a.startsWith("--")) cmd.add(a);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ReaderFuzzTest.class.getName()));
        cmd.addAll(List.of(args));
        Path log = dir.resolve("child.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("MALLOC_ARENA_MAX", "2");
        Process p = pb.start();
        long overall = Math.max(120, (long) LIMIT_SECONDS * 3 + CASES / 20);
        boolean finished = p.waitFor(overall, TimeUnit.SECONDS);
        if (!finished) p.destroyForcibly().waitFor();
        if (!finished || p.exitValue() != 0) {
            String last = Files.exists(progress) ? Files.readString(progress) : "(before the first case)";
            String out = Files.readString(log, StandardCharsets.ISO_8859_1);
            fail("the fuzzing JVM " + (finished ? "exited with status " + p.exitValue() + (p.exitValue() == 137 ? " (killed: out of memory?)" : "")
                    : "ran over " + overall + " s") + " during " + last + "\n" + out.substring(Math.max(0, out.length() - 4000)));
        }
    }

    /** The child JVM: runs one campaign and exits (a hung reader thread must not keep it alive). */
    public static void main(String[] args) {
        int status = 0;
        try {
            new Campaign(args).run();
        } catch (Throwable t) {
            t.printStackTrace();
            status = 2;
        }
        System.exit(status);
    }

    record Base(String name, byte[] bytes) {}

    /** One format's run: the valid files, then {@code cases} mutated ones, each read and computed. */
    static final class Campaign {
        private final Format format;
        private final long seed;
        private final int cases, only, limitSeconds;
        private final boolean verbose;
        private final Path dir, report, progress;
        private final Chunkwise cw = Chunkwise.builder().threads(2).backend(new ReferenceBackend()).build();
        private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-case");
            t.setDaemon(true);
            return t;
        });

        Campaign(String[] a) {
            format = Format.valueOf(a[0]);
            seed = Long.parseLong(a[1]);
            cases = Integer.parseInt(a[2]);
            only = Integer.parseInt(a[3]);
            limitSeconds = Integer.parseInt(a[4]);
            verbose = Boolean.parseBoolean(a[5]);
            dir = Path.of(a[6]);
            report = Path.of(a[7]);
            progress = Path.of(a[8]);
        }

        /** The valid files that the mutations start from. */
        List<Base> bases() {
            List<Base> b = new ArrayList<>();
            if (format == Format.NPY) {
                double[] v = new double[12];
                for (int i = 0; i < v.length; i++) v[i] = i - 3.5;
                b.add(new Base("f8 (3, 4) written by Npy", written(f -> cw.writeNpy(cw.fromArray(v, new long[]{3, 4}, new int[]{2, 3}), f))));
                b.add(new Base(">i4 (5,)", NpyBytes.file(1, dict(">i4", false, "(5,)"), NpyBytes.ints(BIG_ENDIAN, 1, -2, 3, -4, 5))));
                b.add(new Base("|b1 (2, 3)", NpyBytes.file(1, dict("|b1", false, "(2, 3)"), new byte[]{0, 1, 1, 0, 1, 0})));
                b.add(new Base("<i8 (2, 3, 2) Fortran", NpyBytes.file(1, dict("<i8", true, "(2, 3, 2)"),
                        NpyBytes.longs(LITTLE_ENDIAN, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11))));
                b.add(new Base("<f4 () v2.0", NpyBytes.file(2, dict("<f4", false, "()"), NpyBytes.floats(LITTLE_ENDIAN, 2.5f))));
                b.add(new Base("<f8 (0, 3) v3.0", NpyBytes.file(3, dict("<f8", false, "(0, 3)"), new byte[0])));
            } else {
                Random r = new Random(seed);
                b.add(new Base("float64 (4, 6) [[1,3],[2,2,2]]", stored(DType.FLOAT64, new long[][]{{1, 3}, {2, 2, 2}}, r)));
                b.add(new Base("int32 (7,) [[3,4]]", stored(DType.INT32, new long[][]{{3, 4}}, r)));
                b.add(new Base("bool (3, 5) [[2,1],[5]]", stored(DType.BOOL, new long[][]{{2, 1}, {5}}, r)));
                b.add(new Base("int64 ()", stored(DType.INT64, new long[][]{}, r)));
                b.add(new Base("float32 (0, 4) [[0],[2,2]]", stored(DType.FLOAT32, new long[][]{{0}, {2, 2}}, r)));
            }
            return b;
        }

        private byte[] stored(DType dtype, long[][] sizes, Random r) {
            Chunks chunks = Chunks.explicit(sizes);
            return written(f -> cw.store(cw.fromNDArray(SampleArrays.random(r, dtype, chunks.shape()), chunks), f));
        }

        private byte[] written(Consumer<Path> write) {
            try {
                Path f = dir.resolve(format == Format.NPY ? "base.npy" : "base.arrow");
                write.accept(f);
                byte[] b = Files.readAllBytes(f);
                Files.delete(f);
                return b;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void run() throws IOException {
            List<Base> bases = bases();
            Map<String, List<String>> findings = new LinkedHashMap<>();
            List<String> slow = new ArrayList<>();
            int[] outcomes = new int[2]; // read, refused
            long arrowHeld = 0;          // bytes of Arrow buffers still held: 0 after every read, failed or not
            Path file = dir.resolve(format == Format.NPY ? "case.npy" : "case.arrow");
            try {
                for (int i = 0; i < cases; i++) {
                    if (only >= 0 && i != only) continue;
                    Random r = new Random(seed * 31 + format.ordinal() * 1_000_003L + i);
                    Base base = bases.get(r.nextInt(bases.size()));
                    byte[] bytes = base.bytes();
                    List<String> log = new ArrayList<>();
                    int n = 1 + r.nextInt(3);
                    for (int k = 0; k < n; k++) {
                        Mutation m = Mutation.random(r, bytes);
                        bytes = m.op().apply(bytes);
                        log.add(m.what());
                    }
                    String where = "seed " + seed + " case " + i + " (" + format + ", base " + base.name() + "): " + String.join("; ", log);
                    Files.writeString(progress, where);
                    Files.write(file, bytes);
                    long start = System.nanoTime();
                    Future<Throwable> f = runner.submit(() -> readAndCompute(file));
                    Throwable t;
                    try {
                        t = f.get(limitSeconds, TimeUnit.SECONDS);
                    } catch (TimeoutException hang) {
                        findings.computeIfAbsent("hang (over " + limitSeconds + " s); the run stopped here", x -> new ArrayList<>())
                                .add(where + busyThreads());
                        break;
                    } catch (ExecutionException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    outcomes[t == null ? 0 : 1]++;
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    if (verbose && ms > 100) slow.add(ms + " ms: " + where + " -> " + t);
                    String leak = leak(t);
                    if (leak != null) findings.computeIfAbsent(leak + " at " + origin(t), x -> new ArrayList<>()).add(where + "\n      -> " + trace(t));
                    long held = format == Format.ARROW ? cw.arrowMemory().allocated() : 0;
                    if (held != arrowHeld) {
                        findings.computeIfAbsent("Arrow buffers left behind", x -> new ArrayList<>()).add(where + "\n      -> " + cw.arrowMemory());
                        arrowHeld = held;
                    }
                }
            } finally {
                StringBuilder b = new StringBuilder();
                b.append(findings.isEmpty() ? "no findings" : "the " + format + " reader let other exceptions out")
                        .append(" (").append(outcomes[0]).append(" cases read, ").append(outcomes[1])
                        .append(" refused); rerun one with -Dchunkwise.fuzz.seed=").append(seed).append(" -Dchunkwise.fuzz.case=N\n");
                findings.forEach((what, list) -> {
                    b.append("  ").append(list.size()).append(" x ").append(what).append('\n');
                    list.stream().limit(3).forEach(c -> b.append("    ").append(c).append('\n'));
                });
                slow.forEach(s -> b.append("  slow: ").append(s).append('\n'));
                Files.writeString(report, b.toString());
                cw.close();
            }
        }

        /** Reads and computes the file; returns what it threw, or null. */
        private Throwable readAndCompute(Path file) {
            try {
                ChunkedArray a;
                long[] shape;
                if (format == Format.NPY) {
                    Npy.Header h = Npy.readHeader(file);
                    shape = h.shape();
                    a = cw.readNpy(file, chunkShape(shape));
                    if (a.dtype() != h.dtype()) throw new AssertionError("read as " + a.dtype() + ", declared " + h.dtype());
                } else {
                    a = cw.load(file);
                    shape = a.shape();
                }
                long chunks = a.chunks().chunkCount();
                if (chunks > 0 && chunks <= MAX_CHUNKS) {
                    NDArray v = a.compute();
                    if (!Arrays.equals(shape, v.shape())) throw new AssertionError("computed shape " + Arrays.toString(v.shape()));
                }
                return null;
            } catch (Throwable t) {
                return t;
            }
        }
    }

    /** Two chunks along each axis, as a caller might ask for (at most {@code Integer.MAX_VALUE} per chunk axis). */
    private static int[] chunkShape(long[] shape) {
        int[] c = new int[shape.length];
        for (int a = 0; a < shape.length; a++) c[a] = (int) Math.min(Integer.MAX_VALUE, Math.max(1, (shape[a] + 1) / 2));
        return c;
    }

    /** What is wrong with {@code t}, or null when it is one of the library's own exceptions. */
    static String leak(Throwable t) {
        if (t == null) return null;
        if (!(t instanceof ChunkwiseException)) return t.getClass().getName();
        if (t instanceof TaskFailedException || t instanceof MemoryBudgetExceededException) {
            Throwable c = t.getCause();
            if (c != null && !(c instanceof ChunkwiseException)) return c.getClass().getName() + " wrapped in " + t.getClass().getSimpleName();
        }
        return null;
    }

    /** The first frame of the library's main code where the innermost non-library exception came from. */
    private static String origin(Throwable t) {
        Throwable c = t;
        while (c instanceof ChunkwiseException && c.getCause() != null) c = c.getCause();
        for (StackTraceElement e : c.getStackTrace()) {
            if (e.getClassName().startsWith("io.chunkwise.") && !e.getClassName().contains("Test")) return e.toString();
        }
        return c.getStackTrace().length > 0 ? c.getStackTrace()[0].toString() : "?";
    }

    /** Where the reading threads are, for a hang. */
    private static String busyThreads() {
        StringBuilder b = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, st) -> {
            if (st.length == 0 || !(thread.getName().equals("fuzz-case") || thread.getName().startsWith("ForkJoinPool"))) return;
            b.append("\n      thread ").append(thread.getName()).append(':');
            for (int i = 0; i < Math.min(12, st.length); i++) b.append(" | ").append(st[i]);
        });
        return b.toString();
    }

    private static String trace(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c == t ? "" : " / caused by ").append(c.getClass().getName()).append(": ").append(c.getMessage());
            StackTraceElement[] st = c.getStackTrace();
            for (int i = 0; i < Math.min(4, st.length); i++) b.append(" | ").append(st[i]);
        }
        return b.toString();
    }

    // ---- mutations ----

    /** One change to a file's bytes, described so that it can be read in a failure message. */
    record Mutation(String what, UnaryOperator<byte[]> op) {
        private static final long[] INTERESTING = {0, 1, -1, 2, 7, 8, 63, 64, 127, 128, 255, 256, 0x7fff, 0x8000, 0xffff, 0x10000,
                Integer.MAX_VALUE, Integer.MIN_VALUE, 0xffffffffL, 1L << 32, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE};
        private static final String[] NUMBERS = {"0", "1", "2", "3", "7", "64", "65535", "65536", "2147483647", "2147483648",
                "4294967296", "1099511627776", "9223372036854775807", "9223372036854775808", "99999999999999999999", "-1", "", "1e3", "0x10"};
        private static final String[] STRINGS = {"<f8", ">f8", "<f4", "<i8", ">i4", "|b1", "?", "<c16", "|u1", "<f2", "O", "<U3",
                "", "f8", "<<f8", "float64", "bool", "int32", "complex128", "values", "chunkwise.format", "chunkwise.shape",
                "[4,6]", "[[1,3],[2,2,2]]", "[]", "[[]]", "[[0]]", "[[-1,5]]", "[1099511627776]", "shape", "descr", "fortran_order"};
        private static final String PUNCTUATION = "(),[]{}:' \"<>|=?TFLbfi0123456789-\n\0";
        private static final String[] INSERTS = {",", " 3,", "(", ")", "'", "1", ", 0", "[1]", "],[", "999", ", 1099511627776", "True", "}"};

        static Mutation random(Random r, byte[] b) {
            List<int[]> digits = runs(b, true);
            List<int[]> quoted = quoted(b);
            List<int[]> text = runs(b, false);
            while (true) {
                switch (r.nextInt(16)) {
                    case 0, 1 -> {
                        if (b.length == 0) continue;
                        int p = r.nextInt(b.length), bit = r.nextInt(8);
                        return new Mutation("flip bit " + bit + " of byte " + p, x -> set(x, p, (byte) (x[p] ^ (1 << bit))));
                    }
                    case 2 -> {
                        if (b.length == 0) continue;
                        int p = r.nextInt(b.length);
                        byte v = (byte) r.nextInt(256);
                        return new Mutation("byte " + p + " := " + (v & 0xff), x -> set(x, p, v));
                    }
                    case 3, 4 -> {
                        int width = new int[]{2, 4, 8}[r.nextInt(3)];
                        if (b.length < width) continue;
                        int p = r.nextInt(b.length - width + 1);
                        long v = r.nextInt(4) == 0 ? r.nextLong() : INTERESTING[r.nextInt(INTERESTING.length)];
                        ByteOrder order = r.nextInt(4) == 0 ? BIG_ENDIAN : LITTLE_ENDIAN;
                        return new Mutation(width * 8 + "-bit " + order + " integer at " + p + " := " + v, x -> {
                            ByteBuffer bb = ByteBuffer.wrap(x.clone()).order(order);
                            switch (width) {
                                case 2 -> bb.putShort(p, (short) v);
                                case 4 -> bb.putInt(p, (int) v);
                                default -> bb.putLong(p, v);
                            }
                            return bb.array();
                        });
                    }
                    case 5 -> {
                        if (b.length == 0) continue;
                        int len = r.nextInt(4) == 0 ? r.nextInt(Math.min(b.length, 16)) : r.nextInt(b.length);
                        return new Mutation("truncate to " + len + " of " + b.length + " bytes", x -> Arrays.copyOf(x, len));
                    }
                    case 6 -> {
                        int p = r.nextInt(b.length + 1);
                        byte[] ins = new byte[1 + r.nextInt(16)];
                        r.nextBytes(ins);
                        return new Mutation("insert " + Arrays.toString(ins) + " at " + p, x -> splice(x, p, 0, ins));
                    }
                    case 7 -> {
                        if (b.length == 0) continue;
                        int p = r.nextInt(b.length), len = 1 + r.nextInt(Math.min(16, b.length - p));
                        return new Mutation("delete " + len + " bytes at " + p, x -> splice(x, p, len, new byte[0]));
                    }
                    case 8, 9 -> {
                        if (digits.isEmpty()) continue;
                        int[] run = digits.get(r.nextInt(digits.size()));
                        String old = ascii(b, run), s = NUMBERS[r.nextInt(NUMBERS.length)];
                        return new Mutation("number '" + old + "' at " + run[0] + " := '" + s + "'", x -> splice(x, run[0], run[1], ascii(s)));
                    }
                    case 10 -> {
                        if (digits.isEmpty()) continue;
                        int[] run = digits.get(r.nextInt(digits.size()));
                        StringBuilder s = new StringBuilder();
                        for (int i = 0; i < run[1]; i++) s.append((char) ('0' + r.nextInt(10)));
                        String old = ascii(b, run);
                        return new Mutation("number '" + old + "' at " + run[0] + " := '" + s + "' (same length)",
                                x -> splice(x, run[0], run[1], ascii(s.toString())));
                    }
                    case 11 -> {
                        if (quoted.isEmpty()) continue;
                        int[] q = quoted.get(r.nextInt(quoted.size()));
                        String old = ascii(b, q), s = STRINGS[r.nextInt(STRINGS.length)];
                        return new Mutation("string '" + old + "' at " + q[0] + " := '" + s + "'", x -> splice(x, q[0], q[1], ascii(s)));
                    }
                    case 12 -> {
                        if (text.isEmpty()) continue;
                        int[] run = text.get(r.nextInt(text.size()));
                        int p = run[0] + r.nextInt(run[1]);
                        char c = PUNCTUATION.charAt(r.nextInt(PUNCTUATION.length()));
                        return new Mutation("text byte " + p + " '" + (char) b[p] + "' := " + (int) c, x -> set(x, p, (byte) c));
                    }
                    case 14, 15 -> {
                        // a string of Arrow's flatbuffers (metadata key or value, field name) rewritten in place with
                        // its length prefix, so the file's structure stays intact and only the meaning changes
                        if (text.isEmpty()) continue;
                        int[] run = text.get(r.nextInt(text.size()));
                        int[] fb = flatbufferString(b, run[0]);
                        if (fb == null) continue;
                        String old = ascii(b, fb);
                        String s = r.nextBoolean() ? STRINGS[r.nextInt(STRINGS.length)]
                                : old.replaceFirst("[0-9]+", NUMBERS[r.nextInt(NUMBERS.length)]);
                        if (s.length() > fb[1]) continue;
                        return new Mutation("flatbuffer string '" + old + "' at " + fb[0] + " := '" + s + "'", x -> {
                            byte[] y = x.clone();
                            ByteBuffer.wrap(y).order(LITTLE_ENDIAN).putInt(fb[0] - 4, s.length());
                            System.arraycopy(ascii(s), 0, y, fb[0], s.length());
                            y[fb[0] + s.length()] = 0;
                            return y;
                        });
                    }
                    default -> {
                        if (text.isEmpty()) continue;
                        int[] run = text.get(r.nextInt(text.size()));
                        int p = run[0] + r.nextInt(run[1] + 1);
                        if (r.nextBoolean()) {
                            String s = INSERTS[r.nextInt(INSERTS.length)];
                            return new Mutation("insert text '" + s + "' at " + p, x -> splice(x, p, 0, ascii(s)));
                        }
                        int len = Math.min(1 + r.nextInt(6), run[0] + run[1] - p);
                        if (len <= 0) continue;
                        return new Mutation("delete text '" + ascii(b, new int[]{p, len}) + "' at " + p, x -> splice(x, p, len, new byte[0]));
                    }
                }
            }
        }

        private static byte[] set(byte[] x, int p, byte v) {
            byte[] y = x.clone();
            y[p] = v;
            return y;
        }

        private static byte[] splice(byte[] x, int at, int remove, byte[] insert) {
            byte[] y = new byte[x.length - remove + insert.length];
            System.arraycopy(x, 0, y, 0, at);
            System.arraycopy(insert, 0, y, at, insert.length);
            System.arraycopy(x, at + remove, y, at + insert.length, x.length - at - remove);
            return y;
        }

        private static byte[] ascii(String s) { return s.getBytes(StandardCharsets.ISO_8859_1); }

        private static String ascii(byte[] b, int[] run) { return new String(b, run[0], run[1], StandardCharsets.ISO_8859_1); }

        /** {start, length} of maximal runs of digits, or of printable text at least 3 long. */
        private static List<int[]> runs(byte[] b, boolean digitsOnly) {
            List<int[]> out = new ArrayList<>();
            int i = 0;
            while (i < b.length) {
                int j = i;
                while (j < b.length && (digitsOnly ? b[j] >= '0' && b[j] <= '9' : (b[j] >= 0x20 && b[j] < 0x7f) || b[j] == '\n')) j++;
                if (j - i >= (digitsOnly ? 1 : 3)) {
                    // digits only count inside text (a header or metadata string), not in binary data
                    if (!digitsOnly || (i > 0 && isText(b[i - 1])) || (j < b.length && isText(b[j]))) out.add(new int[]{i, j - i});
                }
                i = Math.max(j, i + 1);
            }
            return out;
        }

        /** {start, length} of the flatbuffer string (4-byte length, bytes, NUL) that starts at {@code start}, or null. */
        private static int[] flatbufferString(byte[] b, int start) {
            if (start < 4) return null;
            int len = ByteBuffer.wrap(b).order(LITTLE_ENDIAN).getInt(start - 4);
            if (len <= 0 || (long) start + len >= b.length || b[start + len] != 0) return null;
            return new int[]{start, len};
        }

        private static boolean isText(byte c) { return c == ' ' || c == ',' || c == '(' || c == '[' || c == ']' || c == ')' || c == ':'; }

        /** Contents of quoted strings, and of metadata strings that Arrow stores without quotes ({@code chunkwise.*} and [..]). */
        private static List<int[]> quoted(byte[] b) {
            List<int[]> out = new ArrayList<>();
            for (int i = 0; i < b.length; i++) {
                if (b[i] == '\'' || b[i] == '"') {
                    int j = i + 1;
                    while (j < b.length && j - i < 64 && b[j] != b[i] && b[j] >= 0x20 && b[j] < 0x7f) j++;
                    if (j < b.length && b[j] == b[i]) {
                        out.add(new int[]{i + 1, j - i - 1});
                        i = j;
                    }
                }
            }
            for (int[] run : runs(b, false)) {
                String s = ascii(b, run);
                if (s.startsWith("chunkwise.") || s.startsWith("[") || s.equals("values") || s.matches("[a-z0-9]+")) out.add(run);
            }
            return out;
        }
    }
}
