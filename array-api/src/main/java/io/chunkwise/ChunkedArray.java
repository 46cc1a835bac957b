package io.chunkwise;

import io.chunkwise.graph.MapBlocksNode;
import io.chunkwise.graph.Node;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.ReduceOp;
import io.chunkwise.spi.UnaryOp;

/**
 * A lazy, immutable chunked array. Operations build a graph and return at once; {@link #compute()} and
 * {@link #persist()} run it. NumPy semantics: broadcasting, dtype promotion, negative axes and indices. Operations on
 * two arrays broadcast them against each other and promote their dtypes by NumPy's rules ({@link DType#promote}); a
 * {@code double} scalar acts like a Python float ({@link DType#promoteWithScalar}).
 */
public final class ChunkedArray {
    private final Chunkwise cw;
    private final Node node;

    ChunkedArray(Chunkwise cw, Node node) {
        this.cw = cw;
        this.node = node;
    }

    /** {@return the graph layer behind this array (for schedulers, tests and tools)} */
    public Node node() { return node; }

    /** {@return the context that made this array and computes it} */
    public Chunkwise context() { return cw; }

    /** {@return the shape (a new array)} */
    public long[] shape() { return node.shape(); }

    /** {@return the element type} */
    public DType dtype() { return node.dtype(); }

    /** {@return the chunk grid} */
    public Chunks chunks() { return node.chunks(); }

    /** {@return the number of dimensions} */
    public int ndim() { return node.chunks().ndim(); }

    /** {@return the number of elements} */
    public long size() { return Shapes.size(shape()); }

    private ChunkedArray wrap(Node n) { return new ChunkedArray(cw, n); }

    // ---- elementwise ----

    /**
     * {@return {@code this + o}, elementwise}
     * @param o the other operand
     */
    public ChunkedArray add(ChunkedArray o) { return MathOps.binary(this, BinaryOp.ADD, o); }
    /**
     * {@return {@code this - o}, elementwise}
     * @param o the other operand
     */
    public ChunkedArray sub(ChunkedArray o) { return MathOps.binary(this, BinaryOp.SUB, o); }
    /**
     * {@return {@code this * o}, elementwise}
     * @param o the other operand
     */
    public ChunkedArray mul(ChunkedArray o) { return MathOps.binary(this, BinaryOp.MUL, o); }
    /**
     * {@return {@code this / o}, elementwise: true division (integers give FLOAT64)}
     * @param o the other operand
     */
    public ChunkedArray div(ChunkedArray o) { return MathOps.binary(this, BinaryOp.DIV, o); }
    /**
     * {@return {@code this ** o}, elementwise (NumPy's power)}
     * @param o the other operand
     */
    public ChunkedArray pow(ChunkedArray o) { return MathOps.binary(this, BinaryOp.POW, o); }
    /**
     * {@return the larger of {@code this} and {@code o}, elementwise (NumPy's maximum)}
     * @param o the other operand
     */
    public ChunkedArray maximum(ChunkedArray o) { return MathOps.binary(this, BinaryOp.MAXIMUM, o); }
    /**
     * {@return the smaller of {@code this} and {@code o}, elementwise (NumPy's minimum)}
     * @param o the other operand
     */
    public ChunkedArray minimum(ChunkedArray o) { return MathOps.binary(this, BinaryOp.MINIMUM, o); }
    /**
     * {@return {@code this > o} as BOOL, elementwise}
     * @param o the other operand
     */
    public ChunkedArray gt(ChunkedArray o) { return MathOps.binary(this, BinaryOp.GT, o); }
    /**
     * {@return {@code this >= o} as BOOL, elementwise}
     * @param o the other operand
     */
    public ChunkedArray ge(ChunkedArray o) { return MathOps.binary(this, BinaryOp.GE, o); }
    /**
     * {@return {@code this < o} as BOOL, elementwise}
     * @param o the other operand
     */
    public ChunkedArray lt(ChunkedArray o) { return MathOps.binary(this, BinaryOp.LT, o); }
    /**
     * {@return {@code this <= o} as BOOL, elementwise}
     * @param o the other operand
     */
    public ChunkedArray le(ChunkedArray o) { return MathOps.binary(this, BinaryOp.LE, o); }
    /**
     * {@return {@code this == o} as BOOL, elementwise}
     * @param o the other operand
     */
    public ChunkedArray eq(ChunkedArray o) { return MathOps.binary(this, BinaryOp.EQ, o); }
    /**
     * {@return {@code this != o} as BOOL, elementwise}
     * @param o the other operand
     */
    public ChunkedArray ne(ChunkedArray o) { return MathOps.binary(this, BinaryOp.NE, o); }

