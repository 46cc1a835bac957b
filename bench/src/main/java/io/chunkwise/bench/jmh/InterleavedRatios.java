package io.chunkwise.bench.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the {@code @Benchmark} methods of one benchmark class of this package round-robin (a, b, c, then c, b, a,
 * the order reversed each round so that none always follows the same one) and prints the median time of each and
 * its ratio to the others. JMH runs one benchmark after the other, so on a
 * shared, noisy machine a load that comes and goes lands on some benchmarks and not others; interleaving spreads it
 * over all of them, and the ratios of medians stay put. Not a replacement for JMH (no forks, no blackholes: every
 * result is kept in a field), a cross-check for the ratios.
 *
 * <pre>{@code
 * java --add-modules=jdk.incubator.vector -Xms12g -Xmx12g -cp bench/target/chunkwise.jar \
 *     io.chunkwise.bench.jmh.InterleavedRatios ElementwiseBench chunk=10000000 rounds=15
 * }</pre>
 * Arguments: the class's simple name, then {@code field=value} for its {@code @Param} fields (default: the first
 * value of each), {@code rounds=N} (default 12; the first 2 rounds are warm-up and not counted) and
 * {@code only=a,b} to run just the benchmarks named.
 */
public final class InterleavedRatios {
    /** Keeps results reachable so that no benchmark body is optimised away. */
    static volatile Object sink;

    private InterleavedRatios() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: InterleavedRatios <BenchmarkClass> [param=value ...] [rounds=N]");
            System.exit(2);
        }
        Class<?> type = Class.forName(InterleavedRatios.class.getPackageName() + "." + args[0]);
        Object bench = type.getDeclaredConstructor().newInstance();
        int rounds = 12;
        List<String> only = null;
        Map<String, String> given = new LinkedHashMap<>();
        for (String a : Arrays.copyOfRange(args, 1, args.length)) {
            String[] kv = a.split("=", 2);
            if (kv[0].equals("rounds")) rounds = Integer.parseInt(kv[1]);
            else if (kv[0].equals("only")) only = List.of(kv[1].split(","));
            else given.put(kv[0], kv[1]);
        }
        StringBuilder params = new StringBuilder();
        for (Field f : type.getFields()) {
            Param p = f.getAnnotation(Param.class);
            if (p == null) continue;
            String v = given.getOrDefault(f.getName(), p.value()[0]);
            f.set(bench, f.getType() == int.class ? (Object) Integer.parseInt(v) : f.getType() == long.class ? (Object) Long.parseLong(v) : v);
            params.append(' ').append(f.getName()).append('=').append(v);
        }
        List<Method> benchmarks = new ArrayList<>();
        for (Method m : type.getMethods()) {
            if (m.isAnnotationPresent(Benchmark.class) && (only == null || only.contains(m.getName()))) benchmarks.add(m);
        }
        benchmarks.sort(Comparator.comparing(Method::getName));
        for (Method m : type.getMethods()) if (m.isAnnotationPresent(Setup.class)) m.invoke(bench);
        Map<String, List<Double>> times = new LinkedHashMap<>();
        try {
            for (int r = 0; r < rounds; r++) {
                for (Method m : r % 2 == 0 ? benchmarks : benchmarks.reversed()) {
                    long t0 = System.nanoTime();
                    sink = m.invoke(bench);
                    double ms = (System.nanoTime() - t0) / 1e6;
                    if (r >= 2) times.computeIfAbsent(m.getName(), k -> new ArrayList<>()).add(ms);
                }
            }
        } finally {
            for (Method m : type.getMethods()) if (m.isAnnotationPresent(TearDown.class)) m.invoke(bench);
        }
        Map<String, Double> median = new LinkedHashMap<>();
        times.forEach((k, v) -> {
            double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            median.put(k, s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2);
        });
        System.out.printf("%s%s, %d rounds interleaved (%d counted); median ms per call:%n", args[0], params, rounds, rounds - 2);
        median.forEach((k, v) -> System.out.printf("  %-14s %10.3f%n", k, v));
        System.out.println("ratios time(column) / time(row), i.e. the row's speed relative to the column's:");
        System.out.printf("  %-14s", "");
        for (String c : median.keySet()) System.out.printf(" %10s", c.length() > 10 ? c.substring(0, 10) : c);
        System.out.println();
        for (var row : median.entrySet()) {
            System.out.printf("  %-14s", row.getKey());
            for (double col : median.values()) System.out.printf(" %10.2f", col / row.getValue());
            System.out.println();
        }
    }
}
