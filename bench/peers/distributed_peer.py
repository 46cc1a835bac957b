#!/usr/bin/env python3
"""dask.distributed as the peer of the cluster section of the Chunkwise benchmark suite.

`chunkwise bench` runs this script with Debian's python3 (packages python3-numpy, python3-dask and
python3-distributed) as a server, asking for one timed run at a time so that it can interleave dask.distributed
with its own local and cluster contexts. The cluster is

  distributed.LocalCluster(n_workers=W, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None)

(W = --threads, default 2): W worker processes with one thread and one BLAS thread each, a scheduler, all on
loopback, no dashboard. It runs by hand as well, printing one JSON object:

  /usr/bin/python3 distributed_peer.py --info
  /usr/bin/python3 distributed_peer.py --workload matmul --n 4096 --chunk 2048 --reps 5 --warmup 1
  /usr/bin/python3 distributed_peer.py --workload fused_sum --n 100000000 --chunk 10000000 --reps 5 --warmup 1

Workloads (--workload):
  matmul     (x @ y).compute() for n x n float64 x, y drawn on the workers (da.random.RandomState(seed)
             .standard_normal, chunks of --chunk) and persisted beforehand; the product is gathered to the client
  fused_sum  (x * x + 10).sum().compute() over n float64 x drawn on the workers in chunks of --chunk and persisted
  tiny       da.ones(n, chunks=--chunk).sum().compute(): the per-task cost

Timings are wall-clock (time.perf_counter) around .compute() alone, after --warmup untimed runs.

Server protocol (--serve), the same as matmul_peer.py's: one JSON request per line on stdin, one JSON answer per
line on stdout. {"op": "prepare", "id": K, "workload", "n", "chunk", "seed"} builds run K (persisting its inputs);
{"op": "time", "id": K} runs it once and answers {"seconds": s}; {"op": "check", "id": K} answers {"check": {...}}
for its last result; {"op": "drop", "id": K} releases its inputs; {"op": "quit"} closes the cluster. A request
that fails is answered {"error": "..."} and the server goes on.
"""
import argparse
import json
import logging
import os
import sys
import time

WORKLOADS = ["matmul", "fused_sum", "tiny"]


def parse_args(argv):
    p = argparse.ArgumentParser(description="dask.distributed peer timings for chunkwise bench's cluster section")
    p.add_argument("--info", action="store_true", help="print the versions found, then exit")
    p.add_argument("--serve", action="store_true", help="answer requests on stdin (see the script's docstring)")
    p.add_argument("--system", default="distributed", help="accepted for the suite's server protocol; always distributed")
    p.add_argument("--workload", choices=WORKLOADS, default="fused_sum")
    p.add_argument("--n", type=int, default=100_000_000, help="matrix size (matmul) or element count")
    p.add_argument("--chunk", type=int, default=0, help="chunk size (default: n / 2 for matmul, n / 10 otherwise)")
    p.add_argument("--threads", type=int, default=2, help="worker processes, one thread each (default 2)")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--seed", type=int, default=42)
    args = p.parse_args(argv)
    if args.n < 1 or args.threads < 1 or args.reps < 1 or args.warmup < 0 or args.chunk < 0:
        p.error("n, threads and reps must be at least 1, warmup and chunk at least 0")
    return args


def versions():
    import numpy
    import dask
    import distributed
    return {"python": sys.version.split()[0], "numpy": numpy.__version__, "dask": distributed.__version__,
            "dask_core": dask.__version__}


