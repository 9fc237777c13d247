package io.linguaflow.analysis.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} format v1/v2/v3 (little-endian, C order): header parsing, row-wise reads of
 * arbitrarily large files through a {@link FileChannel} (no 2 GiB limit), and writers for float32/float64.
 * Supported dtypes: {@code <f4}, {@code <f8}, {@code <i8}, {@code <i4}.
 */
public final class Npy implements AutoCloseable {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private final Path path;
    private final FileChannel channel;
    private final String descr;
    private final long[] shape;
    private final long dataOffset;
    private final int itemSize;

    private Npy(Path path, FileChannel channel, String descr, long[] shape, long dataOffset) {
        this.path = path;
        this.channel = channel;
        this.descr = descr;
        this.shape = shape;
        this.dataOffset = dataOffset;
        this.itemSize = switch (descr) {
            case "<f4", "<i4" -> 4;
            case "<f8", "<i8" -> 8;
            default -> throw new IllegalArgumentException(path + ": unsupported dtype '" + descr
                    + "' (supported: <f4, <f8, <i4, <i8)");
        };
    }

    /** Opens a .npy file and validates its header; the data is read lazily. */
    public static Npy open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, pre, 0, path);
            byte[] magic = new byte[6];
            pre.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException(path + ": not a .npy file (bad magic)");
            }
            int major = pre.get() & 0xff;
            pre.get();
            long headerLen;
            long headerStart;
            if (major == 1) {
                headerLen = pre.getShort() & 0xffff;
                headerStart = 10;
            } else if (major == 2 || major == 3) {
                headerLen = pre.getInt() & 0xffffffffL;
                headerStart = 12;
            } else {
                throw new IOException(path + ": unsupported .npy version " + major);
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, headerStart, path);
            String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            String descr = group(DESCR, header, path, "descr");
            if (group(FORTRAN, header, path, "fortran_order").equals("True")) {
                throw new IOException(path + ": Fortran-order arrays are not supported");
            }
            String shapeText = group(SHAPE, header, path, "shape").trim();
            long[] shape = shapeText.isEmpty() ? new long[0]
                    : Arrays.stream(shapeText.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                            .mapToLong(Long::parseLong).toArray();
            Npy npy = new Npy(path, ch, descr, shape, headerStart + headerLen);
            long expected = npy.dataOffset + npy.size() * npy.itemSize;
            if (ch.size() < expected) {
                throw new IOException(path + ": truncated: " + ch.size() + " bytes, header says " + expected);
            }
            return npy;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static String group(Pattern p, String header, Path path, String what) throws IOException {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IOException(path + ": .npy header has no '" + what + "': " + header.trim());
        }
        return m.group(1);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos, Path path) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException(path + ": unexpected end of file at byte " + pos);
            }
            pos += n;
        }
        buf.flip();
    }

    public Path path() {
        return path;
    }

    public String dtype() {
        return descr;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** Total number of elements. */
    public long size() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Number of rows (first dimension); 1 for a scalar. */
    public long rows() {
        return shape.length == 0 ? 1 : shape[0];
    }

    /** Elements per row (product of all but the first dimension). */
    public long rowLength() {
        return shape.length == 0 ? 1 : size() / shape[0];
    }

    /** Reads {@code count} consecutive elements starting at flat element index {@code start}, widened to double. */
    public double[] readDoubles(long start, int count) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(Math.multiplyExact(count, itemSize)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, buf, dataOffset + start * itemSize, path);
        double[] out = new double[count];
        switch (descr) {
            case "<f4" -> { for (int i = 0; i < count; i++) out[i] = buf.getFloat(); }
            case "<f8" -> buf.asDoubleBuffer().get(out);
            case "<i4" -> { for (int i = 0; i < count; i++) out[i] = buf.getInt(); }
            default -> { for (int i = 0; i < count; i++) out[i] = buf.getLong(); }
        }
        return out;
    }

    /** Reads {@code count} consecutive float32 elements exactly (dtype must be {@code <f4}). */
    public float[] readFloats(long start, int count) throws IOException {
        requireDtype("<f4");
        ByteBuffer buf = ByteBuffer.allocate(Math.multiplyExact(count, 4)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, buf, dataOffset + start * 4, path);
        float[] out = new float[count];
        buf.asFloatBuffer().get(out);
        return out;
    }

    /** Reads {@code count} consecutive int64 elements exactly (dtype must be {@code <i8}). */
    public long[] readLongs(long start, int count) throws IOException {
        requireDtype("<i8");
        ByteBuffer buf = ByteBuffer.allocate(Math.multiplyExact(count, 8)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, buf, dataOffset + start * 8, path);
        long[] out = new long[count];
        buf.asLongBuffer().get(out);
        return out;
    }

    /** Row {@code i} (all elements of the first-axis slice), widened to double. */
    public double[] row(long i) throws IOException {
        if (i < 0 || i >= rows()) {
            throw new IndexOutOfBoundsException(path + ": row " + i + " of " + rows());
        }
        return readDoubles(i * rowLength(), Math.toIntExact(rowLength()));
    }

    private void requireDtype(String want) {
        if (!descr.equals(want)) {
            throw new IllegalStateException(path + ": dtype is " + descr + ", expected " + want);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    // ---------------------------------------------------------------- in-memory parsing (e.g. .npz entries)

    /** Parses a whole int64 .npy image held in memory (such as an entry of a .npz archive). */
    public static long[] parseLongs(byte[] npy, String name, long[] expectShape) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(npy).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[6];
        b.get(magic);
        if (!Arrays.equals(magic, MAGIC) || b.get() != 1) {
            throw new IOException(name + ": not a version-1 .npy image");
        }
        b.get();
        int headerLen = b.getShort() & 0xffff;
        String header = new String(npy, 10, headerLen, StandardCharsets.ISO_8859_1);
        Path where = Path.of(name);
        String descr = group(DESCR, header, where, "descr");
        long[] shape = Arrays.stream(group(SHAPE, header, where, "shape").split(",")).map(String::trim)
                .filter(t -> !t.isEmpty()).mapToLong(Long::parseLong).toArray();
        if (!descr.equals("<i8") || group(FORTRAN, header, where, "fortran_order").equals("True")) {
            throw new IOException(name + ": expected a C-order <i8 array, header: " + header.trim());
        }
        if (expectShape != null && !Arrays.equals(shape, expectShape)) {
            throw new IOException(name + ": shape " + Arrays.toString(shape) + ", expected " + Arrays.toString(expectShape));
        }
        long n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        if (npy.length - 10 - headerLen < n * 8) {
            throw new IOException(name + ": truncated: " + (npy.length - 10 - headerLen) + " data bytes for " + n + " int64 values");
        }
        long[] out = new long[Math.toIntExact(n)];
        b.position(10 + headerLen);
        b.asLongBuffer().get(out);
        return out;
    }

    // ---------------------------------------------------------------- writing

    /** Writes a float32 array of the given shape (C order). */
    public static void writeFloat32(Path path, long[] shape, float[] data) throws IOException {
        try (OutputStream out = Files.newOutputStream(path)) {
            writeHeader(out, "<f4", shape);
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : data) {
                if (!buf.hasRemaining()) {
                    out.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                buf.putFloat(v);
            }
            out.write(buf.array(), 0, buf.position());
        }
    }

    /** Writes a float64 array of the given shape (C order). */
    public static void writeFloat64(Path path, long[] shape, double[] data) throws IOException {
        try (OutputStream out = Files.newOutputStream(path)) {
            writeHeader(out, "<f8", shape);
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (double v : data) {
                if (!buf.hasRemaining()) {
                    out.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                buf.putDouble(v);
            }
            out.write(buf.array(), 0, buf.position());
        }
    }

    /**
     * Writes a v1.0 header; the caller then streams {@code product(shape)} little-endian elements.
     * Useful for writing row by row without holding the whole array.
     */
    public static void writeHeader(OutputStream out, String descr, long[] shape) throws IOException {
        StringBuilder s = new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': (");
        for (long d : shape) {
            s.append(d).append(", ");
        }
        if (shape.length > 1) {
            s.setLength(s.length() - 1);
        }
        s.append("), }");
        int total = 10 + s.length() + 1;
        int pad = (64 - total % 64) % 64;
        s.append(" ".repeat(pad)).append('\n');
        byte[] h = s.toString().getBytes(StandardCharsets.ISO_8859_1);
        out.write(MAGIC);
        out.write(new byte[] {1, 0, (byte) (h.length & 0xff), (byte) (h.length >>> 8)});
        out.write(h);
    }
}
