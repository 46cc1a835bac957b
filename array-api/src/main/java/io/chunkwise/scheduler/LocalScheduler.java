package io.chunkwise.scheduler;

import io.chunkwise.BackendKind;
import io.chunkwise.BackendUnavailableException;
import io.chunkwise.ChunkwiseException;
import io.chunkwise.ComputationCancelledException;
import io.chunkwise.ComputeListener;
import io.chunkwise.MemoryBudgetExceededException;
import io.chunkwise.TaskFailedException;
import io.chunkwise.graph.Task;
import io.chunkwise.graph.TaskEnv;
import io.chunkwise.graph.TaskGraph;
import io.chunkwise.graph.TaskOp;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.Cancellation;
import io.chunkwise.spi.SharedWork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs task graphs on {@code threads} workers each: the calling thread and {@code threads - 1} of a pool. A task runs
 * once its inputs are done; among ready tasks the earliest in the graph's depth-first order goes first, so partials
 * are combined and chunks freed early. A chunk is released as soon as no remaining task reads it.
 *
 * <p><b>One memory budget for all runs.</b> The budget is this scheduler's (its context's) account, which every run
 * reserves from: a task's output bytes before it starts (a fused reduction's chunk too, unless the backend streams it:
 * {@link TaskOp#runBytes}), given back when the chunk is released, so that the runs under way hold at most the budget
 * together. A task that does not fit waits. The rules, which keep a run from failing because of another while never
 * letting runs wait for each other for ever:
 * <ul>
 *   <li>while the run has tasks running, it waits for them (their commits free its chunks);</li>
 *   <li>with none running, another ready task that fits runs first (the first in the graph's order: a consumer of
 *       the chunks the run holds frees them);</li>
 *   <li>if none fits, a task whose output plus the chunks its own run holds exceed the budget can never fit:
 *       the run fails with {@link MemoryBudgetExceededException};</li>
 *   <li>otherwise the memory is held by other runs: the run waits until another run releases memory or ends;</li>
 *   <li>when every run under way waits so, none can go on: the most recently started run that holds memory fails
 *       with {@link MemoryBudgetExceededException} (its chunks are released, and the others go on).</li>
 * </ul>
 *
 * <p><b>Cancellation.</b> A run is cancelled when the calling thread is interrupted (also before the run starts), or
 * when this scheduler closes. Its workers take no further task, kernels that poll {@link Cancellation#check()}
 * stop between tiles, and once the running tasks have returned every chunk is released and {@link #run} throws
 * {@link ComputationCancelledException}; an interrupted caller keeps its interrupt status. {@link #close()}
 * cancels the runs under way and waits for them to end, so that the backend is never closed under a running task.
 *
 * <p>The bookkeeping is flat and cheap, so that tasks of a few microseconds are worth scheduling: the graph's
 * dependencies as int arrays, the ready tasks in a heap of task positions (no boxing), one lock taken once per task
 * (a worker that finishes a task takes its next one in the same step), the budget an atomic counter, and a waiting
 * worker woken only when there is a task for it or the run ends.
 *
 * <p><b>Shared work.</b> A worker with no task to take helps a running task with the pieces it offers
 * ({@link SharedWork}: the leaves of a large chunk's sum), so that a run of a few large chunks does not end with one
 * worker finishing the last chunk while the others wait. Ready tasks go first.
 */
public final class LocalScheduler implements Scheduler {
    private static final Logger LOG = LoggerFactory.getLogger(LocalScheduler.class);
    private final Backend backend;
    private final int threads;
    private final long budgetBytes;
    private final ForkJoinPool pool;
    /** Bytes reserved by all runs: the chunks they hold and the outputs of their running tasks. */
    private final AtomicLong used = new AtomicLong();
    /** Workers waiting for memory another run holds; while there are some, a release bumps {@link #releases}. */
    private final AtomicInteger memoryWaiters = new AtomicInteger();
    /** Releases seen by waiting workers (changed under this scheduler's lock, which they wait on). */
    private volatile long releases;
    /** The runs under way, oldest first (guarded by this scheduler's lock, like {@link #closed}). */
    private final List<Run> runs = new ArrayList<>();
    private boolean closed;

    /** Runs tasks on {@code backend} (owned by the caller, which closes it after this scheduler). */
    public LocalScheduler(Backend backend, int threads, long budgetBytes) {
        this.backend = backend;
        this.threads = threads;
        this.budgetBytes = budgetBytes;
        this.pool = new ForkJoinPool(threads);
    }

    @Override public int threads() { return threads; }

    @Override public long memoryBudget() { return budgetBytes; }

    /** Bytes of the budget reserved now, by all runs together. */
    long memoryInUse() { return used.get(); }

    /** Runs under way now. */
    synchronized int runsUnderWay() { return runs.size(); }

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
        if (Thread.currentThread().isInterrupted()) throw new ComputationCancelledException(Cancellation.INTERRUPTED);
        Run r = new Run(graph, env, sink, listener);
        synchronized (this) {
            if (closed) throw new ChunkwiseException("this scheduler is closed: its Chunkwise context was closed");
            runs.add(r);
        }
        try {
            try {
                listener.started(graph.size());
            } catch (RuntimeException e) {
                throw listenerFailed(e);
            }
            List<Future<?>> workers = new ArrayList<>();
            int helpers = Math.min(threads, Math.max(graph.size(), 1)) - 1;
            for (int i = 0; i < helpers; i++) workers.add(pool.submit(r::work));
            try {
                r.work();
            } catch (Throwable e) {
                r.fail(e);
            }
            // wait for every worker, also when interrupted: blocks are released only after the running tasks stopped
            for (Future<?> f : workers) {
                while (true) {
                    try {
                        f.get();
                        break;
                    } catch (InterruptedException e) {
                        r.cancel(r.interruption(e));
                    } catch (ExecutionException e) {
                        r.fail(e.getCause());
                        break;
                    }
                }
            }
        } finally {
            r.releaseAll();
            synchronized (this) {
                runs.remove(r);
                releases++;   // waiting runs look again (they may all wait now: see awaitMemory)
                notifyAll();
            }
            if (r.callerInterrupted) Thread.currentThread().interrupt();
        }
        if (r.error != null) {
            if (r.error instanceof ChunkwiseException ce) throw ce;
            throw new TaskFailedException("computation failed: " + r.error, r.error);
        }
    }

    @Override
    public synchronized void checkClosableHere() {
        Cancellation here = Cancellation.current();
        for (Run r : runs) {
            if (r.token == here) {
                throw new ChunkwiseException("close() was called from inside a task of a computation on this context (a "
                        + "mapBlocks function or a compute listener); it would wait for itself: close the context after compute() returns");
            }
        }
    }

    /**
     * Cancels the runs under way ({@link ComputationCancelledException}: the context was closed while computing),
     * waits for their running tasks to return and their chunks to be released, then stops the pool.
     */
    @Override
    public void close() {
        List<Run> active;
        synchronized (this) {
            if (closed) return;
            closed = true;
            active = new ArrayList<>(runs);
        }
        for (Run r : active) r.cancel(new ComputationCancelledException("Chunkwise context closed while computing: the computation was cancelled"));
        boolean interrupted = false;
        synchronized (this) {
            long start = System.nanoTime();
            boolean warned = false;
            while (!runs.isEmpty()) {
                try {
                    wait(1000);
                } catch (InterruptedException e) {
                    interrupted = true;   // the backend must not close under a running task: wait on
                }
                if (!warned && !runs.isEmpty() && System.nanoTime() - start > 10_000_000_000L) {
                    LOG.warn("closing: still waiting for the running tasks of {} cancelled computations to return", runs.size());
                    warned = true;
                }
            }
        }
        pool.shutdownNow();
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Reserves {@code n} bytes of the budget if they fit. */
    private boolean reserve(long n) {
        while (true) {
            long u = used.get();
            if (n > budgetBytes - u) return false;
            if (used.compareAndSet(u, u + n)) return true;
        }
    }

    /** Gives back {@code n} bytes of the budget (a negative {@code n} charges them), waking the runs waiting for memory. */
    private void giveBack(long n) {
        if (n == 0) return;
        used.addAndGet(-n);
        if (n > 0 && memoryWaiters.get() > 0) wakeMemoryWaiters();
    }

    private synchronized void wakeMemoryWaiters() {
        releases++;
        notifyAll();
    }

    /**
     * Waits, outside the run's lock, until memory is released after the workers saw {@code seen} releases, or the
     * run is cancelled. When every run under way waits so, breaks the deadlock (see the class comment).
     */
    private void awaitMemory(Run r, long seen) {
        synchronized (this) {
            r.memoryWaiting++;
            r.stuckAt = seen;
            try {
                while (releases == seen && r.token.reason() == null) {
                    if (deadlocked()) breakDeadlock();
                    else wait();
                }
            } catch (InterruptedException e) {
                r.interruption(e);
            } finally {
                r.memoryWaiting--;
                memoryWaiters.decrementAndGet();
            }
        }
    }

    /** Whether every run under way waits for memory, none having been released since. Under this scheduler's lock. */
    private boolean deadlocked() {
        for (Run x : runs) if (x.memoryWaiting == 0 || x.stuckAt != releases) return false;
        return true;
    }

    /** Fails the most recently started run that holds memory; every waiting run looks again. Under this scheduler's lock. */
    private void breakDeadlock() {
        Run victim = null;
        long others = 0;
        for (Run x : runs) {
            long held = x.live;   // stable: no task of a waiting run runs
            if (held > 0) {
                if (victim != null) others += victim.live;
                victim = x;
            }
        }
        if (victim != null) {
            LOG.debug("{} computations wait for memory that the others hold: cancelling the most recent", runs.size());
            victim.token.cancel(new MemoryBudgetExceededException("all " + runs.size() + " computations under way on this "
                    + "context wait for memory that the others hold: this one holds " + victim.live + " bytes, the others "
                    + others + " bytes of the memory budget of " + budgetBytes + " bytes; it was the most recently started, "
                    + "so it failed; run fewer computations at once, or use smaller chunks or a larger budget"));
        }
        releases++;
        notifyAll();
    }

    /** A listener's exception is its own failure, not a task's. */
    private static ChunkwiseException listenerFailed(RuntimeException e) {
        return new ChunkwiseException("the compute listener failed: " + e, e);
    }

    /** Task positions, smallest first: the ready tasks in the graph's order. */
    static final class IntHeap {
        private int[] heap = new int[16];
        private int size;

        boolean isEmpty() { return size == 0; }

        int size() { return size; }

        int peek() { return heap[0]; }

        /** The element at {@code i} of the heap's array (any order). */
        int at(int i) { return heap[i]; }

        /** Removes {@code x}, which the heap holds. */
        void remove(int x) {
            int i = 0;
            while (heap[i] != x) i++;
            int last = heap[--size];
            if (i == size) return;
            if (i > 0 && heap[(i - 1) >>> 1] > last) up(i, last);
            else down(i, last);
        }

        void add(int x) {
            if (size == heap.length) heap = Arrays.copyOf(heap, size * 2);
            up(size++, x);
        }

        int poll() {
            int top = heap[0];
            down(0, heap[--size]);
            return top;
        }

        /** Puts {@code x} at hole {@code i} or above it, moving larger parents down. */
        private void up(int i, int x) {
            int[] h = heap;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (h[parent] <= x) break;
                h[i] = h[parent];
                i = parent;
            }
            h[i] = x;
        }

        /** Puts {@code x} at hole {@code i} or below it, moving smaller children up. */
        private void down(int i, int x) {
            int[] h = heap;
            int half = size >>> 1;
            while (i < half) {
                int c = 2 * i + 1;
                if (c + 1 < size && h[c + 1] < h[c]) c++;
                if (x <= h[c]) break;
                h[i] = h[c];
                i = c;
            }
            h[i] = x;
        }
    }

    /**
     * {@code Run.take}'s answers other than a task: the run is over for this worker; wait for a task; wait for
     * memory that another run holds; or help a running task with a piece of its shared work.
     */
    private static final int NONE = -1, WAIT = -2, MEMORY = -3, HELP = -4;
    private static final Block[] NO_INPUTS = {};

    /**
     * A worker's state, reused from task to task: the blocks to release once it has left the lock, the inputs of
     * its next task, the scheduler's releases it saw when it found no memory, and the shared work it is to help with.
     */
    private static final class Worker {
        Block[] blocks = new Block[8];
        int count;
        Block[] inputs;
        long seen;
        SharedWork.Range help;

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

    private final class Run implements SharedWork.Pool {
        final TaskGraph graph;
        final TaskOp[] ops;
        final int[][] distinctDeps;  // task positions of the inputs, each once (the graph's)
        final int[] dependentStart;  // the tasks reading task t: dependents[dependentStart[t] .. dependentStart[t+1]) (the graph's)
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
        final Thread caller = Thread.currentThread();
        final Cancellation token = new Cancellation();
        boolean callerInterrupted;   // read and written by the caller only
        int memoryWaiting;           // workers in awaitMemory, and the releases they saw: under the scheduler's lock
        long stuckAt;
        final List<SharedWork.Range> shared = new ArrayList<>();   // ranges running tasks offer: under the run's lock

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
            dependentStart = graph.consumerStarts();
            dependents = graph.consumers();
            for (int t = 0; t < n; t++) {
                TaskOp op = graph.task(t).op();
                ops[t] = op;
                literal[t] = op instanceof TaskOp.Persisted;
                need[t] = op.runBytes(backend);
                int[] dd = graph.distinctDeps(t);
                distinctDeps[t] = dd;
                pending[t] = dd.length;
                refs[t] = dependentStart[t + 1] - dependentStart[t];
                if (dd.length == 0) ready.add(t);
            }
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

        /** Runs tasks until the run is over or failed, marked as working for this run (see {@link Cancellation}). */
        void work() {
            Cancellation previous = token.enter();
            SharedWork.Pool previousPool = SharedWork.enter(this);
            try {
                loop();
            } finally {
                SharedWork.leave(previousPool);
                Cancellation.leave(previous);
            }
        }

        @Override
        public synchronized void offer(SharedWork.Range range) {
            shared.add(range);
            if (waiting > 0) notifyAll();
        }

        @Override
        public synchronized void withdraw(SharedWork.Range range) { shared.remove(range); }

        /** A range offered with a piece left to claim, or null. Under the run's lock. */
        private SharedWork.Range sharedWithWork() {
            for (SharedWork.Range r : shared) if (r.hasWork()) return r;
            return null;
        }

        /** Runs one piece of the shared work {@link #take} gave the worker (outside the run's lock). */
        private void help(Worker w) {
            SharedWork.Range r = w.help;
            w.help = null;
            r.runPiece();
        }

        private void loop() {
            Worker w = new Worker();
            int t = next(w);
            while (t >= 0) {
                Block[] inputs = w.inputs;
                w.inputs = null;
                Block out = null;
                Throwable failure = null;
                boolean keep = false;
                long nanos = 0;
                try {
                    long start = timed ? System.nanoTime() : 0;
                    if (targets[t] == null) {
                        out = ops[t].run(backend, inputs, env);
                        if (out == null) throw new IllegalStateException("the backend returned no block");
                    } else {
                        runInto(t, inputs); // no block (out stays null), nothing for the sink to accept
                    }
                    nanos = timed ? System.nanoTime() - start : 0;
                    if (output[t] && out != null) keep = sink.accept(graph.task(t).key(), out);
                } catch (OutOfMemoryError e) {
                    failure = new MemoryBudgetExceededException("the Java heap ran out while running task " + graph.task(t).key()
                            + "; lower the memory budget or the chunk size, or give the JVM more heap (-Xmx)", e);
                } catch (ChunkwiseException e) {
                    // the library's own errors pass as they are, but a user's mapBlocks function is named by its task
                    failure = ops[t] instanceof TaskOp.MapBlocks ? taskFailed(t, e) : e;
                } catch (Throwable e) {
                    failure = interrupted(e) ? interruption(e) : taskFailed(t, e);
                }
                if (failure == null && timed) {
                    int done;
                    synchronized (this) {
                        done = ++completed;
                    }
                    try {
                        listener.taskDone(done, total, out != null ? out.bytes() : ops[t].outputBytes(), nanos, backend.name());
                    } catch (RuntimeException e) {
                        failure = listenerFailed(e);
                    }
                }
                // a block made before the sink or the listener threw is never committed: ours to give back
                if (failure != null && !keep) w.add(out);
                synchronized (this) {
                    commit(t, out, keep, failure, w);
                    // the next task at once where one can start; with blocks to release, release them before waiting
                    t = take(w.count == 0, w);
                    if (t >= 0) w.inputs = inputsOf(t);
                }
                w.releaseAll(backend);
                if (t == WAIT || t == MEMORY || t == HELP) {
                    if (t == MEMORY) awaitMemory(this, w.seen);
                    if (t == HELP) help(w);
                    t = next(w);
                }
            }
        }

        private TaskFailedException taskFailed(int t, Throwable e) {
            Task task = graph.task(t);
            return new TaskFailedException("task " + task.key() + " (" + task.op().describe() + ") failed: " + e, e);
        }

        /** The next task (its inputs in {@code w}), waiting for one as long as it takes, helping meanwhile; or NONE. */
        private int next(Worker w) {
            while (true) {
                int t;
                synchronized (this) {
                    t = take(true, w);
                    if (t >= 0) w.inputs = inputsOf(t);
                }
                if (t == HELP) help(w);
                else if (t == MEMORY) awaitMemory(this, w.seen);
                else return t;
            }
        }

        /**
         * The next task to run (its bytes reserved), NONE when the run is over or failed, MEMORY where it must wait
         * for memory that another run holds (the releases seen then in {@code w}), or, without {@code block}, WAIT
         * where a blocking call would wait; with {@code block}, HELP (the range in {@code w}) where a running task
         * offers shared work instead.
         */
        private int take(boolean block, Worker w) {
            while (true) {
                if (error == null) checkCancelled();
                if (error != null || remaining == 0) return NONE;
                if (!ready.isEmpty()) {
                    int head = ready.peek();
                    long n = need[head];
                    boolean fits = n == 0 || reserve(n);
                    if (!fits && running == 0) {
                        // another ready task that fits goes first: a consumer of the chunks this run holds frees them
                        // (the head is the first in the graph's order, not the only one that can run now)
                        int other = takeFitting();
                        if (other >= 0) {
                            running++;
                            live += need[other];
                            if (!ready.isEmpty() && waiting > 0) notify();
                            return other;
                        }
                        if (live + n > budgetBytes) {
                            error = budgetError(graph.task(head), n);
                            notifyAll();
                            return NONE;
                        }
                        // other runs hold the memory: count this worker as waiting before the last try, so that
                        // a release after it wakes the worker
                        memoryWaiters.incrementAndGet();
                        w.seen = releases;
                        if (!reserve(n)) return MEMORY;
                        memoryWaiters.decrementAndGet();
                        fits = true;
                    }
                    if (fits) {
                        ready.poll();
                        running++;
                        live += n;
                        if (!ready.isEmpty() && waiting > 0) notify(); // another task for a waiting worker
                        return head;
                    }
                }
                if (!block) return WAIT;
                SharedWork.Range r = sharedWithWork();
                if (r != null) {
                    w.help = r;
                    return HELP;
                }
                waiting++;
                try {
                    wait();
                } catch (InterruptedException e) {
                    interruption(e);   // taken up at the top of the loop
                } finally {
                    waiting--;
                }
            }
        }

        /** The first ready task in the graph's order whose bytes fit the budget now, taken out and reserved; else -1. */
        private int takeFitting() {
            int best = -1;
            for (int i = 0; i < ready.size(); i++) {
                int t = ready.at(i);
                if ((best < 0 || t < best) && need[t] <= budgetBytes - used.get()) best = t;
            }
            if (best < 0 || (need[best] != 0 && !reserve(need[best]))) return -1;
            ready.remove(best);
            return best;
        }

        /** Takes up a cancellation, or an interrupt of this worker's thread, as the run's error. Under the run's lock. */
        private void checkCancelled() {
            ChunkwiseException c = token.reason();
            if (c == null && Thread.currentThread().isInterrupted()) c = interruption(null);
            if (c == null) return;
            error = c;
            notifyAll();
            if (memoryWaiters.get() > 0) wakeMemoryWaiters();
        }

        /** Cancels the run: its workers stop taking tasks, and those waiting wake. */
        void cancel(ChunkwiseException reason) {
            token.cancel(reason);
            synchronized (this) {
                if (error == null) checkCancelled();
            }
        }

        /** Cancels the run because the current thread was interrupted; returns the reason that holds. */
        ChunkwiseException interruption(Throwable cause) {
            if (Thread.currentThread() == caller) callerInterrupted = true;
            return token.cancel(new ComputationCancelledException(Cancellation.INTERRUPTED, cause));
        }

        /** Whether a task's failure comes from an interrupt of its thread. */
        private static boolean interrupted(Throwable e) {
            if (Thread.currentThread().isInterrupted()) return true;
            for (Throwable c = e; c != null; c = c.getCause()) if (c instanceof InterruptedException) return true;
            return false;
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
        private void commit(int t, Block out, boolean keep, Throwable failure, Worker toRelease) {
            running--;
            if (failure != null) {
                live -= need[t];
                giveBack(need[t]);
                if (error == null) error = token.reason() != null ? token.reason() : failure;
                notifyAll();
                return;
            }
            long bytes = literal[t] || out == null ? 0 : out.bytes();
            held[t] = bytes;
            live += bytes - need[t];
            giveBack(need[t] - bytes);
            results[t] = out;
            kept[t] = keep;
            remaining--;
            for (int d : distinctDeps[t]) {
                // an op may return one of its inputs (the SPI allows it): one block, released once, by its last holder
                if (out != null && results[d] == out) {
                    if (literal[d] || kept[d]) kept[t] = true;   // not ours: the store or the sink holds it
                    else kept[d] = true;                         // released when t's result is, not before
                }
                if (--refs[d] == 0) toRelease.add(forget(d));
            }
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
            giveBack(held[t]);
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
            if (memoryWaiters.get() > 0) wakeMemoryWaiters();
        }

        /** Releases every result still held, and gives back the run's share of the budget. */
        synchronized void releaseAll() {
            for (int i = 0; i < results.length; i++) {
                if (results[i] != null) {
                    Block b = forget(i);
                    if (b != null) backend.release(b);
                }
            }
            giveBack(live);   // 0 unless a task was left uncommitted by an error outside its try
            live = 0;
        }
    }
}