    /**
     * {@return {@code this + s}, elementwise}
     * @param s the scalar, which acts like a Python float
     */
    public ChunkedArray add(double s) { return MathOps.scalar(this, BinaryOp.ADD, s); }
    /**
     * {@return {@code this - s}, elementwise}
     * @param s the scalar, which acts like a Python float
     */
    public ChunkedArray sub(double s) { return MathOps.scalar(this, BinaryOp.SUB, s); }
    /**
     * {@return {@code this * s}, elementwise}
     * @param s the scalar, which acts like a Python float
     */
    public ChunkedArray mul(double s) { return MathOps.scalar(this, BinaryOp.MUL, s); }
    /**
     * {@return {@code this / s}, elementwise: true division (integers give FLOAT64)}
     * @param s the scalar, which acts like a Python float
     */
    public ChunkedArray div(double s) { return MathOps.scalar(this, BinaryOp.DIV, s); }
    /**
     * {@return {@code this ** s}, elementwise (NumPy's power)}
     * @param s the scalar, which acts like a Python float
     */
    public ChunkedArray pow(double s) { return MathOps.scalar(this, BinaryOp.POW, s); }
    /**
     * {@return the larger of {@code this} and {@code s}, elementwise (NumPy's maximum)}
     * @param s the scalar, which acts like a Python float
     */
    public ChunkedArray maximum(double s) { return MathOps.scalar(this, BinaryOp.MAXIMUM, s); }
    /**
     * {@return the smaller of {@code this} and {@code s}, elementwise (NumPy's minimum)}
     * @param s the scalar, which acts like a Python float
     */
    public ChunkedArray minimum(double s) { return MathOps.scalar(this, BinaryOp.MINIMUM, s); }
    /**
     * {@return {@code this > s} as BOOL, elementwise}
     * @param s the scalar, which acts like a Python float
     */
    public ChunkedArray gt(double s) { return MathOps.scalar(this, BinaryOp.GT, s); }
    /**
     * {@return {@code this >= s} as BOOL, elementwise}
     * @param s the scalar, which acts like a Python float
     */
    public ChunkedArray ge(double s) { return MathOps.scalar(this, BinaryOp.GE, s); }
    /**
     * {@return {@code this < s} as BOOL, elementwise}
     * @param s the scalar, which acts like a Python float
     */
    public ChunkedArray lt(double s) { return MathOps.scalar(this, BinaryOp.LT, s); }
    /**
     * {@return {@code this <= s} as BOOL, elementwise}
     * @param s the scalar, which acts like a Python float
     */
    public ChunkedArray le(double s) { return MathOps.scalar(this, BinaryOp.LE, s); }
    /**
     * {@return {@code this == s} as BOOL, elementwise}
     * @param s the scalar, which acts like a Python float
     */
    public ChunkedArray eq(double s) { return MathOps.scalar(this, BinaryOp.EQ, s); }
    /**
     * {@return {@code this != s} as BOOL, elementwise}
     * @param s the scalar, which acts like a Python float
     */
    public ChunkedArray ne(double s) { return MathOps.scalar(this, BinaryOp.NE, s); }

    /** {@return {@code -this}, elementwise (not defined for BOOL)} */
    public ChunkedArray neg() { return MathOps.unary(this, UnaryOp.NEG); }
    /** {@return the absolute value, elementwise} */
    public ChunkedArray abs() { return MathOps.unary(this, UnaryOp.ABS); }
    /** {@return e to the power of each element, elementwise (integers and booleans as FLOAT64)} */
    public ChunkedArray exp() { return MathOps.unary(this, UnaryOp.EXP); }
    /** {@return the natural logarithm, elementwise (integers and booleans as FLOAT64)} */
    public ChunkedArray log() { return MathOps.unary(this, UnaryOp.LOG); }
    /** {@return the square root, elementwise (integers and booleans as FLOAT64)} */
    public ChunkedArray sqrt() { return MathOps.unary(this, UnaryOp.SQRT); }
    /** {@return the sine (of radians), elementwise (integers and booleans as FLOAT64)} */
    public ChunkedArray sin() { return MathOps.unary(this, UnaryOp.SIN); }
    /** {@return the cosine (of radians), elementwise (integers and booleans as FLOAT64)} */
    public ChunkedArray cos() { return MathOps.unary(this, UnaryOp.COS); }
    /** {@return the hyperbolic tangent, elementwise (integers and booleans as FLOAT64)} */
    public ChunkedArray tanh() { return MathOps.unary(this, UnaryOp.TANH); }

