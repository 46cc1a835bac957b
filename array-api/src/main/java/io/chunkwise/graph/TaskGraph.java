package io.chunkwise.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A task graph as plain data: key -> task, in an order where every task comes after the tasks it reads (a
 * depth-first post-order from the outputs, which schedulers use as priority so that partials are combined and
 * freed early). {@code outputs} maps each requested chunk index of the result to the key that holds it.
 *
 * <p>Besides the maps, the graph is held flat for schedulers: task {@code i} in that order ({@link #task}), the
 * positions of the tasks it reads ({@link #deps}), and the requested chunks with the positions of their tasks
 * ({@link #outputIndex}, {@link #outputTask}). The maps are made on first use.
 */
public final class TaskGraph {
    private final Task[] tasks;
    private final int[][] deps;
    private final int[][] outputIndex;
    private final int[] outputTask;
    private Map<ChunkKey, Task> taskMap;
    private Map<List<Integer>, ChunkKey> outputMap;

    /** A graph from its maps: {@code tasks} in an order where every task comes after the tasks it reads. */
    public TaskGraph(Map<ChunkKey, Task> tasks, Map<List<Integer>, ChunkKey> outputs) {
        int n = tasks.size();
        this.tasks = tasks.values().toArray(new Task[0]);
        Map<ChunkKey, Integer> at = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) at.put(this.tasks[i].key(), i);
        deps = new int[n][];
        for (int i = 0; i < n; i++) deps[i] = positions(this.tasks[i], at, i);
        outputIndex = new int[outputs.size()][];
        outputTask = new int[outputs.size()];
        int o = 0;
        for (Map.Entry<List<Integer>, ChunkKey> e : outputs.entrySet()) {
            outputIndex[o] = e.getKey().stream().mapToInt(Integer::intValue).toArray();
            Integer t = at.get(e.getValue());
            if (t == null) throw new IllegalArgumentException("output " + e.getKey() + " is " + e.getValue() + ", which has no task");
            outputTask[o++] = t;
        }
    }

    /** The flat form, as {@link GraphBuilder} makes it; the arrays are taken over, not copied. */
    TaskGraph(Task[] tasks, int[][] deps, int[][] outputIndex, int[] outputTask) {
        this.tasks = tasks;
        this.deps = deps;
        this.outputIndex = outputIndex;
        this.outputTask = outputTask;
    }

    private static int[] positions(Task task, Map<ChunkKey, Integer> at, int self) {
        int[] d = new int[task.deps().size()];
        for (int k = 0; k < d.length; k++) {
            Integer j = at.get(task.deps().get(k));
            if (j == null || j >= self) {
                throw new IllegalArgumentException("task " + task.key() + " reads " + task.deps().get(k)
                        + (j == null ? ", which has no task" : ", which does not come before it"));
            }
            d[k] = j;
        }
        return d;
    }

    public int size() { return tasks.length; }

    /** Each task's inputs without repeats, and the tasks reading each task (CSR): derived once, for the schedulers. */
    private volatile int[][] distinctDeps;   // written last: its being set publishes the other two
    private int[] consumerStart, consumers;

    private void deriveConsumers() {
        if (distinctDeps == null) derive();
    }

    private synchronized void derive() {
        if (distinctDeps != null) return;
        int n = tasks.length;
        int[][] distinct = new int[n][];
        int[] seen = new int[n];     // seen[d] == t + 1: task t already reads d
        int[] count = new int[n + 1];
        for (int t = 0; t < n; t++) {
            int[] d = deps[t];
            int k = 0;
            for (int x : d) {
                if (seen[x] != t + 1) {
                    seen[x] = t + 1;
                    k++;
                }
            }
            int[] dd = d;
            if (k != d.length) {
                dd = new int[k];
                k = 0;
                for (int x : d) if (seen[x] == t + 1) {
                    seen[x] = 0;
                    dd[k++] = x;
                }
            }
            distinct[t] = dd;
            for (int x : dd) count[x + 1]++;
        }
        for (int t = 0; t < n; t++) count[t + 1] += count[t];
        int[] start = count.clone();
        int[] readers = new int[count[n]];
        for (int t = 0; t < n; t++) for (int x : distinct[t]) readers[count[x]++] = t;
        consumerStart = start;
        consumers = readers;
        distinctDeps = distinct;
    }

    /** The positions of the tasks that task {@code i} reads, each once, in the order it first reads them; do not modify. */
    public int[] distinctDeps(int i) {
        deriveConsumers();
        return distinctDeps[i];
    }

    /**
     * The tasks reading each task, each once, in the graph's order: task {@code i}'s are
     * {@code consumers()[consumerStarts()[i] .. consumerStarts()[i + 1])}; do not modify.
     */
    public int[] consumers() {
        deriveConsumers();
        return consumers;
    }

    /** Where each task's readers start in {@link #consumers()}, and its length last ({@code size() + 1} entries); do not modify. */
    public int[] consumerStarts() {
        deriveConsumers();
        return consumerStart;
    }

    /** Task {@code i} of the order. */
    public Task task(int i) { return tasks[i]; }

    /** The positions of the tasks that task {@code i} reads, in the order its op reads them; do not modify. */
    public int[] deps(int i) { return deps[i]; }

    /** How many chunks of the result are requested. */
    public int outputCount() { return outputTask.length; }

    /** The chunk index of requested chunk {@code o}; do not modify. */
    public int[] outputIndex(int o) { return outputIndex[o]; }

    /** The position of the task that holds requested chunk {@code o}. */
    public int outputTask(int o) { return outputTask[o]; }

    /** Key -> task, in the graph's order. */
    public synchronized Map<ChunkKey, Task> tasks() {
        if (taskMap == null) {
            Map<ChunkKey, Task> m = new LinkedHashMap<>(tasks.length * 2);
            for (Task t : tasks) m.put(t.key(), t);
            taskMap = Collections.unmodifiableMap(m);
        }
        return taskMap;
    }

    /** Requested chunk index -> the key that holds it. */
    public synchronized Map<List<Integer>, ChunkKey> outputs() {
        if (outputMap == null) {
            Map<List<Integer>, ChunkKey> m = new LinkedHashMap<>(outputTask.length * 2);
            for (int o = 0; o < outputTask.length; o++) {
                List<Integer> pos = new ArrayList<>(outputIndex[o].length);
                for (int i : outputIndex[o]) pos.add(i);
                m.put(Collections.unmodifiableList(pos), tasks[outputTask[o]].key());
            }
            outputMap = Collections.unmodifiableMap(m);
        }
        return outputMap;
    }

    @Override
    public String toString() { return "TaskGraph[" + tasks.length + " tasks, " + outputTask.length + " outputs]"; }
}
