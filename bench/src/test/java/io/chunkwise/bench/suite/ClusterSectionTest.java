package io.chunkwise.bench.suite;

import io.chunkwise.bench.CommandLineRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster section in quick mode on tiny sizes (an embedded cluster of 2 members, a member process for the
 * transfers): the shape of what it prints and writes, not its timings. dask.distributed is left out (--peers none):
 * its LocalCluster alone takes seconds to start; PeerDiscoveryTest covers how a missing peer is reported.
 */
class ClusterSectionTest {
    @Test
    void quickClusterSectionWritesItsRowsAndRatios(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("out");
        CommandLineRun r = CommandLineRun.of("bench", "--quick", "--sections", "matmul,cluster", "--members", "2",
                "--sizes", "96", "--dtypes", "float64", "--peers", "none", "--tasks", "500", "--no-progress",
                "--output", output.toString());
        assertEquals(0, r.code(), r.transcript());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("cluster: an embedded cluster of 2 members")), r.transcript());

        // --members 2 puts a cluster of 2 on the matmul grid: a row of ours with members = 2 beside the local one
        List<String> results = Files.readAllLines(output.resolve("results.csv"));
        int members = ResultFiles.COLUMNS.indexOf("members"), status = ResultFiles.COLUMNS.indexOf("status");
        List<String[]> ours = results.stream().skip(1).map(l -> l.split(",", -1)).filter(c -> c[0].equals("chunkwise")).toList();
        assertEquals(List.of("1", "2"), ours.stream().map(c -> c[members]).toList(), String.join("\n", results));
        for (String[] c : ours) assertEquals("ok", c[status], String.join(",", c));

        // cluster.csv: local and cluster rows of each workload, and a transfer row per chunk size, all checked
        List<String> csv = Files.readAllLines(output.resolve("cluster.csv"));
        assertEquals(String.join(",", ResultFiles.CLUSTER_COLUMNS), csv.get(0));
        List<String> rows = csv.subList(1, csv.size());
        for (String w : List.of(ClusterSuite.MATMUL, ClusterSuite.FUSED_SUM, ClusterSuite.FUSED_SUM_DRAWN, ClusterSuite.TINY)) {
            for (String m : List.of("1", "2")) {
                assertTrue(rows.stream().anyMatch(l -> l.startsWith(w + ",chunkwise,") && cell(l, "members").equals(m)),
                        w + " on " + m + " in\n" + String.join("\n", csv));
            }
        }
        assertEquals(2, rows.stream().filter(l -> l.startsWith("transfer,hazelcast,")).count(), String.join("\n", csv));
        assertEquals(10, rows.size(), String.join("\n", csv));
        for (String row : rows) {
            assertEquals(ResultFiles.CLUSTER_COLUMNS.size(), cells(row).size(), row);
            assertEquals("ok", cell(row, "status"), row);
            assertTrue(Double.parseDouble(cell(row, "median")) > 0, row);
        }
        assertTrue(rows.stream().anyMatch(l -> l.startsWith("matmul,chunkwise,") && l.contains("bit-identical to local")),
                String.join("\n", csv));

        // the ratios: cluster / local for the two workloads, the per-task figures, the transfer target; no peer
        List<String> ratios = Files.readAllLines(output.resolve("cluster-ratios.csv"));
        assertEquals(String.join(",", ResultFiles.RATIO_COLUMNS), ratios.get(0));
        for (String q : List.of("matmul,cluster / local time,", "fused_sum,cluster / local time,",
                "fused_sum_drawn,cluster / local time,", "tiny,cluster time / tasks (us),",
                "tiny,(cluster - local time) / tasks (us),", "transfer,GB/s reading 8 MiB chunks")) {
            assertTrue(ratios.stream().anyMatch(l -> l.startsWith(q)), q + " in\n" + String.join("\n", ratios));
        }
        assertTrue(ratios.stream().anyMatch(l -> l.contains("no peer: ")), String.join("\n", ratios));
        assertFalse(ratios.stream().anyMatch(l -> l.startsWith("matmul,cluster speed / distributed's,")), String.join("\n", ratios));

        Object json = Json.parse(Files.readString(output.resolve("cluster.json")));
        assertTrue(json instanceof Map<?, ?> m && m.get("rows") instanceof List<?> l && l.size() == rows.size()
                && m.get("ratios") instanceof List<?> q && q.size() == ratios.size() - 1, String.valueOf(json));
        assertTrue(r.out().contains("ratios, round by round"), r.transcript());
    }

    private static List<String> cells(String row) {
        // the detail column may be quoted and hold commas; it is the last one
        List<String> out = new java.util.ArrayList<>();
        String rest = row;
        for (int i = 0; i < ResultFiles.CLUSTER_COLUMNS.size() - 1; i++) {
            int comma = rest.indexOf(',');
            out.add(rest.substring(0, comma));
            rest = rest.substring(comma + 1);
        }
        out.add(rest);
        return out;
    }

    private static String cell(String row, String column) {
        return cells(row).get(ResultFiles.CLUSTER_COLUMNS.indexOf(column));
    }
}