    /** {@return the largest integer not greater than each element (integers and booleans as FLOAT64)} */
    public ChunkedArray floor() { return MathOps.unary(this, UnaryOp.FLOOR); }
    /** {@return the smallest integer not less than each element (integers and booleans as FLOAT64)} */
    public ChunkedArray ceil() { return MathOps.unary(this, UnaryOp.CEIL); }
    /** {@return each element rounded to the nearest integer, halves to even, as numpy.rint (integers as FLOAT64)} */
    public ChunkedArray rint() { return MathOps.unary(this, UnaryOp.RINT); }
    /** {@return each element rounded toward zero (integers and booleans as FLOAT64)} */
    public ChunkedArray trunc() { return MathOps.unary(this, UnaryOp.TRUNC); }
    /** {@return -1, 0 or 1 by the sign of each element; NaN stays NaN, -0.0 gives 0.0 (booleans as INT64)} */
    public ChunkedArray sign() { return MathOps.unary(this, UnaryOp.SIGN); }
    /** {@return each element times itself (integers wrap; booleans as INT64)} */
    public ChunkedArray square() { return MathOps.unary(this, UnaryOp.SQUARE); }
    /** {@return {@code log(1 + x)}, accurate for small x, elementwise (integers and booleans as FLOAT64)} */
    public ChunkedArray log1p() { return MathOps.unary(this, UnaryOp.LOG1P); }
    /** {@return {@code exp(x) - 1}, accurate for small x, elementwise (integers and booleans as FLOAT64)} */
    public ChunkedArray expm1() { return MathOps.unary(this, UnaryOp.EXPM1); }
    /** {@return the base-2 logarithm, exact at powers of two, elementwise (integers and booleans as FLOAT64)} */
    public ChunkedArray log2() { return MathOps.unary(this, UnaryOp.LOG2); }
    /** {@return the base-10 logarithm, elementwise (integers and booleans as FLOAT64)} */
    public ChunkedArray log10() { return MathOps.unary(this, UnaryOp.LOG10); }
    /** {@return the tangent (of radians), elementwise (integers and booleans as FLOAT64)} */
    public ChunkedArray tan() { return MathOps.unary(this, UnaryOp.TAN); }
    /** {@return the hyperbolic sine, elementwise (integers and booleans as FLOAT64)} */
    public ChunkedArray sinh() { return MathOps.unary(this, UnaryOp.SINH); }
    /** {@return the hyperbolic cosine, elementwise (integers and booleans as FLOAT64)} */
    public ChunkedArray cosh() { return MathOps.unary(this, UnaryOp.COSH); }
    /** {@return the inverse sine in radians, NaN outside [-1, 1], elementwise (integers and booleans as FLOAT64)} */
    public ChunkedArray arcsin() { return MathOps.unary(this, UnaryOp.ARCSIN); }
    /** {@return the inverse cosine in radians, NaN outside [-1, 1], elementwise (integers and booleans as FLOAT64)} */
    public ChunkedArray arccos() { return MathOps.unary(this, UnaryOp.ARCCOS); }
    /** {@return the inverse tangent in radians, elementwise (integers and booleans as FLOAT64)} */
    public ChunkedArray arctan() { return MathOps.unary(this, UnaryOp.ARCTAN); }
    /** {@return BOOL: whether each element is NaN (never for integers and booleans)} */
    public ChunkedArray isnan() { return MathOps.unary(this, UnaryOp.ISNAN); }
    /** {@return BOOL: whether each element is positive or negative infinity} */
    public ChunkedArray isinf() { return MathOps.unary(this, UnaryOp.ISINF); }
    /** {@return BOOL: whether each element is neither NaN nor infinite (always for integers and booleans)} */
    public ChunkedArray isfinite() { return MathOps.unary(this, UnaryOp.ISFINITE); }
    /** {@return BOOL: whether each element is zero (NaN counts as true, so gives false)} */
    public ChunkedArray logicalNot() { return MathOps.unary(this, UnaryOp.LOGICAL_NOT); }

    /**
     * {@return BOOL: whether both elements are non-zero (NaN is non-zero), broadcasting}
     * @param o the other operand
     */
    public ChunkedArray logicalAnd(ChunkedArray o) { return MathOps.binary(this, BinaryOp.LOGICAL_AND, o); }
    /**
     * {@return BOOL: whether either element is non-zero, broadcasting}
     * @param o the other operand
     */
    public ChunkedArray logicalOr(ChunkedArray o) { return MathOps.binary(this, BinaryOp.LOGICAL_OR, o); }
    /**
     * {@return BOOL: whether exactly one of the elements is non-zero, broadcasting}
     * @param o the other operand
     */
    public ChunkedArray logicalXor(ChunkedArray o) { return MathOps.binary(this, BinaryOp.LOGICAL_XOR, o); }

