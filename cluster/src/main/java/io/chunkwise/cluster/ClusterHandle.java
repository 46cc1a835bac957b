package io.chunkwise.cluster;

import com.hazelcast.core.HazelcastInstance;

import java.util.UUID;

/**
 * What a driver ({@link ClusterScheduler}) talks to the members through: a Hazelcast instance (a member of an
 * {@link EmbeddedCluster}, or the client of a {@link ClusterClient}), the driver's side of the messages' HMAC, and the
 * UUID the driver signs its batches as (members address their reports to it).
 */
interface ClusterHandle extends AutoCloseable {
    /** The cluster's name. */
    String name();

    /** The instance the driver talks through; {@link io.chunkwise.ClusterUnavailableException} once closed. */
    HazelcastInstance driverHandle();

    /** What the driver signs batches and checks reports with. */
    MessageAuth driverAuth();

    /** The driver's UUID: its member's, or its client's endpoint's (a client is no member). */
    UUID driverUuid();

    /** Disconnects (a client) or shuts the members down (embedded); throws no checked exception. */
    @Override
    void close();
}
