package io.chunkwise.scheduler;

import io.chunkwise.ChunkwiseException;
import io.chunkwise.ComputeListener;
import io.chunkwise.MemoryBudgetExceededException;
import io.chunkwise.TaskFailedException;
import io.chunkwise.graph.ChunkKey;
import io.chunkwise.graph.Task;
import io.chunkwise.graph.TaskGraph;
import io.chunkwise.graph.TaskOp;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.Block;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;

/**
 * Runs a task graph on a pool of {@code threads} workers. A task runs once its inputs are done; among ready tasks
 * the earliest in the graph's depth-first order goes first, so partials are combined and chunks freed early. A chunk
 * is released as soon as no remaining task reads it. A task starts only while the bytes held plus its output fit in
 * the memory budget; one that cannot fit even alone fails with {@link MemoryBudgetExceededException}.
 */
public final class LocalScheduler implements Scheduler {
    private final int threads;
    private final long budgetBytes;
    private final ForkJoinPool pool;

    public LocalScheduler(int threads, long budgetBytes) {
        this.threads = threads;
        this.budgetBytes = budgetBytes;
        this.pool = new ForkJoinPool(threads);
    }

    public int threads() { return threads; }

    public long budgetBytes() { return budgetBytes; }

    @Override
    public void run(TaskGraph graph, Backend backend, Sink sink, ComputeListener listener) {
        listener.started(graph.size());
        Run r = new Run(graph, backend, sink, listener);
        List<Future<?>> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) workers.add(pool.submit(r::work));
        for (Future<?> f : workers) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                r.fail(new ChunkwiseException("interrupted while computing", e));
            } catch (ExecutionException e) {
                r.fail(e.getCause());
            }
        }
        r.releaseAll();
        if (r.error != null) {
            if (r.error instanceof ChunkwiseException ce) throw ce;
            throw new TaskFailedException("computation failed: " + r.error, r.error);
        }
    }

    @Override
    public void close() { pool.shutdownNow(); }

    private final class Run {
        final Task[] tasks;
        final int[][] deps;          // task indices of the inputs, in the order the op reads them
        final int[][] distinctDeps;
        final List<List<Integer>> dependents = new ArrayList<>();
        final int[] pending;
        final int[] refs;
        final boolean[] output;
        final Scheduler.Target[] targets; // where an output's elementwise task writes in place, else null
        final Block[] results;
        final PriorityQueue<Integer> ready = new PriorityQueue<>();
        final Backend backend;
        final Sink sink;
        final ComputeListener listener;
        final int total;
        final java.util.concurrent.atomic.AtomicInteger completed = new java.util.concurrent.atomic.AtomicInteger();
        long live;
        int running;
        int remaining;
        Throwable error;

        Run(TaskGraph graph, Backend backend, Sink sink, ComputeListener listener) {
            this.backend = backend;
            this.sink = sink;
            this.listener = listener;
            this.total = graph.size();
            int n = graph.size();
            tasks = graph.tasks().values().toArray(new Task[0]);
            Map<ChunkKey, Integer> at = new HashMap<>(n * 2);
            for (int i = 0; i < n; i++) at.put(tasks[i].key(), i);
            deps = new int[n][];
            distinctDeps = new int[n][];
            pending = new int[n];
            refs = new int[n];
            output = new boolean[n];
            targets = new Scheduler.Target[n];
            results = new Block[n];
            for (int i = 0; i < n; i++) dependents.add(new ArrayList<>(1));
            for (int i = 0; i < n; i++) {
                deps[i] = tasks[i].deps().stream().mapToInt(at::get).toArray();
                LinkedHashSet<Integer> d = new LinkedHashSet<>();
                for (int x : deps[i]) d.add(x);
                distinctDeps[i] = d.stream().mapToInt(Integer::intValue).toArray();
                pending[i] = distinctDeps[i].length;
                for (int x : distinctDeps[i]) {
                    refs[x]++;
                    dependents.get(x).add(i);
                }
                if (pending[i] == 0) ready.add(i);
            }
            for (ChunkKey k : new LinkedHashSet<>(graph.outputs().values())) {
                output[at.get(k)] = true;
                refs[at.get(k)]++;
                if (tasks[at.get(k)].op() instanceof TaskOp.Elementwise) targets[at.get(k)] = sink.target(k);
            }
            remaining = n;
        }

        void work() {
            while (true) {
                int t;
                long need;
                Block[] inputs;
                synchronized (this) {
                    while (true) {
                        if (error != null || remaining == 0) {
                            notifyAll();
                            return;
                        }
                        Integer head = ready.peek();
                        if (head != null) {
                            need = targets[head] != null ? 0 : tasks[head].op().outputBytes(); // in place: no block
                            if (live + need <= budgetBytes) break;
                            if (running == 0) {
                                error = budgetError(tasks[head], need);
                                continue;
                            }
                        }
                        try {
                            wait();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            error = new ChunkwiseException("interrupted while computing", e);
                        }
                    }
                    t = ready.poll();
                    running++;
                    live += need;
                    inputs = new Block[deps[t].length];
                    for (int i = 0; i < inputs.length; i++) inputs[i] = results[deps[t][i]];
                }
                Block out = null;
                Throwable failure = null;
                boolean kept = false;
                try {
                    long start = System.nanoTime();
                    out = targets[t] == null ? tasks[t].op().run(backend, inputs) : runInto(t, inputs);
                    long nanos = System.nanoTime() - start;
                    if (output[t] && out != null) kept = sink.accept(tasks[t].key(), out);
                    listener.taskDone(completed.incrementAndGet(), total, out != null ? out.bytes() : tasks[t].op().outputBytes(),
                            nanos, backend.name());
                } catch (OutOfMemoryError e) {
                    failure = new MemoryBudgetExceededException("the Java heap ran out while running task " + tasks[t].key()
                            + "; lower the memory budget or the chunk size, or give the JVM more heap (-Xmx)", e);
                } catch (ChunkwiseException e) {
                    failure = e;
                } catch (Throwable e) {
                    failure = new TaskFailedException("task " + tasks[t].key() + " (" + tasks[t].op().describe()
                            + ") failed: " + e, e);
                }
                List<Block> toRelease = new ArrayList<>();
                synchronized (this) {
                    running--;
                    if (failure != null) {
                        live -= need;
                        if (error == null) error = failure;
                        notifyAll();
                        continue;
                    }
                    live += bytesOf(t, out) - need;
                    results[t] = out;
                    remaining--;
                    for (int d : distinctDeps[t]) if (--refs[d] == 0) toRelease.add(free(d));
                    if (output[t] && --refs[t] == 0) {
                        Block b = free(t);
                        if (!kept) toRelease.add(b);
                    }
                    for (int u : dependents.get(t)) if (--pending[u] == 0) ready.add(u);
                    notifyAll();
                }
                for (Block b : toRelease) if (b != null) backend.release(b);
            }
        }

        /** Runs elementwise output task {@code t} into its target: no block (null). */
        private Block runInto(int t, Block[] inputs) {
            Scheduler.Target into = targets[t];
            ((TaskOp.Elementwise) tasks[t].op()).runInto(backend, inputs, into.array(), into.offset(), into.strides());
            return null;
        }

        private long bytesOf(int t, Block b) {
            return tasks[t].op() instanceof TaskOp.Literal || b == null ? 0 : b.bytes();
        }

        /** Forgets a result; returns the block to release, or null where the block is not ours (persisted). */
        private Block free(int t) {
            Block b = results[t];
            results[t] = null;
            live -= bytesOf(t, b);
            return tasks[t].op() instanceof TaskOp.Literal ? null : b;
        }

        private MemoryBudgetExceededException budgetError(Task task, long need) {
            if (need > budgetBytes) {
                return new MemoryBudgetExceededException("task " + task.key() + " (" + task.op().describe() + ") needs "
                        + need + " bytes but the memory budget is " + budgetBytes + " bytes; use smaller chunks or a larger budget");
            }
            return new MemoryBudgetExceededException("task " + task.key() + " needs " + need + " bytes while " + live
                    + " bytes of chunks waiting for their consumers are held, over the memory budget of " + budgetBytes
                    + " bytes; use smaller chunks or a larger budget");
        }

        synchronized void fail(Throwable t) {
            if (error == null) error = t;
        }

        synchronized void releaseAll() {
            for (int i = 0; i < results.length; i++) {
                if (results[i] != null) {
                    Block b = free(i);
                    if (b != null && !output[i]) backend.release(b);
                }
            }
        }
    }
}