    /**
     * {@return the remainder of {@code this / o} with the sign of {@code o}, as numpy.remainder (Python's %)}
     * Integer division by zero gives 0, as NumPy's result (NumPy warns too; a kernel cannot, so it is documented here);
     * floats give NaN.
     * @param o the divisor
     */
    public ChunkedArray mod(ChunkedArray o) { return MathOps.binary(this, BinaryOp.MOD, o); }
    /**
     * {@return the remainder of {@code this / s} with the sign of {@code s}, as numpy.remainder}
     * @param s the divisor, which acts like a Python float
     */
    public ChunkedArray mod(double s) { return MathOps.scalar(this, BinaryOp.MOD, s); }
    /**
     * {@return {@code this / o} rounded toward negative infinity, as numpy.floor_divide (Python's //)}
     * Integer division by zero gives 0 (as NumPy's result; see {@link #mod(ChunkedArray)}); floats give ±inf or NaN.
     * @param o the divisor
     */
    public ChunkedArray floorDivide(ChunkedArray o) { return MathOps.binary(this, BinaryOp.FLOOR_DIVIDE, o); }
    /**
     * {@return {@code this / s} rounded toward negative infinity, as numpy.floor_divide}
     * @param s the divisor, which acts like a Python float
     */
    public ChunkedArray floorDivide(double s) { return MathOps.scalar(this, BinaryOp.FLOOR_DIVIDE, s); }
    /**
     * {@return the angle of the point ({@code o}, {@code this}) in radians, in [-pi, pi], as numpy.arctan2(this, o)}
     * @param o the x coordinates ({@code this} holds the y coordinates)
     */
    public ChunkedArray arctan2(ChunkedArray o) { return MathOps.binary(this, BinaryOp.ARCTAN2, o); }
    /**
     * {@return numpy.arctan2(this, s)}
     * @param s the x coordinate, which acts like a Python float
     */
    public ChunkedArray arctan2(double s) { return MathOps.scalar(this, BinaryOp.ARCTAN2, s); }
    /**
     * {@return {@code sqrt(this^2 + o^2)} without undue overflow, elementwise}
     * @param o the other leg
     */
    public ChunkedArray hypot(ChunkedArray o) { return MathOps.binary(this, BinaryOp.HYPOT, o); }
    /**
     * {@return {@code sqrt(this^2 + s^2)} without undue overflow, elementwise}
     * @param s the other leg, which acts like a Python float
     */
    public ChunkedArray hypot(double s) { return MathOps.scalar(this, BinaryOp.HYPOT, s); }

    /**
     * numpy.clip: each element limited to [lo, hi], as {@code minimum(maximum(this, lo), hi)} (NaN stays NaN; with
     * {@code lo > hi} every element becomes {@code hi}, as in NumPy).
     *
     * @param lo the lower bound (acts like a Python float)
     * @param hi the upper bound
     * @return the lazy result
     * @throws InvalidArgumentException when a bound is NaN
     */
    public ChunkedArray clip(double lo, double hi) { return MathOps.clip(this, lo, hi); }

    /**
     * {@code cond ? a : b} elementwise, broadcasting all three; the result has the promoted dtype of a and b.
     *
     * @param cond where to take {@code a} (non-zero is true)
     * @param a the values where {@code cond} holds
     * @param b the values elsewhere
     * @return the lazy result
     */
    public static ChunkedArray where(ChunkedArray cond, ChunkedArray a, ChunkedArray b) { return MathOps.where(cond, a, b); }

    /**
     * {@code cond ? a : b} with a scalar {@code b} (it acts like a Python float: a floating {@code a} keeps its dtype).
     *
     * @param cond where to take {@code a}
     * @param a the values where {@code cond} holds
     * @param b the value elsewhere
     * @return the lazy result
     */
    public static ChunkedArray where(ChunkedArray cond, ChunkedArray a, double b) { return MathOps.where(cond, a, b, false); }

    /**
     * {@code cond ? a : b} with a scalar {@code a}.
     *
     * @param cond where to take {@code a}
     * @param a the value where {@code cond} holds (acts like a Python float)
     * @param b the values elsewhere
     * @return the lazy result
     */
    public static ChunkedArray where(ChunkedArray cond, double a, ChunkedArray b) { return MathOps.where(cond, b, a, true); }

    /**
     * NumPy's unsafe cast: floats to integers truncate toward zero; non-zero is true.
     *
     * @param t the new dtype
     * @return the cast array ({@code this} when it has that dtype already)
     */
    public ChunkedArray astype(DType t) { return MathOps.astype(this, t); }


    // ---- reductions ----

