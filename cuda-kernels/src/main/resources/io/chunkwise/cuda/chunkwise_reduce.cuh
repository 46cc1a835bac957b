// Device side of the generated reductions (reduce_*.cu.template): the running states of cpu-backend's reducers,
// statement for statement, so that a partial computed one thread per output has the CPU backend's bits. A line's
// elements are read through a loader x(t), t the element's place in the line (row-major over the reduced axes).
// Needs chunkwise_device.cuh (cw_minimum, cw_maximum) and chunkwise_fused.cuh (casts) included first.
#pragma once

#define CW_SUM_LANES 16    // cpu-backend Loops.LANES
#define CW_SUM_LEAF 1024   // Loops.LEAF
#define CW_RED_BLOCK 4096  // Reductions.BLOCK
#define CW_RED_ROW_LANES 128 // Reductions.LANES
#define CW_RED_TILE 512    // TileEvaluator.TILE: the rows layout groups outputs within these

__device__ __forceinline__ double cw_nan() { return __longlong_as_double(0x7ff8000000000000LL); }
__device__ __forceinline__ double cw_inf() { return __longlong_as_double(0x7ff0000000000000LL); }

// Loops.leafSum: element k into lane k % 16 (a tail into lanes 0, 1, ...), lanes folded in halves; -0.0 start.
template <typename F>
__device__ double cw_leaf_sum(const F& x, long long off, long long n, bool squares, double mean) {
    double lanes[CW_SUM_LANES];
    for (int j = 0; j < CW_SUM_LANES; j++) lanes[j] = -0.0;
    long long m = n - n % CW_SUM_LANES;
    for (long long k = 0; k < n; k++) {
        double v = x(off + k);
        int j = (int) (k < m ? k % CW_SUM_LANES : k - m);
        if (squares) {
            double d = v - mean;
            lanes[j] += d * d;
        } else {
            lanes[j] += v;
        }
    }
    for (int w = CW_SUM_LANES / 2; w > 0; w /= 2) for (int j = 0; j < w; j++) lanes[j] += lanes[j + w];
    return lanes[0];
}

// Loops.sum's recursion: halves at multiples of 16 down to leaves of at most 1024, left + right; leaf(off, len)
// gives a leaf's sum. The recursion runs on an explicit stack (depth < 32 for lines under 2^31), so that ptxas sees
// a fixed stack size.
template <typename L>
__device__ double cw_pairwise_by(const L& leaf, long long off, long long n) {
    long long fo[40], fn[40];
    double fv[40];
    int fs[40]; // 0: not split yet, 1: left pending, 2: left done (in fv)
    int top = 1;
    fo[0] = off; fn[0] = n; fs[0] = 0;
    for (;;) {
        int f = top - 1;
        if (fn[f] > CW_SUM_LEAF) {
            fs[f] = 1;
            fo[top] = fo[f]; fn[top] = fn[f] / 2 / CW_SUM_LANES * CW_SUM_LANES; fs[top] = 0;
            top++;
            continue;
        }
        double v = leaf(fo[f], fn[f]);
        top--;
        for (;;) {
            if (top == 0) return v;
            int p = top - 1;
            if (fs[p] == 1) { // the left half is done: start the right one
                long long half = fn[p] / 2 / CW_SUM_LANES * CW_SUM_LANES;
                fv[p] = v; fs[p] = 2;
                fo[top] = fo[p] + half; fn[top] = fn[p] - half; fs[top] = 0;
                top++;
                break;
            }
            v = fv[p] + v;
            top--;
        }
    }
}

// Loops.sum / sumOfSquares of x(off .. off + n).
template <typename F>
__device__ double cw_pairwise(const F& x, long long off, long long n, bool squares, double mean) {
    return cw_pairwise_by([&](long long o, long long m) { return cw_leaf_sum(x, o, m, squares, mean); }, off, n);
}

// A whole line's pairwise leaves computed in parallel: every leaf of a line longer than 1024 holds at least 512
// elements, so each holds a position of this grid, and the first it holds names it (its slot).
#define CW_LEAF_GRID 256
__device__ __forceinline__ long long cw_leaf_slot(long long off) { return (off + CW_LEAF_GRID - 1) / CW_LEAF_GRID; }

// Lane sums per leaf slot in a block of 4096: 16 slots of 16 lanes.
#define CW_BLOCK_PIECES (CW_RED_BLOCK / CW_LEAF_GRID * CW_SUM_LANES)

// The pairwise sum of [0, n) from its leaves' lane sums: lanes[slot * 16 + j], folded in halves as Loops.leafSum.
__device__ __forceinline__ double cw_pairwise_of_lanes(const double* lanes, long long n) {
    return cw_pairwise_by([&](long long off, long long len) {
        (void) len;
        double l[CW_SUM_LANES];
        for (int j = 0; j < CW_SUM_LANES; j++) l[j] = lanes[cw_leaf_slot(off) * CW_SUM_LANES + j];
        for (int w = CW_SUM_LANES / 2; w > 0; w /= 2) for (int j = 0; j < w; j++) l[j] += l[j + w];
        return l[0];
    }, 0, n);
}

