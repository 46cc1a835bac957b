package io.chunkwise;

import io.chunkwise.testing.ComputeIntoSuite;

/** Results written in place, on the reference backend (its {@code elementwiseInto} is the SPI's default: compute, then copy). */
class ReferenceComputeIntoTest extends ComputeIntoSuite {
}