    /**
     * {@return the sum (integers and booleans summed as INT64) over {@code axes}, which are dropped}
     * @param axes the axes to reduce, negative ones counting from the end; none means all
     */
    public ChunkedArray sum(int... axes) { return reduce(ReduceOp.SUM, axes); }
    /**
     * {@return the product (integers and booleans multiplied as INT64) over {@code axes}, which are dropped}
     * @param axes the axes to reduce, negative ones counting from the end; none means all
     */
    public ChunkedArray prod(int... axes) { return reduce(ReduceOp.PROD, axes); }
    /**
     * {@return the smallest value over {@code axes}, which are dropped}
     * @param axes the axes to reduce, negative ones counting from the end; none means all
     */
    public ChunkedArray min(int... axes) { return reduce(ReduceOp.MIN, axes); }
    /**
     * {@return the largest value over {@code axes}, which are dropped}
     * @param axes the axes to reduce, negative ones counting from the end; none means all
     */
    public ChunkedArray max(int... axes) { return reduce(ReduceOp.MAX, axes); }
    /**
     * {@return the mean (integers as FLOAT64) over {@code axes}, which are dropped}
     * @param axes the axes to reduce, negative ones counting from the end; none means all
     */
    public ChunkedArray mean(int... axes) { return reduce(ReduceOp.MEAN, axes); }
    /**
     * {@return the variance (ddof 0; integers as FLOAT64) over {@code axes}, which are dropped}
     * @param axes the axes to reduce, negative ones counting from the end; none means all
     */
    public ChunkedArray var(int... axes) { return reduce(ReduceOp.VAR, axes); }
    /**
     * {@return the standard deviation (ddof 0; integers as FLOAT64) over {@code axes}, which are dropped}
     * @param axes the axes to reduce, negative ones counting from the end; none means all
     */
    public ChunkedArray std(int... axes) { return reduce(ReduceOp.STD, axes); }
    /**
     * {@return the index (INT64) of the largest value along {@code axis}, which is dropped; the first one on ties; NaN
     * counts as largest}
     * @param axis the axis, negative counting from the end
     */
    public ChunkedArray argmax(int axis) { return reduce(ReduceOp.ARGMAX, new int[]{Shapes.axis(axis, ndim())}); }
    /**
     * {@return the index (INT64) of the smallest value along {@code axis}, which is dropped; the first one on ties; NaN
     * counts as smallest}
     * @param axis the axis, negative counting from the end
     */
    public ChunkedArray argmin(int axis) { return reduce(ReduceOp.ARGMIN, new int[]{Shapes.axis(axis, ndim())}); }

    private ChunkedArray reduce(ReduceOp op, int[] axes) { return ReductionOps.reduce(this, op, axes); }

    /**
     * {@return whether any element over {@code axes} is non-zero (NaN is), as BOOL; the axes are dropped; false over
     * an empty axis (numpy.any)}
     * @param axes the axes to reduce, negative ones counting from the end; none means all
     */
    public ChunkedArray any(int... axes) { return ReductionOps.any(this, axes); }
    /**
     * {@return whether every element over {@code axes} is non-zero (NaN is), as BOOL; the axes are dropped; true over
     * an empty axis (numpy.all)}
     * @param axes the axes to reduce, negative ones counting from the end; none means all
     */
    public ChunkedArray all(int... axes) { return ReductionOps.all(this, axes); }
    /**
     * {@return the sum over {@code axes} treating NaN as zero (an all-NaN slice sums to 0; infinities count), dtype as
     * {@link #sum} (numpy.nansum)}
     * @param axes the axes to reduce, negative ones counting from the end; none means all
     */
    public ChunkedArray nansum(int... axes) { return ReductionOps.nansum(this, axes); }
    /**
     * {@return the mean of the non-NaN elements over {@code axes}, NaN for an all-NaN slice, dtype as {@link #mean}
     * (numpy.nanmean)}
     * @param axes the axes to reduce, negative ones counting from the end; none means all
     */
    public ChunkedArray nanmean(int... axes) { return ReductionOps.nanmean(this, axes); }
    /**
     * {@return the smallest non-NaN element over {@code axes}, NaN for an all-NaN slice, dtype kept (numpy.nanmin)}
     * @param axes the axes to reduce, negative ones counting from the end; none means all
     * @throws ShapeMismatchException if a reduced axis is empty
     */
    public ChunkedArray nanmin(int... axes) { return ReductionOps.nanExtreme(this, axes, false); }
    /**
     * {@return the largest non-NaN element over {@code axes}, NaN for an all-NaN slice, dtype kept (numpy.nanmax)}
     * @param axes the axes to reduce, negative ones counting from the end; none means all
     * @throws ShapeMismatchException if a reduced axis is empty
     */
    public ChunkedArray nanmax(int... axes) { return ReductionOps.nanExtreme(this, axes, true); }
    /**
     * {@return the variance (ddof 0) of the non-NaN elements over {@code axes}, NaN for an all-NaN slice, dtype as
     * {@link #var} (numpy.nanvar)}
     * @param axes the axes to reduce, negative ones counting from the end; none means all
     */
    public ChunkedArray nanvar(int... axes) { return ReductionOps.nanvar(this, axes); }
    /**
     * {@return the standard deviation (ddof 0) of the non-NaN elements over {@code axes}, NaN for an all-NaN slice,
     * dtype as {@link #std} (numpy.nanstd)}
     * @param axes the axes to reduce, negative ones counting from the end; none means all
     */
    public ChunkedArray nanstd(int... axes) { return ReductionOps.nanstd(this, axes); }

