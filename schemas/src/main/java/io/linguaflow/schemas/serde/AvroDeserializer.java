package io.linguaflow.schemas.serde;

import io.linguaflow.schemas.registry.SchemaRegistryClient;
import io.linguaflow.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumReader;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka deserializer for the Confluent wire format ({@link WireFormat}) into generated Avro classes. The writer
 * schema comes from the registry by the id in the header (cached); the reader schema is that of the generated
 * class, so records written with an older compatible schema are resolved into today's class (new fields take
 * their defaults). The class is the one given to the constructor, or else the generated class named like the
 * writer schema. Lengths and counts in the data are checked against its size before Avro decodes it
 * ({@link AvroBounds}), so corrupt bytes cannot exhaust the heap. A record's {@code bytes} fields are views of
 * {@code data}, not copies ({@link SlicingDecoder}): a caller must not reuse the array it passed while the record is in
 * use (a Kafka consumer passes a new one per record). Bad bytes (wrong magic byte, truncated, unknown
 * schema id, not decodable) raise a
 * {@link SerializationException} naming the topic, the schema id and the problem; a Kafka consumer wraps it in a
 * {@code RecordDeserializationException} that carries partition and offset, which
 * {@link io.linguaflow.schemas.deadletter.DeadLetterHandler} turns into a dead letter.
 */
public class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    private final Class<T> type;
    private SchemaRegistryClient registry;
    private final Map<Integer, Reader<T>> readers = new ConcurrentHashMap<>();

    private record Reader<T>(Schema writer, DatumReader<T> datumReader) {
    }

    /** For Kafka's reflective instantiation: the class is found from the writer schema's full name. */
    public AvroDeserializer() {
        this(null, null);
    }

    /** Reads into {@code type}; {@link #configure} supplies the registry. */
    public AvroDeserializer(Class<T> type) {
        this(type, null);
    }

    /** Reads into {@code type} (null: by writer schema name) with a registry client of one's own. */
    public AvroDeserializer(Class<T> type, SchemaRegistryClient registry) {
        this.type = type;
        this.registry = registry;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (registry == null) {
            registry = SerdeConfig.client(configs);
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException("AvroDeserializer used before configure(): no " + SerdeConfig.SCHEMA_REGISTRY_URL);
        }
        if (data.length < WireFormat.HEADER_LENGTH) {
            throw new SerializationException("record of topic '" + topic + "' is truncated: " + data.length
                    + " byte(s), the Confluent wire-format header alone needs " + WireFormat.HEADER_LENGTH);
        }
        if (data[0] != WireFormat.MAGIC_BYTE) {
            throw new SerializationException(String.format("record of topic '%s' has magic byte 0x%02x, expected 0x00 "
                    + "(not Confluent wire format)", topic, data[0] & 0xff));
        }
        int id = WireFormat.readSchemaId(data);
        Reader<T> reader;
        try {
            reader = readers.computeIfAbsent(id, this::readerFor);
        } catch (SchemaRegistryException e) {
            throw new SerializationException("record of topic '" + topic + "': cannot resolve writer schema id " + id
                    + ": " + e.getMessage(), e);
        }
        int length = data.length - WireFormat.HEADER_LENGTH;
        try {
            // before Avro sees it: Avro allocates whatever length corrupt bytes declare
            AvroBounds.check(reader.writer(), data, WireFormat.HEADER_LENGTH, length);
            return reader.datumReader().read(null, new SlicingDecoder(data, WireFormat.HEADER_LENGTH, length));
        } catch (IOException | RuntimeException e) { // corrupt or unresolvable data surfaces as many kinds
            throw new SerializationException("record of topic '" + topic + "' (" + data.length + " bytes, schema id "
                    + id + ") cannot be decoded: " + e.getMessage(), e);
        }
    }

    private Reader<T> readerFor(int id) {
        Schema writer = registry.schemaById(id);
        Class<?> target = type;
        if (target == null) {
            target = SpecificData.get().getClass(writer);
            if (target == null || !SpecificRecord.class.isAssignableFrom(target)) {
                throw new SerializationException("no generated Avro class for " + writer.getFullName()
                        + " (writer schema id " + id + " at " + registry.baseUrl() + ")");
            }
        }
        SpecificData model = SpecificData.getForClass(target);
        return new Reader<>(writer, new SpecificDatumReader<>(writer, model.getSchema(target), model));
    }
}
