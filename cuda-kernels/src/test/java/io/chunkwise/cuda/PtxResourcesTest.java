package io.chunkwise.cuda;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The jar's PTX holds one {@code .entry chunkwise_<op>_<dtype>} per line of the op table and per dtype. */
class PtxResourcesTest {
    private static final String DIR = "/io/chunkwise/cuda/";
    private static final Path HEADER = Path.of("src/main/cuda/chunkwise_ops.cuh");
    private static final Path TABLE = Path.of("target/generated-cuda/chunkwise_op_table.cuh"); // generated from the op table
    private static final Pattern ENTRY = Pattern.compile("^\\.visible \\.entry (\\w+)\\(", Pattern.MULTILINE);

    @Test
    void ptxHasOneEntryPerTableLineAndDtype() throws IOException {
        Properties info = buildInfo();
        assumeTrue("present".equals(info.getProperty("nvcc")),
                "PTX not built: nvcc was not on PATH (nor in $CUDA_HOME/bin) when cuda-kernels was built");
        String table = Files.readString(TABLE);
        List<String> dtypes = names(Files.readString(HEADER), "CHUNKWISE_FLOAT_TYPES");
        assertEquals(List.of("float64", "float32"), dtypes);

        List<String> elementwise = new ArrayList<>(names(table, "CHUNKWISE_BINARY_OPS"));
        elementwise.addAll(names(table, "CHUNKWISE_UNARY_OPS"));
        List<String> fromTable = new ArrayList<>();
        for (io.chunkwise.spi.BinaryOp op : io.chunkwise.spi.BinaryOp.values()) if (!op.isPredicate() && op.forms().cuda() != null) fromTable.add(op.name().toLowerCase(java.util.Locale.ROOT));
        for (io.chunkwise.spi.UnaryOp op : io.chunkwise.spi.UnaryOp.values()) if (!op.isPredicate() && op.forms().cuda() != null) fromTable.add(op.name().toLowerCase(java.util.Locale.ROOT));
        assertEquals(fromTable, elementwise, "the generated lists hold every value op of the table with a CUDA form");
        assertTrue(elementwise.containsAll(List.of("add", "sub", "mul", "div", "maximum", "minimum",
                "neg", "abs", "exp", "log", "sqrt")), "op table lost an op: " + elementwise);
        checkModule(info, "elementwise", elementwise, dtypes);
        checkModule(info, "reduction", names(table, "CHUNKWISE_REDUCE_OPS"), dtypes);
        checkModule(info, "creation", List.of("fill", "arange", "uniform", "normal"), dtypes);
        assertEquals("creation elementwise reduction", info.getProperty("modules"));
    }

    /** Issue 14: PTX that a CUDA 12.0 driver loads (ISA 8.0 or lower), and per module a fatbin of sm_80/sm_90 SASS + that PTX. */
    @Test
    void modulesShipIsa80PtxAndAFatbinWithSm80AndSm90Sass() throws IOException {
        Properties info = buildInfo();
        assumeTrue("present".equals(info.getProperty("nvcc")),
                "PTX not built: nvcc was not on PATH (nor in $CUDA_HOME/bin) when cuda-kernels was built");
        String[] driver = info.getProperty("driver.min", "?").split("\\.");
        assertTrue(driver.length == 2 && Integer.parseInt(driver[0]) * 10 + Integer.parseInt(driver[1]) <= 120,
                "the PTX must load on CUDA 12.0 drivers, build-info says it needs " + info.getProperty("driver.min"));
        for (String module : info.getProperty("modules").split(" ")) {
            String ptx = resource(module + ".ptx");
            Matcher v = Pattern.compile("^\\.version (\\d+)\\.(\\d)$", Pattern.MULTILINE).matcher(ptx);
            assertTrue(v.find(), module + ".ptx has no .version");
            int isa = Integer.parseInt(v.group(1)) * 10 + Integer.parseInt(v.group(2));
            assertTrue(isa <= 80, module + ".ptx is ISA " + v.group(1) + "." + v.group(2) + ": CUDA 12.0 drivers load 8.0 at most");

            java.nio.ByteBuffer fat = java.nio.ByteBuffer.wrap(bytes(module + ".fatbin")).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            assertEquals(0xBA55ED50, fat.getInt(0), module + ".fatbin magic");
            int headerSize = fat.getShort(6);
            long end = headerSize + fat.getLong(8);
            assertEquals(fat.capacity(), end, module + ".fatbin size");
            List<String> images = new ArrayList<>();
            for (int o = headerSize; o < end; ) {
                int kind = fat.getShort(o), entryHeader = fat.getInt(o + 4), arch = fat.getInt(o + 28);
                long size = fat.getLong(o + 8);
                byte[] payload = new byte[(int) size];
                fat.get(o + entryHeader, payload);
                String head = new String(payload, 0, Math.min(payload.length, 4096), StandardCharsets.ISO_8859_1);
                if (kind == 2) {
                    assertTrue(head.startsWith("\u007fELF"), module + ".fatbin: an ELF image that is not ELF");
                    images.add("sm_" + arch);
                } else if (kind == 1) {
                    assertTrue(head.contains(".version " + v.group(1) + "." + v.group(2)), module + ".fatbin holds other PTX (compressed?)");
                    images.add("compute_" + arch);
                }
                o += entryHeader + (int) size;
            }
            assertEquals(List.of("sm_80", "sm_90", info.getProperty("ptx.arch")), images, module + ".fatbin images");
        }
    }