// The leaf of the pairwise split of [0, n) that holds position p.
__device__ __forceinline__ void cw_leaf_at(long long n, long long p, long long& off, long long& len) {
    off = 0;
    len = n;
    while (len > CW_SUM_LEAF) {
        long long half = len / 2 / CW_SUM_LANES * CW_SUM_LANES;
        if (p < off + half) {
            len = half;
        } else {
            off += half;
            len -= half;
        }
    }
}

// PairwiseCascade of one lane: a binary counter of block sums.
struct cw_cascade {
    double st[33];
    int size;
    long long pushed;
    __device__ cw_cascade() : size(0), pushed(0) {}
    __device__ void push(double v) {
        st[size++] = v;
        for (long long c = ++pushed; (c & 1) == 0; c >>= 1) {
            st[size - 2] += st[size - 1];
            size--;
        }
    }
    __device__ double total() const {
        if (size == 0) return 0.0;
        double s = st[size - 1];
        for (int i = size - 2; i >= 0; i--) s = st[i] + s;
        return s;
    }
};

// The moments of a partial: PartialMerge.addMoments (Chan et al.; non-finite means combine by weights, M2 NaN).
struct cw_moments {
    long long count;
    double mean, m2;
};
__device__ __forceinline__ void cw_add_moments(cw_moments& a, long long n, double mean, double m2) {
    if (n == 0) return;
    long long before = a.count;
    if (before == 0) {
        a.count = n; a.mean = mean; a.m2 = m2;
        return;
    }
    long long total = before + n;
    double share = (double) n / (double) total;
    if (!isfinite(a.mean) || !isfinite(mean)) {
        a.mean = a.mean * ((double) before / (double) total) + mean * share;
        a.m2 = cw_nan();
    } else {
        double delta = mean - a.mean;
        a.mean += delta * share;
        a.m2 += m2 + delta * delta * (double) before * share;
    }
    a.count = total;
}

// How a partial splits each output's line into blocks (Reductions.partial's layouts):
//   CW_WHOLE_PAIRWISE  a whole float64 chunk summed: one pairwise sum over the line
//   CW_BLOCKS          lines: blocks of 4096, each pairwise, cascaded (moments: a two-pass block, then Chan)
//   CW_ROWS            rows: blocks of 4096 / lanes rows, each summed in row order, cascaded
#define CW_WHOLE_PAIRWISE 0
#define CW_BLOCKS 1
#define CW_ROWS 2

// Rows in a block of output q in the rows layout: outputs go in groups of at most 128 neighbours of one run of the
// kept inner axis (length k), runs cut at tiles of 512 outputs; a block holds 4096 / (its group's width) rows.
__device__ __forceinline__ long long cw_rows_per_block(long long q, long long k) {
    long long tile = q / CW_RED_TILE * CW_RED_TILE;
    long long start = q - q % k > tile ? q - q % k : tile;
    long long end = (q / k + 1) * k < tile + CW_RED_TILE ? (q / k + 1) * k : tile + CW_RED_TILE;
    long long j0 = (q - start) / CW_RED_ROW_LANES * CW_RED_ROW_LANES;
    long long lanes = end - start - j0 < CW_RED_ROW_LANES ? end - start - j0 : CW_RED_ROW_LANES;
    return CW_RED_BLOCK / lanes;
}

template <typename F>
__device__ double cw_line_sum(const F& x, long long n, int mode, long long rows) {
    if (mode == CW_WHOLE_PAIRWISE) return cw_pairwise(x, 0, n, false, 0.0);
    cw_cascade c;
    long long step = mode == CW_ROWS ? rows : CW_RED_BLOCK;
    for (long long s = 0; s < n; s += step) {
        long long len = n - s < step ? n - s : step;
        if (mode == CW_ROWS) {
            double b = 0.0;
            for (long long k = 0; k < len; k++) b += x(s + k);
            c.push(b);
        } else {
            c.push(cw_pairwise(x, s, len, false, 0.0));
        }
    }
    return c.total();
}

template <typename F>
__device__ cw_moments cw_line_moments(const F& x, long long n, int mode, long long rows) {
    cw_moments m = {0, 0.0, 0.0};
    long long step = mode == CW_ROWS ? rows : CW_RED_BLOCK;
    for (long long s = 0; s < n; s += step) {
        long long len = n - s < step ? n - s : step;
        double mean, q;
        if (mode == CW_ROWS) {
            mean = 0.0;
            for (long long k = 0; k < len; k++) mean += x(s + k);
            mean /= (double) len;
            q = 0.0;
            for (long long k = 0; k < len; k++) {
                double d = x(s + k) - mean;
                q += d * d;
            }
        } else {
            mean = cw_pairwise(x, s, len, false, 0.0) / (double) len;
            q = cw_pairwise(x, s, len, true, mean);
        }
        cw_add_moments(m, len, mean, q);
    }
    return m;
}

// DoubleReducer.beats: strictly better, or the first NaN; nothing beats a NaN.
__device__ __forceinline__ bool cw_beats(double x, double best, bool max) {
    if (best != best) return false;
    if (x != x) return true;
    return max ? x > best : x < best;
}
