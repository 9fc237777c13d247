package io.linguaflow.schemas.serde;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.SystemLimitException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

/**
 * Avro's binary decoding of one record's bytes, except that a {@code bytes} field is a read-only view of those bytes
 * instead of a copy. An activation record is almost all {@code bytes} (D float32 values and D int32 counts): Avro's
 * {@link BinaryDecoder#readBytes} allocated and copied both for every record, the largest allocation of a streams
 * instance (docs/state-layout.md "Records read in place, meaning groups reused"). The views share the array the
 * consumer handed over, which belongs to that one record.
 */
final class SlicingDecoder extends Decoder {

    private final byte[] data;
    private final int end;
    private final BinaryDecoder in;

    SlicingDecoder(byte[] data, int offset, int length) {
        this.data = data;
        this.end = offset + length;
        this.in = DecoderFactory.get().binaryDecoder(data, offset, length, null);
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        int length = SystemLimitException.checkMaxBytesLength(in.readLong());
        // over an array, the decoder's stream has exactly the bytes not yet decoded
        int at = end - in.inputStream().available();
        if (length > end - at) {
            throw new EOFException("bytes field of " + length + " bytes, " + (end - at) + " left in the record");
        }
        in.skipFixed(length);
        return ByteBuffer.wrap(data, at, length).slice().asReadOnlyBuffer();
    }

    @Override
    public void readNull() throws IOException {
        in.readNull();
    }

    @Override
    public boolean readBoolean() throws IOException {
        return in.readBoolean();
    }

    @Override
    public int readInt() throws IOException {
        return in.readInt();
    }

    @Override
    public long readLong() throws IOException {
        return in.readLong();
    }

    @Override
    public float readFloat() throws IOException {
        return in.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return in.readDouble();
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        return in.readString(old);
    }

    @Override
    public String readString() throws IOException {
        return in.readString();
    }

    @Override
    public void skipString() throws IOException {
        in.skipString();
    }

    @Override
    public void skipBytes() throws IOException {
        in.skipBytes();
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        in.readFixed(bytes, start, length);
    }

    @Override
    public void skipFixed(int length) throws IOException {
        in.skipFixed(length);
    }

    @Override
    public int readEnum() throws IOException {
        return in.readEnum();
    }

    @Override
    public long readArrayStart() throws IOException {
        return in.readArrayStart();
    }

    @Override
    public long arrayNext() throws IOException {
        return in.arrayNext();
    }

    @Override
    public long skipArray() throws IOException {
        return in.skipArray();
    }

    @Override
    public long readMapStart() throws IOException {
        return in.readMapStart();
    }

    @Override
    public long mapNext() throws IOException {
        return in.mapNext();
    }

    @Override
    public long skipMap() throws IOException {
        return in.skipMap();
    }

    @Override
    public int readIndex() throws IOException {
        return in.readIndex();
    }
}