    @Test
    void nvrtcTemplatesAndTheirHeadersAreResources() throws IOException {
        String template = resource("fused_elementwise.cu.template");
        for (String p : List.of("@NAME@", "@PARAMS@", "@BODY@")) {
            assertTrue(template.contains(p), "fused template lacks placeholder " + p);
        }
        assertTrue(template.contains("#include \"chunkwise_device.cuh\"") && template.contains("#include \"chunkwise_fused.cuh\""));
        String copy = resource("strided_copy.cu.template");
        for (String p : List.of("@NAME@", "@T@", "@PARAMS@", "@INDEX@")) assertTrue(copy.contains(p), "copy template lacks placeholder " + p);
        for (String h : List.of("chunkwise_device.cuh", "chunkwise_fused.cuh")) {
            String header = resource(h);
            assertFalse(header.lines().anyMatch(l -> l.startsWith("#include")), "NVRTC has no system headers: " + h + " must include nothing");
        }
        assertTrue(resource("chunkwise_device.cuh").contains("cw_philox4x32_10") && resource("chunkwise_device.cuh").contains("cw_maximum"));
        assertTrue(resource("chunkwise_fused.cuh").contains("struct cw_i64"));
    }

    private static void checkModule(Properties info, String module, List<String> ops, List<String> dtypes) {
        String ptx = resource(module + ".ptx");
        assertTrue(ptx.contains(".target " + info.getProperty("ptx.arch").replace("compute_", "sm_")),
                module + ".ptx is not for " + info.getProperty("ptx.arch"));
        Set<String> expected = new TreeSet<>();
        for (String op : ops) for (String dt : dtypes) expected.add("chunkwise_" + op + "_" + dt);
        Set<String> entries = new TreeSet<>();
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) entries.add(m.group(1));
        assertEquals(expected, entries, module + ".ptx entries");
    }

    /** The first argument of every {@code X(...)} line of the {@code #define name(X...)} block of the table. */
    private static List<String> names(String table, String define) {
        int start = table.indexOf("#define " + define + "(");
        assertTrue(start >= 0, define + " not in the header");
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("^\\s*X\\((\\w+),").matcher("");
        for (String line : table.substring(start).split("\n", -1)) {
            if (m.reset(line).find()) out.add(m.group(1));
            if (!line.endsWith("\\")) break;
        }
        assertFalse(out.isEmpty(), define + " is empty");
        return out;
    }

    private static Properties buildInfo() throws IOException {
        Properties p = new Properties();
        try (InputStream in = PtxResourcesTest.class.getResourceAsStream(DIR + "build-info.properties")) {
            if (in != null) p.load(in);
        }
        return p;
    }

    private static byte[] bytes(String name) {
        try (InputStream in = PtxResourcesTest.class.getResourceAsStream(DIR + name)) {
            assertNotNull(in, "resource " + DIR + name + " missing");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = PtxResourcesTest.class.getResourceAsStream(DIR + name)) {
            assertNotNull(in, "resource " + DIR + name + " missing");
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
