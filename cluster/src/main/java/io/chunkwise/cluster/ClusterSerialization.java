package io.chunkwise.cluster;

import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

/** Creates our messages by (factory id, class id): no class name travels, nothing outside this list is made. */
final class ClusterSerialization implements DataSerializableFactory {
    static final int FACTORY_ID = 0x43574b31;   // "CWK1"
    static final int CHUNK_ID = 1, TASK_BATCH = 2, BATCH_REPORT = 3, STATUS_REQUEST = 4, STATUS_REPORT = 5, JOB_END = 6;

    @Override
    public IdentifiedDataSerializable create(int typeId) {
        return switch (typeId) {
            case CHUNK_ID -> new ChunkId();
            case TASK_BATCH -> new TaskBatch();
            case BATCH_REPORT -> new BatchReport();
            case STATUS_REQUEST -> new StatusRequest();
            case STATUS_REPORT -> new StatusReport();
            case JOB_END -> new JobEnd();
            default -> null;
        };
    }
}
