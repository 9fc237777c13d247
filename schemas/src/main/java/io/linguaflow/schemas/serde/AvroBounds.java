package io.linguaflow.schemas.serde;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Walks Avro binary data against its writer schema without building anything, and rejects it when a length, count or
 * index cannot be right: a string, bytes or collection larger than the bytes left, a union branch that does not
 * exist, a varint longer than 10 bytes, bytes left over at the end. Avro itself allocates a declared length before
 * it notices the data is shorter, so one corrupt record could otherwise exhaust the heap of a consumer.
 */
final class AvroBounds {

    /** Elements that take no bytes (nulls) are capped, since the data cannot bound their count. */
    static final long MAX_EMPTY_ITEMS = 1 << 20;

    private static final Schema MAP_KEY = Schema.create(Schema.Type.STRING);

    private final byte[] data;
    private final int end;
    private int pos;
    private final Map<Schema, Integer> minSizes = new HashMap<>();

    private AvroBounds(byte[] data, int offset, int length) {
        this.data = data;
        this.pos = offset;
        this.end = offset + length;
    }

    /** @throws IllegalArgumentException naming the problem and its byte position in {@code data} */
    static void check(Schema writer, byte[] data, int offset, int length) {
        AvroBounds walk = new AvroBounds(data, offset, length);
        walk.value(writer);
        if (walk.pos != walk.end) {
            throw new IllegalArgumentException((walk.end - walk.pos) + " trailing byte(s) after the Avro value");
        }
    }

    private void value(Schema schema) {
        switch (schema.getType()) {
            case NULL:
                return;
            case BOOLEAN:
                skip(1, "boolean");
                return;
            case INT:
            case LONG:
            case ENUM:
                varint();
                return;
            case FLOAT:
                skip(4, "float");
                return;
            case DOUBLE:
                skip(8, "double");
                return;
            case FIXED:
                skip(schema.getFixedSize(), "fixed " + schema.getFullName());
                return;
            case STRING:
            case BYTES: {
                int at = pos;
                long n = varint();
                if (n < 0 || n > end - pos) {
                    throw fail(at, schema.getType().getName() + " of length " + n + " but " + (end - pos) + " byte(s) left");
                }
                pos += (int) n;
                return;
            }
            case RECORD:
                for (Schema.Field field : schema.getFields()) {
                    value(field.schema());
                }
                return;
            case UNION: {
                int at = pos;
                long branch = varint();
                List<Schema> types = schema.getTypes();
                if (branch < 0 || branch >= types.size()) {
                    throw fail(at, "union branch " + branch + " of " + types.size());
                }
                value(types.get((int) branch));
                return;
            }
            case ARRAY:
                blocks(schema.getElementType(), false);
                return;
            case MAP:
                blocks(schema.getValueType(), true);
                return;
            default:
                throw new IllegalStateException("unknown Avro type " + schema.getType());
        }
    }

    /** Arrays and maps: blocks of (count, [byte size if count < 0], items), ended by count 0. */
    private void blocks(Schema item, boolean map) {
        int minItem = (map ? 1 : 0) + minSize(item);
        while (true) {
            int at = pos;
            long count = varint();
            if (count == 0) {
                return;
            }
            if (count < 0) {
                count = -count;
                long bytes = varint();
                if (bytes < 0 || bytes > end - pos) {
                    throw fail(at, "block of " + bytes + " bytes but " + (end - pos) + " byte(s) left");
                }
            }
            if (minItem > 0 ? count > (end - pos) / minItem : count > MAX_EMPTY_ITEMS) {
                throw fail(at, (map ? "map" : "array") + " block of " + count + " items but " + (end - pos) + " byte(s) left");
            }
            for (long i = 0; i < count; i++) {
                if (map) {
                    value(MAP_KEY);
                }
                value(item);
            }
        }
    }

    /** Fewest bytes a value of this schema takes (recursive references count 0). */
    private int minSize(Schema schema) {
        Integer known = minSizes.get(schema);
        if (known != null) {
            return known;
        }
        minSizes.put(schema, 0); // in progress: a recursive reference adds nothing
        int size;
        switch (schema.getType()) {
            case NULL:
                size = 0;
                break;
            case FLOAT:
                size = 4;
                break;
            case DOUBLE:
                size = 8;
                break;
            case FIXED:
                size = schema.getFixedSize();
                break;
            case RECORD:
                size = 0;
                for (Schema.Field field : schema.getFields()) {
                    size += minSize(field.schema());
                }
                break;
            case UNION:
                size = Integer.MAX_VALUE;
                for (Schema branch : schema.getTypes()) {
                    size = Math.min(size, minSize(branch));
                }
                size += 1;
                break;
            default: // boolean, int, long, enum, string, bytes, array, map: at least one byte
                size = 1;
        }
        minSizes.put(schema, size);
        return size;
    }

    private void skip(int n, String what) {
        if (n > end - pos) {
            throw fail(pos, what + " needs " + n + " byte(s) but " + (end - pos) + " left");
        }
        pos += n;
    }

    /** Zig-zag varint, as Avro writes int and long. */
    private long varint() {
        int at = pos;
        long raw = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (pos >= end) {
                throw fail(at, "varint runs past the end");
            }
            int b = data[pos++] & 0xff;
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw fail(at, "varint longer than 10 bytes");
    }

    private static IllegalArgumentException fail(int at, String problem) {
        return new IllegalArgumentException(problem + " at byte " + at);
    }
}