    /**
     * {@return the cumulative sum along {@code axis}, across chunk boundaries (numpy.cumsum): floats keep their dtype
     * (float32 accumulates in float32), integers and booleans give INT64}
     * @param axis the axis, negative counting from the end
     */
    public ChunkedArray cumsum(int axis) { return ReductionOps.scan(this, axis, ReduceOp.SUM); }
    /**
     * {@return the cumulative product along {@code axis}, across chunk boundaries (numpy.cumprod): floats keep their
     * dtype, integers and booleans give INT64}
     * @param axis the axis, negative counting from the end
     */
    public ChunkedArray cumprod(int axis) { return ReductionOps.scan(this, axis, ReduceOp.PROD); }

    /**
     * The counts of numpy.histogram(this, bins, range=(lo, hi)) over all elements: {@code bins} equal bins with
     * NumPy's edges ({@code linspace(lo, hi, bins + 1)}, float32 for float32 data), each closed on the left and the
     * last also on the right; values outside {@code [lo, hi]} and NaN are not counted; integers and booleans count as
     * float64. An empty range {@code lo == hi} becomes {@code [lo - 0.5, hi + 0.5]}, as NumPy makes it.
     *
     * @param bins the number of bins, at least 1
     * @param lo the lower edge, finite
     * @param hi the upper edge, finite, not below {@code lo}
     * @return the INT64 counts, of length {@code bins}
     * @throws InvalidArgumentException for bins below 1, {@code lo > hi}, a range that is not finite, or more bins than
     *         the range has distinct edges
     */
    public ChunkedArray histogram(int bins, double lo, double hi) { return ReductionOps.histogram(this, bins, lo, hi); }

    /**
     * numpy.tensordot(this, other, axes=(axesA, axesB)): the sum of the products over each pair of axes
     * {@code (axesA[i], axesB[i])}; the result has this array's other axes, then {@code other}'s, and matmul's dtype.
     * Computed as one blocked matmul of the two arrays reshaped to 2-D.
     *
     * @param other the right operand
     * @param axesA the summed axes of this array, negative counting from the end
     * @param axesB the summed axes of {@code other}, as many, paired in order
     * @return the lazy product
     * @throws ShapeMismatchException if the counts of axes differ, or a pair of axes has different lengths
     * @throws AxisOutOfRangeException if an axis is out of range or repeated
     */
    public ChunkedArray tensordot(ChunkedArray other, int[] axesA, int[] axesB) {
        return LinalgOps.tensordot(this, other, axesA, axesB);
    }

    // ---- linear algebra ----

    /**
     * Matrix product: 2-D @ 2-D, 2-D @ 1-D or 1-D @ 2-D (and 1-D @ 1-D, a 0-d dot product).
     *
     * @param other the right operand
     * @return the lazy product, of the promoted dtype
     * @throws ShapeMismatchException when an operand is not 1-D or 2-D, or the contracted lengths differ
     */
    public ChunkedArray matmul(ChunkedArray other) { return LinalgOps.matmul(this, other); }

    // ---- manipulation ----

    /** {@return a view with the axes reversed} */
    public ChunkedArray transpose() {
        int[] axes = new int[ndim()];
        for (int i = 0; i < axes.length; i++) axes[i] = axes.length - 1 - i;
        return transpose(axes);
    }

    /**
     * Permutes the axes.
     *
     * @param axes a permutation of the axes: output axis {@code i} is input axis {@code axes[i]}
     * @return the view
     */
    public ChunkedArray transpose(int... axes) { return ManipulationOps.transpose(this, axes); }

    /**
     * The same elements in row-major order in a new shape.
     *
     * @param newShape the shape, of the same size; one dimension may be -1 (inferred)
     * @return the reshaped array ({@code this} when the shape is the same)
     */
    public ChunkedArray reshape(long... newShape) { return ManipulationOps.reshape(this, newShape); }

    /**
     * The same values in other chunks.
     *
     * @param chunkShape the new chunks' shape; -1 takes a whole axis
     * @return the rechunked array
     */
    public ChunkedArray rechunk(int... chunkShape) { return ManipulationOps.rechunk(this, chunkShape); }

    /**
     * The same values on another chunk grid.
     *
     * @param target the grid, of this array's shape
     * @return the rechunked array
     */
    public ChunkedArray rechunk(Chunks target) { return ManipulationOps.rechunk(this, target); }


    /**
     * NumPy basic indexing.
     *
     * @param perAxis one {@link Slice} per leading axis (the others are taken whole); {@link Slice#at} drops its axis
     * @return the view
     */
    public ChunkedArray slice(Slice... perAxis) { return IndexingOps.slice(this, perAxis); }

