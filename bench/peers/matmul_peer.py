#!/usr/bin/env python3
"""Peer timings for the Chunkwise benchmark suite: numpy and dask.array on this machine.

`chunkwise bench` runs this script with Debian's python3 (packages python3-numpy and python3-dask) as a server
(--serve, one per system), asking for one timed run at a time so that it can interleave the systems it compares.
It runs by hand as well, printing one JSON object:

  python3 matmul_peer.py --info
  python3 matmul_peer.py --system numpy --n 1024 --dtype float64 --threads 2 --reps 5 --warmup 2
  python3 matmul_peer.py --system dask --n 1024 --dtype float32 --chunk 256 --threads 2 --reps 5 --warmup 2 \\
      --a A.npy --b B.npy --out C.npy
  python3 matmul_peer.py --system dask --workload sum --n 33554432 --chunk 1048576 --threads 2 --reps 3 --warmup 1

Workloads (--workload, default matmul):
  matmul    C = A @ B for n x n matrices; numpy.matmul with its BLAS on OPENBLAS/OMP_NUM_THREADS = --threads;
            dask.array with the threaded scheduler (num_workers = --threads), chunks of --chunk, one BLAS thread
            per worker. Inputs from --a/--b (.npy) or standard normal from --seed; --out saves the last product.
  mul_add   y = x * x + 10 over n float64 (into a new array)
  sum       x.sum() over n float64 already in memory
  random    n standard normal float64 (numpy: default_rng; dask: da.random.normal, chunks of --chunk)
  tiny      ones(n, chunks of --chunk).sum(): dask only (numpy has no tasks)

Output: {"system", "workload", "n", "dtype", "chunk", "threads", "blas_threads", "seconds": [one per timed run],
"check": {values the caller verifies}, "versions": {...}}; on failure {"error": "..."} and exit status 1.
Timings are wall-clock (time.perf_counter) around the operation only, after --warmup untimed runs.

Server protocol (--serve --system S --threads T): one JSON request per line on stdin, one JSON answer per line on
stdout. {"op": "prepare", "id": K, "workload", "n", "dtype", "chunk", "seed", "a", "b"} builds run K;
{"op": "time", "id": K} runs it once and answers {"seconds": s}; {"op": "check", "id": K} answers {"check": {...}}
for its last result; {"op": "save", "id": K, "out": path} saves its last product; {"op": "drop", "id": K};
{"op": "quit"}. A request that fails is answered {"error": "..."} and the server goes on.
"""
import argparse
import json
import os
import sys
import time

WORKLOADS = ["matmul", "mul_add", "sum", "random", "tiny"]


def parse_args(argv):
    p = argparse.ArgumentParser(description="numpy / dask.array peer timings for chunkwise bench")
    p.add_argument("--info", action="store_true", help="print the versions and the BLAS found, then exit")
    p.add_argument("--serve", action="store_true", help="answer requests on stdin (see the script's docstring)")
    p.add_argument("--system", choices=["numpy", "dask"], default="numpy")
    p.add_argument("--workload", choices=WORKLOADS, default="matmul")
    p.add_argument("--n", type=int, default=1024, help="matrix size (matmul) or element count")
    p.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    p.add_argument("--chunk", type=int, default=0, help="chunk size for dask (default: n / 2)")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--a", help="A as .npy (matmul)")
    p.add_argument("--b", help="B as .npy (matmul)")
    p.add_argument("--out", help="save the last product here as .npy (matmul)")
    args = p.parse_args(argv)
    if args.n < 1 or args.threads < 1 or args.reps < 1 or args.warmup < 0 or args.chunk < 0:
        p.error("n, threads and reps must be at least 1, warmup and chunk at least 0")
    return args


def blas_threads(system, threads):
    """numpy's BLAS gets all the threads; dask gets one BLAS thread per worker, as the Chunkwise CPU backend does.
    (numpy's elementwise work is single-threaded whatever this says.)"""
    return threads if system == "numpy" else 1


def set_thread_environment(n):
    # read by OpenBLAS / OpenMP / MKL when numpy loads them, so this must come before `import numpy`
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
        os.environ[var] = str(n)


