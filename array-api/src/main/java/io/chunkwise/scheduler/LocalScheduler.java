package io.chunkwise.scheduler;

import io.chunkwise.BackendKind;
import io.chunkwise.BackendUnavailableException;
import io.chunkwise.ChunkwiseException;
import io.chunkwise.ComputeListener;
import io.chunkwise.MemoryBudgetExceededException;
import io.chunkwise.TaskFailedException;
import io.chunkwise.graph.Task;
import io.chunkwise.graph.TaskEnv;
import io.chunkwise.graph.TaskGraph;
import io.chunkwise.graph.TaskOp;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.Block;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;

/**
 * Runs a task graph on {@code threads} workers: the calling thread and {@code threads - 1} of a pool. A task runs
 * once its inputs are done; among ready tasks the earliest in the graph's depth-first order goes first, so partials
 * are combined and chunks freed early. A chunk is released as soon as no remaining task reads it. A task starts only
 * while the bytes held plus its output fit in the memory budget; one that cannot fit even alone fails with
 * {@link MemoryBudgetExceededException}.
 *
 * <p>The bookkeeping is flat and cheap, so that tasks of a few microseconds are worth scheduling: the graph's
 * dependencies as int arrays, the ready tasks in a heap of task positions (no boxing), one lock taken once per task
 * (a worker that finishes a task takes its next one in the same step), and a waiting worker woken only when there is
 * a task for it or the run ends.
 */
public final class LocalScheduler implements Scheduler {
    private final Backend backend;
    private final int threads;
    private final long budgetBytes;
    private final ForkJoinPool pool;

    /** Runs tasks on {@code backend} (owned by the caller, which closes it after this scheduler). */
    public LocalScheduler(Backend backend, int threads, long budgetBytes) {
        this.backend = backend;
        this.threads = threads;
        this.budgetBytes = budgetBytes;
        this.pool = new ForkJoinPool(threads);
    }

    @Override public int threads() { return threads; }

    @Override public long memoryBudget() { return budgetBytes; }

    @Override
    public int gemmTile(BackendKind kind) {
        checkKind(kind);
        return backend.gemmTile();
    }

    private void checkKind(BackendKind kind) {
        if (kind != BackendKind.AUTO && kind != backend.kind()) {
            throw new BackendUnavailableException("this scheduler runs tasks on the " + backend.kind() + " backend "
                    + backend.name() + ", not on a " + kind + " one");
        }
    }

    @Override
    public void run(TaskGraph graph, BackendKind kind, TaskEnv env, Sink sink, ComputeListener listener) {
        checkKind(kind);
        listener.started(graph.size());
        Run r = new Run(graph, env, sink, listener);
        List<Future<?>> workers = new ArrayList<>();
        int helpers = Math.min(threads, Math.max(graph.size(), 1)) - 1;
        for (int i = 0; i < helpers; i++) workers.add(pool.submit(r::work));
        try {
            r.work();
        } catch (Throwable e) {
            r.fail(e);
        }
        // wait for every worker, also when interrupted: blocks are released only after the running tasks stopped
        boolean interrupted = false;
        for (Future<?> f : workers) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    r.fail(new ChunkwiseException("interrupted while computing", e));
                } catch (ExecutionException e) {
                    r.fail(e.getCause());
                    break;
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        r.releaseAll();
        if (r.error != null) {
            if (r.error instanceof ChunkwiseException ce) throw ce;
            throw new TaskFailedException("computation failed: " + r.error, r.error);
        }
    }

    @Override
    public void close() { pool.shutdownNow(); }

    /** Task positions, smallest first: the ready tasks in the graph's order. */
    static final class IntHeap {
        private int[] heap = new int[16];
        private int size;

        boolean isEmpty() { return size == 0; }

        int size() { return size; }

        int peek() { return heap[0]; }

        void add(int x) {
            if (size == heap.length) heap = Arrays.copyOf(heap, size * 2);
            int[] h = heap;
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (h[parent] <= x) break;
                h[i] = h[parent];
                i = parent;
            }
            h[i] = x;
        }