    /**
     * numpy.expand_dims: a new axis of length 1 at {@code axis}.
     *
     * @param axis where the new axis goes in the result, in {@code [-ndim-1, ndim]} (negative counts from the end)
     * @return the view, with one more axis
     * @throws AxisOutOfRangeException when {@code axis} is outside that range
     */
    public ChunkedArray expandDims(int axis) { return ManipulationOps.expandDims(this, axis); }

    /**
     * numpy.squeeze: drops axes of length 1.
     *
     * @param axes the axes to drop (negative count from the end), each of length 1; none given drops every axis of length 1
     * @return the view ({@code this} when nothing is dropped)
     * @throws ShapeMismatchException  when an axis given does not have length 1
     * @throws AxisOutOfRangeException when an axis is out of range or given twice
     */
    public ChunkedArray squeeze(int... axes) { return ManipulationOps.squeeze(this, axes); }

    /**
     * numpy.flip along one axis: the elements in reverse order along {@code axis}; the chunks mirror this array's.
     *
     * @param axis the axis, negative counting from the end
     * @return the reversed view
     */
    public ChunkedArray flip(int axis) { return ManipulationOps.flip(this, axis); }

    /**
     * numpy.swapaxes: exchanges two axes (a transposition).
     *
     * @param axis1 one axis, negative counting from the end
     * @param axis2 the other
     * @return the view ({@code this} when they are the same axis)
     */
    public ChunkedArray swapaxes(int axis1, int axis2) { return ManipulationOps.swapaxes(this, axis1, axis2); }

    /**
     * numpy.broadcast_to, lazily: nothing is copied until the result is computed, and an elementwise operation on the
     * result reads this array through stride 0 in the same kernel. Axes taken from this array keep its chunks; a
     * broadcast axis (a new leading axis, or one of length 1 here) is chunked so that a chunk holds about as many
     * elements as this array's largest chunk, and at least 2<sup>20</sup>.
     *
     * @param shape the target shape: this array's shape with axes of length 1 stretched and axes put in front
     * @return the broadcast view ({@code this} when the shape is this array's)
     * @throws ShapeMismatchException when this array does not broadcast to {@code shape} (NumPy's rules, one way),
     *                                naming both shapes
     */
    public ChunkedArray broadcastTo(long... shape) { return ManipulationOps.broadcastTo(this, shape); }

    /** {@return numpy.ravel: the elements in C order as a 1-D array, like {@code reshape(-1)}} */
    public ChunkedArray ravel() { return ManipulationOps.ravel(this); }

    /**
     * numpy.take along an axis (mode 'raise'): output position {@code i} along {@code axis} is this array's position
     * {@code indices[i]}; indices may repeat and come in any order, negative ones count from the end of the axis.
     * The taken axis is chunked regularly in the largest chunk size of this array along it; other axes keep their
     * chunks.
     *
     * @param indices the positions to take
     * @param axis    the axis, negative counting from the end
     * @return the lazy result, with {@code indices.length} along {@code axis}
     * @throws IndexOutOfRangeException when an index is outside the axis (naming it and the axis length)
     */
    public ChunkedArray take(long[] indices, int axis) { return IndexingOps.take(this, indices, axis); }

    /**
     * numpy.extract: the 1-D array of this array's values where {@code cond} is non-zero (NaN counts as non-zero), in C
     * order. As NumPy does, both are raveled: {@code cond} needs this array's size, in any shape (to broadcast a
     * condition, use {@link #broadcastTo} first). The result's chunk sizes are known: this call computes {@code cond}
     * once, eagerly, to count its true values per chunk (a small result, one number per chunk); computing the result
     * computes {@code cond} again. The result is chunked regularly, a chunk holding as many values as this array's
     * largest chunk has elements.
     *
     * @param cond the condition, of this array's size
     * @return the selected values, 1-D, of this array's dtype
     * @throws ShapeMismatchException when the sizes differ
     */
    public ChunkedArray extract(ChunkedArray cond) { return IndexingOps.extract(this, cond); }

    /** Drops an axis of length 1. */

    /**
     * Joins arrays along an existing axis; dtypes are promoted, other axes must match.
     *
     * @param axis the axis, negative counting from the end
     * @param parts the arrays, at least one
     * @return the joined array
     */
    public static ChunkedArray concatenate(int axis, ChunkedArray... parts) { return ManipulationOps.concatenate(axis, parts); }

    /**
     * Joins arrays of one shape along a new axis.
     *
     * @param axis where the new axis goes, in {@code [-ndim-1, ndim]}
     * @param parts the arrays, at least one
     * @return the stacked array
     */
    public static ChunkedArray stack(int axis, ChunkedArray... parts) { return ManipulationOps.stack(axis, parts); }

