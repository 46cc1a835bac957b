package io.chunkwise.bench.suite;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.ComputeListener;
import io.chunkwise.NDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Times {@code x.matmul(y).compute()} on a context, with the peers ({@link MatmulPeer}) on the same operands: random
 * normal inputs, persisted first so that a timing is the multiply (and the copy into the result) only. The cases of
 * one dtype and size run together ({@link #runGroup}): each is started and given {@code warmup} untimed runs, then
 * {@code reps} rounds time each case once, interleaved ({@link Interleaved}). Every last product, ours and the
 * peers', is validated before any figure is reported.
 */
public final class MatmulSuite {
    /** The name of our own rows; peers get theirs. */
    public static final String SYSTEM = "chunkwise";
    /** The backend column of the peers' rows: they all run on this machine's CPU. */
    public static final String PEER_BACKEND = "cpu";

    private final Chunkwise cw;
    private final int warmup;
    private final int reps;
    private final long seed;
    private final int members;
    private final int threads;
    private UnaryOperator<NDArray> resultFilter = UnaryOperator.identity();
    private ComputeListener listener = ComputeListener.NONE;
    private List<Chunkwise> contexts;
    private List<Integer> contextMembers;

    /** A peer on one case: a chunk size of n for a peer that does not chunk. */
    public record PeerCase(MatmulPeer peer, MatmulCase c) {}

    public MatmulSuite(Chunkwise cw, int warmup, int reps, long seed, int members, int threads) {
        if (warmup < 0) throw new IllegalArgumentException("warmup runs cannot be negative: " + warmup);
        if (reps < 1) throw new IllegalArgumentException("at least one timed run is needed, not " + reps);
        this.cw = Objects.requireNonNull(cw, "context");
        this.warmup = warmup;
        this.reps = reps;
        this.seed = seed;
        this.members = members;
        this.threads = threads;
    }

    /**
     * Passes every computed product (ours and the peers') through {@code filter} before it is validated. For tests
     * of the validation path, which corrupt the product here; the suite itself never sets one.
     */
    public MatmulSuite resultFilter(UnaryOperator<NDArray> filter) {
        this.resultFilter = Objects.requireNonNull(filter, "filter");
        return this;
    }

    /**
     * Runs each of our cases on every one of {@code contexts} (one row per context: the backend grid) instead of on
     * the suite's own context only. The operands are generated on each context from the same seeds, so every row
     * multiplies the same matrices.
     */
    public MatmulSuite on(List<Chunkwise> contexts) {
        return on(contexts, contexts.stream().map(c -> members).toList());
    }

    /**
     * As {@link #on(List)}, with the members that compute on each context (1 for a local one, n for a cluster of n
     * members): the rows' {@code members} column, the cluster sizes of the grid.
     */
    public MatmulSuite on(List<Chunkwise> contexts, List<Integer> members) {
        if (contexts.isEmpty()) throw new IllegalArgumentException("at least one context is needed");
        if (members.size() != contexts.size()) throw new IllegalArgumentException(members.size() + " member counts for " + contexts.size() + " contexts");
        this.contexts = List.copyOf(contexts);
        this.contextMembers = List.copyOf(members);
        return this;
    }

    /** Receives the progress of each of our products as it is computed (the command line's bar). */
    public MatmulSuite listener(ComputeListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /** Progress steps per case: each warmup run, each timed run and the validation. */
    public int stepsPerCase() {
        return warmup + reps + 1;
    }

    /** Runs one case of ours alone; {@code step} is told each time a step of {@link #stepsPerCase()} ends. */
    public CaseResult run(MatmulCase c, Consumer<String> step) {
        try (MatmulInputs in = new MatmulInputs(cw, c.dtype(), c.n(), seed)) {
            return runGroup(List.of(c), List.of(), in, step).get(0);
        }
    }

    /** Runs one peer alone on {@code in} (of the case's dtype and size). */
    public CaseResult runPeer(MatmulPeer peer, MatmulCase c, MatmulInputs in, Consumer<String> step) {
        return runGroup(List.of(), List.of(new PeerCase(peer, c)), in, step).get(0);
    }

    /**
     * Our cases and the peers' of one dtype and size, interleaved, on the operands {@code in}; one row each, ours
     * first, in the order given. A wrong product gives a FAILED row without speed; a case that cannot run (an
     * exception) a FAILED row with the reason.
     */
    public List<CaseResult> runGroup(List<MatmulCase> ours, List<PeerCase> peers, MatmulInputs in, Consumer<String> step) {
        record Row(String system, String backend, int members, MatmulCase c) {}
        List<Row> rows = new ArrayList<>();
        List<Interleaved.Entry<MatmulPeer.Run>> entries = new ArrayList<>();
        List<Chunkwise> on = contexts != null ? contexts : List.of(cw);
        List<Integer> onMembers = contexts != null ? contextMembers : List.of(members);
        for (MatmulCase c : ours) {
            check(c, in);
            for (int k = 0; k < on.size(); k++) {
                Chunkwise ctx = on.get(k);
                int m = onMembers.get(k);
                String backend = ctx.backend().name();
                rows.add(new Row(SYSTEM, backend, m, c));
                entries.add(new Interleaved.Entry<>(on.size() > 1 ? c.label() + " " + backend + (m > 1 ? " x" + m : "") : c.label(),
                        () -> ours(ctx, c), warmup, reps));
            }
        }
        for (PeerCase p : peers) {
            check(p.c(), in);
            rows.add(new Row(p.peer().system(), PEER_BACKEND, 1, p.c()));
            entries.add(new Interleaved.Entry<>(p.peer().system() + " " + p.c().label(),
                    () -> p.peer().start(p.c(), in, threads), warmup, reps));
        }
        List<CaseResult> out = new ArrayList<>();
        try {
            Interleaved.run(entries, step);
            for (int i = 0; i < rows.size(); i++) {
                Row r = rows.get(i);
                Interleaved.Entry<MatmulPeer.Run> e = entries.get(i);
                CaseResult row;
                if (!e.ok()) {
                    row = failed(r.system(), r.backend(), r.members(), r.c(), Double.NaN, "could not run: " + e.failure);
                } else {
                    row = validated(r.system(), r.backend(), r.members(), r.c(), e, in);
                }
                e.close();
                step.accept(e.label + " validated");
                out.add(row);
            }
        } finally {
            for (var e : entries) e.close();
        }
        return out;
    }

    private CaseResult validated(String system, String backend, int members, MatmulCase c,
                                 Interleaved.Entry<MatmulPeer.Run> e, MatmulInputs in) {
        NDArray product;
        try {
            product = e.trial.product();
        } catch (Exception | LinkageError | OutOfMemoryError ex) {
            return failed(system, backend, members, c, Double.NaN, "could not run: the product could not be read: "
                    + ex.getClass().getSimpleName() + ": " + ex.getMessage());
        }
        MatmulValidator.Verdict v = MatmulValidator.check(resultFilter.apply(product), in.referenceA(), in.referenceB(),
                c.dtype(), in.sampleSeed());
        if (!v.ok()) return failed(system, backend, members, c, v.residual(), "wrong product: " + v.detail());
        double[] mmm = Interleaved.medianMinMax(e.seconds);
        double flops = c.flops() / 1e9;
        return new CaseResult(system, c.dtype().numpyName(), c.n(), c.chunk(), backend, members, threads,
                flops / mmm[0], flops / mmm[2], flops / mmm[1], null, null, null, v.residual(), CaseResult.OK,
                mmm[0], reps, v.detail());
    }

    private static void check(MatmulCase c, MatmulInputs in) {
        if (in.dtype() != c.dtype() || in.n() != c.n()) {
            throw new IllegalArgumentException("inputs of " + in.dtype().numpyName() + " n=" + in.n() + " for " + c.label());
        }
    }

    /** Our product of the case: operands generated in the case's chunks and persisted, outside the timing. */
    private MatmulPeer.Run ours(Chunkwise cw, MatmulCase c) {
        long[] shape = {c.n(), c.n()};
        int[] chunks = {c.chunk(), c.chunk()};
        ChunkedArray x = cw.random(seed).normal(c.dtype(), 0.0, 1.0, shape, chunks).persist();
        ChunkedArray y = cw.random(seed + 1).normal(c.dtype(), 0.0, 1.0, shape, chunks).persist();
        ChunkedArray product = x.matmul(y);
        return new MatmulPeer.Run() {
            private NDArray last;

            @Override
            public double time() {
                last = null;
                long t0 = System.nanoTime();
                last = product.compute(listener);
                return (System.nanoTime() - t0) / 1e9;
            }

            @Override
            public NDArray product() {
                return last;
            }

            @Override
            public void close() {   // the next cases run without these operands in the heap
                x.unpersist();
                y.unpersist();
            }
        };
    }

    /** The row of a case that could not be run at all (an exception), with the reason. */
    public CaseResult failed(MatmulCase c, String why) {
        return failed(SYSTEM, cw.backend().name(), members, c, Double.NaN, "could not run: " + why);
    }

    private CaseResult failed(String system, String backend, int members, MatmulCase c, double residual, String why) {
        return new CaseResult(system, c.dtype().numpyName(), c.n(), c.chunk(), backend, members, threads,
                null, null, null, null, null, null, residual, CaseResult.FAILED, null, reps, why);
    }
}
