package io.linguaflow.schemas.serde;

/**
 * Confluent wire format: byte 0 = magic {@value #MAGIC_BYTE}, bytes 1..4 = schema id (big-endian int32),
 * then the Avro binary encoding of the value under that schema.
 */
public final class WireFormat {

    public static final byte MAGIC_BYTE = 0;
    /** Magic byte plus schema id. */
    public static final int HEADER_LENGTH = 5;

    private WireFormat() {
    }

    static void writeHeader(byte[] out, int schemaId) {
        out[0] = MAGIC_BYTE;
        out[1] = (byte) (schemaId >>> 24);
        out[2] = (byte) (schemaId >>> 16);
        out[3] = (byte) (schemaId >>> 8);
        out[4] = (byte) schemaId;
    }

    static int readSchemaId(byte[] in) {
        return ((in[1] & 0xff) << 24) | ((in[2] & 0xff) << 16) | ((in[3] & 0xff) << 8) | (in[4] & 0xff);
    }
}