class Run:
    """One workload on the cluster, inputs persisted on the workers; `last` is the latest result."""

    def __init__(self, np, da, client, workload, n, chunk=0, seed=42):
        if workload not in WORKLOADS:
            raise ValueError("unknown workload %r" % workload)
        from distributed import wait
        self.np, self.workload, self.n, self.seed, self.last = np, workload, int(n), int(seed), None
        self.chunk = int(chunk) if chunk else max(1, self.n // (2 if workload == "matmul" else 10))
        self.inputs = []
        if workload == "matmul":
            rs = da.random.RandomState(self.seed)
            c = (self.chunk, self.chunk)
            self.x = rs.standard_normal((self.n, self.n), chunks=c).persist()
            self.y = rs.standard_normal((self.n, self.n), chunks=c).persist()
            wait([self.x, self.y])
            self.inputs = [self.x, self.y]
            expr = self.x @ self.y
        elif workload == "fused_sum":
            self.x = da.random.RandomState(self.seed).standard_normal(self.n, chunks=self.chunk).persist()
            wait(self.x)
            self.inputs = [self.x]
            expr = (self.x * self.x + 10).sum()
        else:
            expr = da.ones(self.n, chunks=self.chunk).sum()
        self.fn = lambda: expr.compute()
        self.client = client
        self.held = scheduler_tasks(client)

    def time_once(self):
        t0 = time.perf_counter()
        self.last = self.fn()
        seconds = time.perf_counter() - t0
        # untimed: wait (at most 10 s) until the scheduler has released this run's keys. Otherwise the next run of
        # the same graph (same keys) can find its result still in memory and return at once
        deadline = time.monotonic() + 10
        while scheduler_tasks(self.client) > self.held and time.monotonic() < deadline:
            time.sleep(0.005)
        return seconds

    def check(self):
        np, z = self.np, self.last
        if z is None:
            raise ValueError("nothing has run yet")
        if self.workload == "matmul":
            # a sampled relative residual against the operands gathered from the workers
            rows = np.sort(np.random.default_rng(1).integers(0, self.n, 16))
            cols = np.sort(np.random.default_rng(2).integers(0, self.n, 16))
            a = self.x[rows, :].compute()
            b = self.y[:, cols].compute()
            exact = np.einsum("ij,ji->i", a, b)
            scale = np.einsum("ij,ji->i", np.abs(a), np.abs(b))
            residual = float(np.max(np.abs(z[rows, cols] - exact) / np.where(scale == 0, 1, scale)))
            return {"residual": residual, "shape": list(z.shape), "dtype": str(z.dtype)}
        if self.workload == "tiny":
            return {"sum": float(z), "tasks": -(-self.n // self.chunk)}
        # every term is positive, so the sum of |terms| is the sum itself; the other order of evaluation
        # (sum of squares, then 10 n) agrees to ~1e-15
        other = float((self.x * self.x).sum().compute()) + 10.0 * self.n
        return {"sum": float(z), "exact": other, "abs_sum": float(z)}

    def drop(self):
        self.inputs = []
        self.x = self.y = self.fn = self.last = None


def scheduler_tasks(client):
    """The tasks the scheduler holds (persisted inputs, and results not yet released)."""
    return client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))


def serve(np, da, client):
    runs = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            op = req.get("op")
            if op == "quit":
                break
            if op == "prepare":
                runs[req["id"]] = Run(np, da, client, req["workload"], req["n"], req.get("chunk", 0), req.get("seed", 42))
                answer = {"ok": True}
            elif op == "time":
                answer = {"seconds": runs[req["id"]].time_once()}
            elif op == "check":
                answer = {"check": runs[req["id"]].check()}
            elif op == "drop":
                run = runs.pop(req["id"], None)
                if run is not None:
                    run.drop()
                answer = {"ok": True}
            else:
                raise ValueError("unknown op %r" % op)
        except Exception as e:  # the caller fails this request; the server goes on
            answer = {"error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    return 0


def main(argv):
    args = parse_args(argv)
    # one BLAS thread per worker, as the Chunkwise CPU backend runs one per task thread; the worker processes
    # inherit this environment, so it must be set before the cluster starts
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
        os.environ[var] = "1"
    try:
        import numpy as np
    except ImportError as e:
        print(json.dumps({"error": "numpy is not installed: %s" % e}))
        return 1
    try:
        import dask.array as da
        import distributed
    except ImportError as e:
        if args.info:
            print(json.dumps({"versions": {"python": sys.version.split()[0], "numpy": np.__version__},
                              "dask_error": "dask.distributed cannot be imported: %s" % e,
                              "executable": sys.executable}))
            return 0
        print(json.dumps({"error": "dask.distributed cannot be imported: %s" % e}))
        return 1
    if args.info:
        print(json.dumps({"versions": versions(), "executable": sys.executable}))
        return 0
    try:
        cluster = distributed.LocalCluster(n_workers=args.threads, threads_per_worker=1, processes=True,
                                           host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR)
        client = distributed.Client(cluster)
    except Exception as e:
        print(json.dumps({"error": "the LocalCluster did not start: %s: %s" % (type(e).__name__, e)}))
        return 1
    try:
        if args.serve:
            return serve(np, da, client)
        try:
            run = Run(np, da, client, args.workload, args.n, args.chunk, args.seed)
            for _ in range(args.warmup):
                run.time_once()
            seconds = [run.time_once() for _ in range(args.reps)]
            check = run.check()
        except Exception as e:  # reported as this run's failure
            print(json.dumps({"error": "%s: %s" % (type(e).__name__, e)}))
            return 1
        print(json.dumps({"system": "distributed", "workload": args.workload, "n": args.n, "chunk": run.chunk,
                          "workers": args.threads, "seconds": seconds, "check": check, "versions": versions()}))
        return 0
    finally:
        client.close()
        cluster.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
