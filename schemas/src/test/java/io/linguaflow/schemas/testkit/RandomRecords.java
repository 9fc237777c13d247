package io.linguaflow.schemas.testkit;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Random instances of generated Avro classes: every field filled from its schema (nested records, arrays, maps,
 * enums, bytes, unions with both branches, timestamp-millis), deterministic per seed. For round-trip tests over
 * every record type.
 */
public final class RandomRecords {

    private final Random random;

    public RandomRecords(long seed) {
        this.random = new Random(seed);
    }

    public <T extends SpecificRecord> T next(Class<T> type) {
        SpecificData model = SpecificData.getForClass(type);
        return type.cast(record(model, model.getSchema(type)));
    }

    private Object record(SpecificData model, Schema schema) {
        SpecificRecord record = (SpecificRecord) model.newRecord(null, schema);
        for (Schema.Field field : schema.getFields()) {
            record.put(field.pos(), value(model, field.schema()));
        }
        return record;
    }

    private Object value(SpecificData model, Schema schema) {
        LogicalType logical = schema.getLogicalType();
        if (logical instanceof LogicalTypes.TimestampMillis) {
            return Instant.ofEpochMilli(1_700_000_000_000L + random.nextInt(1_000_000_000));
        }
        switch (schema.getType()) {
            case RECORD:
                return record(model, schema);
            case UNION: {
                List<Schema> branches = schema.getTypes();
                return value(model, branches.get(random.nextInt(branches.size())));
            }
            case ARRAY: {
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    list.add(value(model, schema.getElementType()));
                }
                return list;
            }
            case MAP: {
                Map<String, Object> map = new HashMap<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    map.put(string(), value(model, schema.getValueType()));
                }
                return map;
            }
            case ENUM:
                return model.createEnum(schema.getEnumSymbols().get(random.nextInt(schema.getEnumSymbols().size())), schema);
            case STRING:
                return string();
            case BYTES: {
                byte[] bytes = new byte[random.nextInt(64)];
                random.nextBytes(bytes);
                return ByteBuffer.wrap(bytes);
            }
            case INT:
                return random.nextInt();
            case LONG:
                return random.nextLong();
            case FLOAT:
                return random.nextFloat();
            case DOUBLE:
                return random.nextGaussian();
            case BOOLEAN:
                return random.nextBoolean();
            case NULL:
                return null;
            default:
                throw new IllegalArgumentException("no random value for schema type " + schema.getType() + " (" + schema + ")");
        }
    }

    private String string() {
        // include non-ASCII to exercise UTF-8
        String[] words = {"en", "zh", "fr", "bloom-560m@1000", "Ünïcødé", "語言", "a|b", ""};
        return words[random.nextInt(words.length)] + random.nextInt(1000);
    }
}
