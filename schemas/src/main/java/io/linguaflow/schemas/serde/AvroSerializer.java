package io.linguaflow.schemas.serde;

import io.linguaflow.schemas.registry.SchemaRegistryClient;
import io.linguaflow.schemas.registry.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serializer writing Avro records in the Confluent wire format ({@link WireFormat}). The record's schema is
 * registered (or, with {@code auto.register.schemas=false}, looked up) under the subject {@code <topic>-value}
 * ({@code -key} for keys); ids are cached. Configure with {@link SerdeConfig#SCHEMA_REGISTRY_URL}, or pass a client.
 * {@code null} serializes to {@code null} (a tombstone). Generated (specific) and generic records both work.
 */
public class AvroSerializer<T extends IndexedRecord> implements Serializer<T> {

    private SchemaRegistryClient registry;
    private boolean isKey;
    private boolean autoRegister = true;
    private final Map<Schema, Writer> writers = new ConcurrentHashMap<>();

    /**
     * A schema's writer and the size of the last record it wrote, the next one's initial buffer: an activation record
     * (130 KB at D = 16384) written into a small buffer was copied again at every doubling.
     */
    private static final class Writer {
        final DatumWriter<Object> datum;
        volatile int lastSize = 256;

        Writer(DatumWriter<Object> datum) {
            this.datum = datum;
        }
    }

    /** For Kafka's reflective instantiation; {@link #configure} supplies the registry. */
    public AvroSerializer() {
    }

    /** With a registry client of one's own; {@link #configure} then only reads the other settings. */
    public AvroSerializer(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        this.autoRegister = SerdeConfig.autoRegister(configs);
        if (registry == null) {
            registry = SerdeConfig.client(configs);
        }
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException("AvroSerializer used before configure(): no " + SerdeConfig.SCHEMA_REGISTRY_URL);
        }
        Schema schema = record.getSchema();
        String subject = SerdeConfig.subject(topic, isKey);
        int id;
        try {
            id = autoRegister ? registry.register(subject, schema) : registry.lookup(subject, schema).id();
        } catch (SchemaRegistryException e) {
            throw new SerializationException("cannot serialize " + schema.getFullName() + " for topic '" + topic
                    + "': no schema id for subject '" + subject + "': " + e.getMessage(), e);
        }
        Writer writer = writers.computeIfAbsent(schema, s -> new Writer(writerFor(record)));
        ByteArrayOutputStream out = new ByteArrayOutputStream(writer.lastSize);
        byte[] header = new byte[WireFormat.HEADER_LENGTH];
        WireFormat.writeHeader(header, id);
        out.writeBytes(header);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writer.datum.write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot serialize " + schema.getFullName() + " for topic '" + topic
                    + "' (schema id " + id + "): " + e.getMessage(), e);
        }
        writer.lastSize = out.size();
        return out.toByteArray();
    }

    private static DatumWriter<Object> writerFor(IndexedRecord record) {
        Schema schema = record.getSchema();
        if (record instanceof SpecificRecord) {
            // the class's own model carries its logical-type conversions (timestamp-millis <-> Instant)
            return new SpecificDatumWriter<>(schema, SpecificData.getForClass(record.getClass()));
        }
        return new GenericDatumWriter<>(schema);
    }
}