    /**
     * Applies {@code f} to every chunk (same chunking and dtype; a block of another dtype is cast back). The function
     * object stays in this JVM: a cluster runs only functions known by name ({@link #mapBlocks(String)}).
     *
     * @param f the function
     * @return the lazy result
     */
    public ChunkedArray mapBlocks(BlockFunction f) {
        if (f == null) throw new InvalidArgumentException("mapBlocks needs a function");
        return wrap(new MapBlocksNode(MapBlocksNode.anonymousName(), f, node, dtype()));
    }

    /**
     * {@link #mapBlocks(BlockFunction)} with the function registered as {@code name}
     * ({@link Chunkwise#registerBlockFunction}) or the class of that name on the class path implementing
     * {@link BlockFunction}: what travels to a cluster member is the name.
     *
     * @param name the function's name
     * @return the lazy result
     */
    public ChunkedArray mapBlocks(String name) {
        if (name == null || !cw.blockFunctions().knows(name)) {
            throw new InvalidArgumentException("mapBlocks: no block function '" + name + "'; register it with "
                    + "Chunkwise.registerBlockFunction(name, f) or name a class implementing BlockFunction on the class path");
        }
        return wrap(new MapBlocksNode(name, null, node, dtype()));
    }

    // ---- running ----

    /** {@return the values as one dense array, after running the graph} */
    public NDArray compute() { return cw.compute(node, ComputeListener.NONE); }

    /**
     * {@link #compute()}, reporting progress.
     *
     * @param listener told of the progress (null: nobody)
     * @return the values as one dense array
     */
    public NDArray compute(ComputeListener listener) {
        return cw.compute(node, listener == null ? ComputeListener.NONE : listener);
    }

    /**
     * {@link #compute()} on a thread of its own, the future completed with its result or failure. Cancelling the
     * future completes it at once and stops the computation: its workers take no further task, and it releases every
     * chunk it held. ({@link #compute()} stops so when its calling thread is interrupted, throwing
     * {@link ComputationCancelledException}.)
     *
     * @return the future of the computed values
     */
    public java.util.concurrent.CompletableFuture<NDArray> computeAsync() { return cw.computeAsync(node); }

    /**
     * Runs the graph into {@code out}, an array of this array's shape and dtype allocated beforehand (NumPy's
     * {@code out=}), and returns {@code out}: its values are replaced, and no result array is allocated. Elementwise
     * chunks are written into it in place. {@code out} may be the source of this array (then the result is computed
     * aside first). On a shape or dtype mismatch nothing runs and {@code out} is unchanged.
     *
     * @param out the array the values go into
     * @return {@code out}
     * @throws ShapeMismatchException if {@code out}'s shape is not this array's
     * @throws DTypeException         if {@code out}'s dtype is not this array's
     */
    public NDArray computeInto(NDArray out) {
        if (out == null) throw new InvalidArgumentException("computeInto needs an output array, got null");
        if (!java.util.Arrays.equals(out.shape(), shape())) {
            throw new ShapeMismatchException("computeInto: out has shape " + Shapes.str(out.shape()) + ", but the array computed has shape "
                    + Shapes.str(shape()) + "; allocate out with the array's shape");
        }
        if (out.dtype() != dtype()) {
            throw new DTypeException("computeInto: out has dtype " + out.dtype().numpyName() + ", but the array computed has dtype "
                    + dtype().numpyName() + "; allocate out with that dtype or use astype()");
        }
        cw.computeInto(node, out, ComputeListener.NONE);
        return out;
    }

    /** {@return an array of this one's values whose chunks are kept where they were computed, after running the graph} */
    public ChunkedArray persist() { return cw.persist(node, ComputeListener.NONE); }

    /**
     * Releases the chunks of an array that {@link #persist()} returned, before its context closes (which releases them
     * all): from the context's memory, or from the cluster's members with their backups, and gives their bytes back to
     * the persist budget. Arrays computed from it earlier keep their values; using it, or an expression over it, in a
     * later computation fails with {@link InvalidArgumentException}, and a computation under way that reads it may
     * fail. A second call does nothing.
     *
     * @throws InvalidArgumentException where this array is not one that {@code persist()} returned
     */
    public void unpersist() { cw.unpersist(node); }

    /**
     * {@link #persist()}, reporting progress.
     *
     * @param listener told of the progress (null: nobody)
     * @return the persisted array
     */
    public ChunkedArray persist(ComputeListener listener) {
        return cw.persist(node, listener == null ? ComputeListener.NONE : listener);
    }

    /** {@return the optimized, culled task graph as readable text} */
    public String explain() { return cw.explain(node); }

    @Override
    public String toString() {
        return "ChunkedArray(" + dtype().numpyName() + ", " + Shapes.str(shape()) + ", chunks " + chunks() + ")";
    }
}
