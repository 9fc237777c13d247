package io.linguaflow.streams.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/** Avro records as plain JSON for the REST answers: NaN and infinities become null, timestamps ISO-8601, bytes are left out. */
final class AvroJson {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private AvroJson() {
    }

    static ObjectNode of(GenericRecord record) {
        ObjectNode out = F.objectNode();
        for (Schema.Field field : record.getSchema().getFields()) {
            JsonNode v = value(record.get(field.pos()));
            if (v != null) {
                out.set(field.name(), v);
            }
        }
        return out;
    }

    private static JsonNode value(Object v) {
        if (v == null) {
            return F.nullNode();
        }
        if (v instanceof GenericRecord r) {
            return of(r);
        }
        if (v instanceof Double d) {
            return Double.isFinite(d) ? F.numberNode(d) : F.nullNode();
        }
        if (v instanceof Float f) {
            return Float.isFinite(f) ? F.numberNode(f) : F.nullNode();
        }
        if (v instanceof Integer i) {
            return F.numberNode(i);
        }
        if (v instanceof Long l) {
            return F.numberNode(l);
        }
        if (v instanceof Boolean b) {
            return F.booleanNode(b);
        }
        if (v instanceof Instant t) {
            return F.textNode(t.toString());
        }
        if (v instanceof ByteBuffer) {
            return null;
        }
        if (v instanceof Collection<?> c) {
            ArrayNode a = F.arrayNode();
            c.forEach(x -> a.add(value(x)));
            return a;
        }
        if (v instanceof Map<?, ?> m) {
            ObjectNode o = F.objectNode();
            m.forEach((k, x) -> o.set(k.toString(), value(x)));
            return o;
        }
        return F.textNode(v.toString()); // strings, enums
    }
}
