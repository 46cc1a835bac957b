package io.chunkwise;

import io.chunkwise.testing.ConformanceSuite;

/**
 * The conformance suite in array-api: the reference backend on 1 and 3 threads, plus any other backend or test
 * context on the class path (see {@link io.chunkwise.testing.Contexts}).
 */
class ReferenceConformanceTest extends ConformanceSuite {
}
