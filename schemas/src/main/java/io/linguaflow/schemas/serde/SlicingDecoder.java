package io.linguaflow.schemas.serde;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

/**
 * Avro binary data in a byte array, decoded as Avro's own {@link DecoderFactory#directBinaryDecoder} does, except that a
 * {@code bytes} value is a view of the array rather than a copy. An activation record is almost all {@code bytes}
 * (8·D of its 8·D + ~100 bytes): copying them was a second 130 KB allocation per record at BLOOM-7b1 shape, after the
 * one Kafka's consumer makes for the record itself (ops/bench/README.md). The array must therefore not change while a
 * record decoded from it is in use, which holds for the arrays a Kafka consumer hands its deserializers.
 */
final class SlicingDecoder extends Decoder {

    private final byte[] data;
    private final Source source;
    private final BinaryDecoder avro;

    /** The Avro value in {@code data[offset, offset + length)}. */
    SlicingDecoder(byte[] data, int offset, int length) {
        this.data = data;
        this.source = new Source(data, offset, offset + length);
        this.avro = DecoderFactory.get().directBinaryDecoder(source, null);
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        long length = avro.readLong();
        if (length < 0 || length > source.end - source.pos) {
            throw new EOFException("bytes value of " + length + " byte(s) at position " + source.pos + ", "
                    + (source.end - source.pos) + " left");
        }
        ByteBuffer view = ByteBuffer.wrap(data, source.pos, (int) length).slice();
        source.pos += (int) length;
        return view;
    }

    @Override
    public void readNull() throws IOException {
        avro.readNull();
    }

    @Override
    public boolean readBoolean() throws IOException {
        return avro.readBoolean();
    }

    @Override
    public int readInt() throws IOException {
        return avro.readInt();
    }

    @Override
    public long readLong() throws IOException {
        return avro.readLong();
    }

    @Override
    public float readFloat() throws IOException {
        return avro.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return avro.readDouble();
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        return avro.readString(old);
    }

    @Override
    public String readString() throws IOException {
        return avro.readString();
    }

    @Override
    public void skipString() throws IOException {
        avro.skipString();
    }

    @Override
    public void skipBytes() throws IOException {
        avro.skipBytes();
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        avro.readFixed(bytes, start, length);
    }

    @Override
    public void skipFixed(int length) throws IOException {
        avro.skipFixed(length);
    }

    @Override
    public int readEnum() throws IOException {
        return avro.readEnum();
    }

    @Override
    public long readArrayStart() throws IOException {
        return avro.readArrayStart();
    }

    @Override
    public long arrayNext() throws IOException {
        return avro.arrayNext();
    }

    @Override
    public long skipArray() throws IOException {
        return avro.skipArray();
    }

    @Override
    public long readMapStart() throws IOException {
        return avro.readMapStart();
    }

    @Override
    public long mapNext() throws IOException {
        return avro.mapNext();
    }

    @Override
    public long skipMap() throws IOException {
        return avro.skipMap();
    }

    @Override
    public int readIndex() throws IOException {
        return avro.readIndex();
    }

    /** The array as the stream the direct decoder reads, its position shared with {@link #readBytes}. */
    private static final class Source extends InputStream {

        private final byte[] data;
        private final int end;
        private int pos;

        Source(byte[] data, int pos, int end) {
            this.data = data;
            this.pos = pos;
            this.end = end;
        }

        @Override
        public int read() {
            return pos < end ? data[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (pos >= end) {
                return -1;
            }
            int n = Math.min(len, end - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public long skip(long n) {
            long skipped = Math.max(0, Math.min(n, end - pos));
            pos += (int) skipped;
            return skipped;
        }

        @Override
        public int available() {
            return end - pos;
        }
    }
}