def blas_info(np):
    """The BLAS library numpy loaded (from this process's memory map) and, for OpenBLAS, its config and kernel."""
    a = np.ones((8, 8))
    a @ a  # make sure the BLAS is loaded
    paths = []
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1] if "/" in line else ""
                name = os.path.basename(path)
                if ("blas" in name or "mkl" in name) and "python" not in path and path not in paths:
                    paths.append(path)
    except OSError:
        pass
    info = {"libraries": paths}
    import ctypes
    for path in paths:
        if "openblas" not in os.path.basename(path):
            continue
        try:
            lib = ctypes.CDLL(path)
            for f in ("openblas_get_config", "openblas_get_corename"):
                fn = getattr(lib, f)
                fn.restype = ctypes.c_char_p
                info[f[len("openblas_get_"):]] = fn().decode()
            break
        except (OSError, AttributeError):
            continue
    return info


def versions(np, da):
    v = {"python": sys.version.split()[0], "numpy": np.__version__}
    if da is not None:
        import dask
        v["dask"] = dask.__version__
    return v


class Run:
    """One workload on one system, ready to be run again and again; `last` is the latest result."""

    def __init__(self, np, da, system, workload, n, dtype="float64", chunk=0, threads=1, seed=42, a=None, b=None,
                 cache=None):
        if workload not in WORKLOADS:
            raise ValueError("unknown workload %r" % workload)
        if system == "dask" and da is None:
            raise ValueError("dask.array cannot be imported")
        if workload == "tiny" and system == "numpy":
            raise ValueError("the tiny-task workload is for dask only (numpy has no tasks)")
        self.np, self.system, self.workload, self.n = np, system, workload, int(n)
        self.chunk = int(chunk) if chunk else max(1, self.n // 2)
        self.threads, self.seed, self.last = int(threads), int(seed), None
        cache = {} if cache is None else cache
        compute = lambda expr: expr.compute(scheduler="threads", num_workers=self.threads)
        if workload == "matmul":
            self.a, self.b = self._operands(np, dtype, a, b, cache)
            if system == "numpy":
                self.fn = lambda: np.matmul(self.a, self.b)
            else:
                c = (self.chunk, self.chunk)
                x = da.from_array(self.a, chunks=c).persist(scheduler="threads")
                y = da.from_array(self.b, chunks=c).persist(scheduler="threads")
                product = x @ y
                self.fn = lambda: compute(product)
        elif workload == "random":
            if system == "numpy":
                self.fn = lambda: np.random.default_rng(self.seed).standard_normal(self.n)
            else:
                self.fn = lambda: compute(da.random.RandomState(self.seed).normal(0.0, 1.0, size=self.n, chunks=self.chunk))
        elif workload == "tiny":
            self.fn = lambda: compute(da.ones(self.n, chunks=self.chunk).sum())
        else:
            key = ("x", self.n, self.seed)
            if key not in cache:
                cache.clear()  # one large input at a time
                cache[key] = np.random.default_rng(self.seed).standard_normal(self.n)
            self.x = cache[key]
            if system == "numpy":
                self.fn = (lambda: self.x * self.x + 10) if workload == "mul_add" else (lambda: self.x.sum())
            else:
                dx = da.from_array(self.x, chunks=self.chunk).persist(scheduler="threads")
                expr = dx * dx + 10 if workload == "mul_add" else dx.sum()
                self.fn = lambda: compute(expr)

    def _operands(self, np, dtype, a, b, cache):
        dtype = np.dtype(dtype)
        if a and b:
            key = ("ab", a, b)
            if key not in cache:
                cache.clear()  # one pair of operands at a time
                cache[key] = (np.ascontiguousarray(np.load(a)), np.ascontiguousarray(np.load(b)))
            x, y = cache[key]
            if x.shape != (self.n, self.n) or y.shape != (self.n, self.n) or x.dtype != dtype or y.dtype != dtype:
                raise ValueError("inputs are %s %s and %s %s, expected (%d, %d) %s"
                                 % (x.shape, x.dtype, y.shape, y.dtype, self.n, self.n, dtype))
            return x, y
        rng = np.random.default_rng(self.seed)
        return rng.standard_normal((self.n, self.n), dtype=dtype), rng.standard_normal((self.n, self.n), dtype=dtype)

    def time_once(self):
        t0 = time.perf_counter()
        self.last = self.fn()
        return time.perf_counter() - t0

    def check(self):
        """Values of the last result that the caller verifies (the suite validates a matmul product itself)."""
        np, z = self.np, self.last
        if z is None:
            raise ValueError("nothing has run yet")
        if self.workload == "matmul":
            # a sampled relative residual, for runs by hand
            rows = np.random.default_rng(1).integers(0, self.n, 16)
            cols = np.random.default_rng(2).integers(0, self.n, 16)
            a, b = self.a[rows].astype(np.float64), self.b[:, cols].astype(np.float64)
            exact = np.einsum("ij,ji->i", a, b)
            scale = np.einsum("ij,ji->i", np.abs(a), np.abs(b))
            residual = float(np.max(np.abs(z[rows, cols] - exact) / np.where(scale == 0, 1, scale)))
            return {"residual": residual, "shape": list(z.shape), "dtype": str(z.dtype)}
        if self.workload == "random":
            return {"count": int(z.size), "mean": float(z.mean()), "std": float(z.std())}
        if self.workload == "tiny":
            return {"sum": float(z), "tasks": -(-self.n // self.chunk)}
        if self.workload == "mul_add":
            sample = np.random.default_rng(3).integers(0, self.n, 16)
            return {"x": [float(self.x[i]) for i in sample], "y": [float(z[i]) for i in sample], "size": int(z.size)}
        # the reference in x87 extended precision (pairwise): within ~1e-18 of the sum of |x|, far inside the
        # 1e-12 the check allows, and seconds faster than math.fsum over 1e8 Python floats
        exact = float(np.sum(self.x, dtype=np.longdouble))
        return {"sum": float(z), "exact": exact, "abs_sum": float(np.abs(self.x).sum())}

    def save(self, path):
        self.np.save(path, self.np.ascontiguousarray(self.last))


def serve(np, da, args):
    runs, cache = {}, {}
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            op = req.get("op")
            if op == "quit":
                break
            if op == "prepare":
                runs[req["id"]] = Run(np, da, args.system, req["workload"], req["n"], req.get("dtype", "float64"),
                                      req.get("chunk", 0), args.threads, req.get("seed", 42), req.get("a"),
                                      req.get("b"), cache)
                answer = {"ok": True}
            elif op == "time":
                answer = {"seconds": runs[req["id"]].time_once()}
            elif op == "check":
                answer = {"check": runs[req["id"]].check()}
            elif op == "save":
                runs[req["id"]].save(req["out"])
                answer = {"ok": True}
            elif op == "drop":
                runs.pop(req["id"], None)
                if not runs:
                    cache.clear()
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
    set_thread_environment(blas_threads(args.system, args.threads) if args.workload == "matmul" or args.serve else 1)
    try:
        import numpy as np
    except ImportError as e:
        print(json.dumps({"error": "numpy is not installed: %s" % e}))
        return 1
    da, dask_problem = None, None
    try:
        import dask.array as da
    except ImportError as e:
        dask_problem = str(e)
    if args.info:
        out = {"versions": versions(np, da), "blas": blas_info(np), "executable": sys.executable}
        if dask_problem:
            out["dask_error"] = dask_problem
        print(json.dumps(out))
        return 0
    if args.system == "dask" and da is None:
        print(json.dumps({"error": "dask.array cannot be imported: %s" % dask_problem}))
        return 1
    if args.serve:
        return serve(np, da, args)
    try:
        run = Run(np, da, args.system, args.workload, args.n, args.dtype, args.chunk, args.threads, args.seed,
                  args.a, args.b)
        for _ in range(args.warmup):
            run.time_once()
        seconds = [run.time_once() for _ in range(args.reps)]
        check = run.check()
        if args.out:
            run.save(args.out)
    except Exception as e:  # reported as this case's failure
        print(json.dumps({"error": "%s: %s" % (type(e).__name__, e)}))
        return 1
    threads = args.threads if args.system == "dask" or args.workload == "matmul" else 1
    print(json.dumps({"system": args.system, "workload": args.workload, "n": args.n,
                      "dtype": args.dtype if args.workload == "matmul" else "float64",
                      "chunk": run.chunk if args.system == "dask" else args.n, "threads": threads,
                      "blas_threads": blas_threads(args.system, args.threads) if args.workload == "matmul" else 1,
                      "seconds": seconds, "check": check, "versions": versions(np, da)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