        int poll() {
            int[] h = heap;
            int top = h[0];
            int x = h[--size];
            int i = 0, half = size >>> 1;
            while (i < half) {
                int c = 2 * i + 1;
                if (c + 1 < size && h[c + 1] < h[c]) c++;
                if (x <= h[c]) break;
                h[i] = h[c];
                i = c;
            }
            h[i] = x;
            return top;
        }
    }

    /** {@code Run.take}'s answers other than a task: the run is over for this worker; or, wait for a task. */
    private static final int NONE = -1, WAIT = -2;
    private static final Block[] NO_INPUTS = {};

    /** A worker's blocks to release once it has left the lock; reused from task to task. */
    private static final class Releases {
        Block[] blocks = new Block[8];
        int count;

        void add(Block b) {
            if (b == null) return;
            if (count == blocks.length) blocks = Arrays.copyOf(blocks, count * 2);
            blocks[count++] = b;
        }

        void releaseAll(Backend backend) {
            for (int i = 0; i < count; i++) {
                Block b = blocks[i];
                blocks[i] = null;
                backend.release(b);
            }
            count = 0;
        }
    }

    private final class Run {
        final TaskGraph graph;
        final TaskOp[] ops;
        final int[][] distinctDeps;  // task positions of the inputs, each once
        final int[] dependentStart;  // the tasks reading task t: dependents[dependentStart[t] .. dependentStart[t+1])
        final int[] dependents;
        final int[] pending;
        final int[] refs;
        final boolean[] output;
        final Scheduler.Target[] targets; // where an output task writes in place, else null
        final boolean[] kept;        // output blocks the sink keeps: never released by us
        final boolean[] literal;     // persisted chunks: neither counted against the budget nor released by us
        final long[] need;           // each task's bytes while it runs, reserved before it starts
        final long[] held;           // the bytes counted for each result while it is held
        final Block[] results;
        final IntHeap ready = new IntHeap();
        final TaskEnv env;
        final Sink sink;
        final ComputeListener listener;
        final boolean timed;
        final int total;
        int completed;
        long live;
        int running;
        int remaining;
        int waiting;
        Throwable error;

        Run(TaskGraph graph, TaskEnv env, Sink sink, ComputeListener listener) {
            this.graph = graph;
            this.env = env;
            this.sink = sink;
            this.listener = listener;
            this.timed = listener != ComputeListener.NONE;
            int n = graph.size();
            this.total = n;
            ops = new TaskOp[n];
            distinctDeps = new int[n][];
            pending = new int[n];
            refs = new int[n];
            output = new boolean[n];
            targets = new Scheduler.Target[n];
            literal = new boolean[n];
            kept = new boolean[n];
            need = new long[n];
            held = new long[n];
            results = new Block[n];
            int[] seen = new int[n];     // seen[d] == t + 1: task t already reads d
            int[] count = new int[n + 1];
            for (int t = 0; t < n; t++) {
                TaskOp op = graph.task(t).op();
                ops[t] = op;
                literal[t] = op instanceof TaskOp.Persisted;
                need[t] = op.runBytes(backend);
                int[] d = graph.deps(t);
                int distinct = 0;
                for (int x : d) {
                    if (seen[x] != t + 1) {
                        seen[x] = t + 1;
                        distinct++;
                    }
                }
                int[] dd = d;
                if (distinct != d.length) {
                    dd = new int[distinct];
                    int k = 0;
                    for (int x : d) if (seen[x] == t + 1) {
                        seen[x] = 0;
                        dd[k++] = x;
                    }
                }
                distinctDeps[t] = dd;
                pending[t] = dd.length;
                for (int x : dd) {
                    refs[x]++;
                    count[x + 1]++;
                }
                if (dd.length == 0) ready.add(t);
            }
            for (int t = 0; t < n; t++) count[t + 1] += count[t];
            dependentStart = count.clone();
            dependents = new int[count[n]];
            for (int t = 0; t < n; t++) for (int x : distinctDeps[t]) dependents[count[x]++] = t;
            for (int o = 0; o < graph.outputCount(); o++) {
                int t = graph.outputTask(o);
                if (!output[t]) {
                    output[t] = true;
                    refs[t]++;
                    if (ops[t] instanceof TaskOp.WritesInto) targets[t] = sink.target(graph.task(t).key());
                    if (targets[t] != null) need[t] = 0; // written in place: no block of its own
                }
            }
            remaining = n;
        }

        void work() {
            Releases toRelease = new Releases();
            int t;
            Block[] inputs = null;
            synchronized (this) {
                t = take(true);
                if (t >= 0) inputs = inputsOf(t);
            }
            while (t >= 0) {
                Block out = null;
                Throwable failure = null;
                boolean keep = false;
                try {
                    long start = timed ? System.nanoTime() : 0;
                    if (targets[t] == null) {
                        out = ops[t].run(backend, inputs, env);
                        if (out == null) throw new IllegalStateException("the backend returned no block");
                    } else {
                        runInto(t, inputs); // no block (out stays null), nothing for the sink to accept
                    }
                    long nanos = timed ? System.nanoTime() - start : 0;
                    if (output[t] && out != null) keep = sink.accept(graph.task(t).key(), out);
                    if (timed) {
                        int done;
                        synchronized (this) {
                            done = ++completed;
                        }
                        listener.taskDone(done, total, out != null ? out.bytes() : ops[t].outputBytes(), nanos, backend.name());
                    }
                } catch (OutOfMemoryError e) {
                    failure = new MemoryBudgetExceededException("the Java heap ran out while running task " + graph.task(t).key()
                            + "; lower the memory budget or the chunk size, or give the JVM more heap (-Xmx)", e);
                } catch (ChunkwiseException e) {
                    failure = e;
                } catch (Throwable e) {
                    Task task = graph.task(t);
                    failure = new TaskFailedException("task " + task.key() + " (" + task.op().describe() + ") failed: " + e, e);
                }
                // a block made before the sink or the listener threw is never committed: ours to give back
                if (failure != null && !keep) toRelease.add(out);
                inputs = null;
                synchronized (this) {
                    commit(t, out, keep, failure, toRelease);
                    // the next task at once where one can start; with blocks to release, release them before waiting
                    t = take(toRelease.count == 0);
                    if (t >= 0) inputs = inputsOf(t);
                }
                toRelease.releaseAll(backend);
                if (t == WAIT) {
                    synchronized (this) {
                        t = take(true);
                        if (t >= 0) inputs = inputsOf(t);
                    }
                }
            }
        }

        /**
         * The next task to run (its output bytes reserved), NONE when the run is over or failed, or, without
         * {@code block}, WAIT where a blocking call would wait.
         */
        private int take(boolean block) {
            while (true) {
                if (error != null || remaining == 0) return NONE;
                if (!ready.isEmpty()) {
                    int head = ready.peek();
                    long n = need[head];
                    if (live + n <= budgetBytes) {
                        ready.poll();
                        running++;
                        live += n;
                        if (!ready.isEmpty() && waiting > 0) notify(); // another task for a waiting worker
                        return head;
                    }
                    if (running == 0) {
                        error = budgetError(graph.task(head), n);
                        notifyAll();
                        return NONE;
                    }
                }
                if (!block) return WAIT;
                waiting++;
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    if (error == null) error = new ChunkwiseException("interrupted while computing", e);
                    notifyAll();
                } finally {
                    waiting--;
                }
            }
        }

        /** Runs output task {@code t} straight into its target. */
        private void runInto(int t, Block[] inputs) {
            Scheduler.Target into = targets[t];
            ((TaskOp.WritesInto) ops[t]).runInto(backend, inputs, into.array(), into.offset(), into.strides());
        }

        private Block[] inputsOf(int t) {
            int[] d = graph.deps(t);
            if (d.length == 0) return NO_INPUTS;
            Block[] in = new Block[d.length];
            for (int i = 0; i < in.length; i++) in[i] = results[d[i]];
            return in;
        }

        /**
         * Records task {@code t}'s result (or failure): forgets the results no task reads any more, adding those
         * that are ours to {@code toRelease}, and readies the tasks that waited only for this one.
         */
        private void commit(int t, Block out, boolean keep, Throwable failure, Releases toRelease) {
            running--;
            if (failure != null) {
                live -= need[t];
                if (error == null) error = failure;
                notifyAll();
                return;
            }
            long bytes = literal[t] || out == null ? 0 : out.bytes();
            held[t] = bytes;
            live += bytes - need[t];
            results[t] = out;
            kept[t] = keep;
            remaining--;
            for (int d : distinctDeps[t]) if (--refs[d] == 0) toRelease.add(forget(d));
            if (output[t] && --refs[t] == 0) toRelease.add(forget(t));
            for (int i = dependentStart[t], end = dependentStart[t + 1]; i < end; i++) {
                int u = dependents[i];
                if (--pending[u] == 0) ready.add(u);
            }
            // waiting workers are woken by take() when it leaves a task behind, or here when the run is over
            if (remaining == 0) notifyAll();
        }

        /** Drops a result from the bookkeeping; returns its block where it is ours to release, else null. */
        private Block forget(int t) {
            Block b = results[t];
            results[t] = null;
            live -= held[t];
            held[t] = 0;
            return literal[t] || kept[t] ? null : b;
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
            notifyAll();
        }

        synchronized void releaseAll() {
            for (int i = 0; i < results.length; i++) {
                if (results[i] != null) {
                    Block b = forget(i);
                    if (b != null) backend.release(b);
                }
            }
        }
    }
}
