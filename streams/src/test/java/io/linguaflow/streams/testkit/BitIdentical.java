package io.linguaflow.streams.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * Asserts that two published records are the same bit for bit: every field, recursively through records, arrays, maps
 * and unions, doubles compared by {@link Double#doubleToLongBits}; the named fields (wall-clock stamps such as
 * {@code computedAt}) are left out. The message names the path of the first difference.
 */
public final class BitIdentical {

    private BitIdentical() {
    }

    public static void assertBitIdentical(IndexedRecord expected, IndexedRecord actual, Set<String> ignored) {
        compare(expected, actual, expected.getSchema().getName(), ignored);
    }

    /** The same, for lists of records matched by position. */
    public static void assertBitIdentical(List<? extends IndexedRecord> expected, List<? extends IndexedRecord> actual, Set<String> ignored) {
        assertEquals(expected.size(), actual.size(), "number of records");
        for (int i = 0; i < expected.size(); i++) {
            compare(expected.get(i), actual.get(i), "[" + i + "]", ignored);
        }
    }

    private static void compare(Object e, Object a, String path, Set<String> ignored) {
        if (e == null || a == null) {
            if (e != a) {
                fail(path + ": expected " + e + ", got " + a);
            }
        } else if (e instanceof IndexedRecord er) {
            if (!(a instanceof IndexedRecord ar) || !er.getSchema().equals(ar.getSchema())) {
                fail(path + ": expected a " + er.getSchema().getName() + ", got " + a);
                return;
            }
            for (Schema.Field f : er.getSchema().getFields()) {
                if (!ignored.contains(f.name())) {
                    compare(er.get(f.pos()), ar.get(f.pos()), path + "." + f.name(), ignored);
                }
            }
        } else if (e instanceof Double ed) {
            if (!(a instanceof Double ad) || Double.doubleToLongBits(ed) != Double.doubleToLongBits(ad)) {
                fail(path + ": expected " + e + " (bits " + Long.toHexString(Double.doubleToLongBits(ed)) + "), got " + a
                        + (a instanceof Double ad2 ? " (bits " + Long.toHexString(Double.doubleToLongBits(ad2)) + ")" : ""));
            }
        } else if (e instanceof List<?> el) {
            if (!(a instanceof List<?> al) || el.size() != al.size()) {
                fail(path + ": expected " + e + ", got " + a);
                return;
            }
            for (int i = 0; i < el.size(); i++) {
                compare(el.get(i), al.get(i), path + "[" + i + "]", ignored);
            }
        } else if (e instanceof Map<?, ?> em) {
            if (!(a instanceof Map<?, ?> am)) {
                fail(path + ": expected " + e + ", got " + a);
                return;
            }
            assertEquals(keys(em), keys(am), path + ": keys");
            for (Map.Entry<?, ?> kv : em.entrySet()) {
                Object key = kv.getKey();
                Object other = am.entrySet().stream().filter(x -> x.getKey().toString().equals(key.toString())).findFirst()
                        .map(Map.Entry::getValue).orElse(null);
                compare(kv.getValue(), other, path + "{" + key + "}", ignored);
            }
        } else if (e instanceof java.nio.ByteBuffer eb) {
            if (!eb.equals(a)) { // the remaining bytes
                fail(path + ": bytes differ");
            }
        } else {
            // strings (Utf8 or String), ints, longs, booleans, enums, bytes
            assertEquals(e.toString(), a.toString(), path);
        }
    }

    private static Set<String> keys(Map<?, ?> m) {
        Set<String> out = new TreeSet<>();
        m.keySet().forEach(k -> out.add(k.toString()));
        return out;
    }
}
