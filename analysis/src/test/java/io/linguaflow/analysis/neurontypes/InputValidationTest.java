package io.linguaflow.analysis.neurontypes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Building probabilities from counts, and every bad input: a clear message that names the input. */
class InputValidationTest {

    static final List<String> AB = List.of("a", "b");

    @TempDir
    Path tmp;

    static void fails(Class<? extends Throwable> type, Executable e, String... parts) {
        Throwable t = assertThrows(type, e);
        for (String part : parts) {
            assertTrue(t.getMessage().contains(part), "'" + part + "' not in: " + t.getMessage());
        }
    }

    @Test
    void countsBecomeFloat32QuotientsLikeTheReference() {
        // 16777217 and 33554435 are not float32-representable: the reference converts both to float32 first
        long[][] counts = {{16777217, 0, 3}, {1, 2, 7}};
        long[] tokens = {33554435, 7};
        ActivationProbabilities p = ActivationProbabilities.fromCounts("c", AB, 1, 3, counts, tokens);
        assertEquals(16777216f / 33554436f, p.get(0, 0));
        assertEquals((float) 3 / (float) 33554435, p.get(2, 0));
        assertEquals(2f / 7f, p.get(1, 1));
        assertEquals(1f, p.get(2, 1));
        ActivationProbabilities b = ActivationProbabilities.builder("c", AB, 1, 3)
                .putLayer(0, 1, counts[1], 7).putLayer(0, 0, counts[0], tokens[0]).build();
        assertArrayEquals(p.toArray(), b.toArray());
    }

    @Test
    void responseOnlyCountsClampAndMayExceedOne() {
        long[][] full = {{10, 5, 7}, {4, 0, 9}};
        long[][] prefix = {{2, 9, 0}, {1, 0, 0}};
        ActivationProbabilities p = ActivationProbabilities.fromResponseCounts("r", AB, 1, 3, full, prefix,
                new long[] {20, 5}, new long[] {14, 5});
        assertEquals(8f / 6f, p.get(0, 0), "p > 1 is kept");
        assertEquals(0f, p.get(1, 0), "full - prefix < 0 clamps to 0");
        assertEquals(7f / 6f, p.get(2, 0));
        assertEquals(3f, p.get(0, 1), "token difference 0 becomes 1");
        fails(IllegalArgumentException.class, () -> ActivationProbabilities.fromResponseCounts("r", AB, 1, 3,
                full, new long[][] {{0, 0, 0}, {0, -1, 0}}, new long[] {1, 1}, new long[] {0, 0}),
                "r: negative count", "language b", "neuron 1");
    }

    @Test
    void badProbabilityValuesNameTheirPosition() {
        float[] v = new float[2 * 2 * 2];
        v[(1 * 2 + 1) * 2] = -0.5f;
        fails(IllegalArgumentException.class, () -> ActivationProbabilities.of("x.npy", AB, 2, 2, v.clone()),
                "x.npy", "-0.5 at layer 1, neuron 1, language a");
        v[(1 * 2 + 1) * 2] = Float.POSITIVE_INFINITY;
        fails(IllegalArgumentException.class, () -> ActivationProbabilities.of("x.npy", AB, 2, 2, v.clone()),
                "Infinity at layer 1, neuron 1");
        fails(IllegalArgumentException.class, () -> ActivationProbabilities.of("x.npy", AB, 2, 2, new float[7]),
                "x.npy: 7 probabilities, expected L*D*K = 2*2*2 = 8");
        fails(IllegalArgumentException.class, () -> ActivationProbabilities.of("x.npy", List.of("a"), 2, 2, new float[4]),
                "at least 2 languages");
        fails(IllegalArgumentException.class, () -> ActivationProbabilities.of("x.npy", List.of("a", ""), 1, 1, new float[2]),
                "distinct and non-empty");
        fails(IllegalArgumentException.class, () -> ActivationProbabilities.of("x.npy", AB, 0, 2, new float[0]),
                "unsupported shape L=0");
        float[] negZero = {-0f, 1f};
        ActivationProbabilities.of("z", AB, 1, 1, negZero);
        assertEquals(0, Float.floatToRawIntBits(negZero[0]), "-0.0 is stored as +0.0");
    }

    @Test
    void badCountsNameLanguageLayerAndNeuron() {
        fails(IllegalArgumentException.class, () -> ActivationProbabilities.fromCounts("agg", AB, 1, 2,
                new long[][] {{1, 2}, {3, 9}}, new long[] {5, 5}), "agg: positive count 9", "language b", "layer 0, neuron 1",
                "[0, 5 tokens]");
        fails(IllegalArgumentException.class, () -> ActivationProbabilities.fromCounts("agg", AB, 1, 2,
                new long[][] {{1, 2}, {3, 4}}, new long[] {5, 0}), "token count 0 for language b");
        fails(IllegalArgumentException.class, () -> ActivationProbabilities.fromCounts("agg", AB, 1, 2,
                new long[][] {{1, 2}}, new long[] {5}), "1 count arrays and 1 token counts for 2 languages");
        fails(IllegalArgumentException.class, () -> ActivationProbabilities.fromCounts("agg", AB, 1, 2,
                new long[][] {{1, 2}, {3}}, new long[] {5, 5}), "1 counts for b");
        ActivationProbabilities.Builder b = ActivationProbabilities.builder("ckpt-7", AB, 2, 2);
        b.putLayer(0, 0, new long[] {1, 1}, 2);
        fails(IllegalStateException.class, () -> b.putLayer(0, 0, new long[] {1, 1}, 2), "layer 0 of language a given twice");
        fails(IllegalArgumentException.class, () -> b.putLayer(1, 0, new long[] {1}, 2), "1 counts for layer 1");
        fails(IndexOutOfBoundsException.class, () -> b.putLayer(2, 0, new long[] {1, 1}, 2), "layer 2");
        fails(IllegalStateException.class, b::build, "ckpt-7: no counts for layer 0 of language b");
    }

    @Test
    void badOptionsAreRejected() {
        ActivationProbabilities p = ActivationProbabilities.of("o", AB, 1, 10, new float[20]);
        fails(IllegalArgumentException.class, () -> ZhangClassifier.prepare(p, 0, 0.95), "top rate 0.0 outside (0, 1]");
        fails(IllegalArgumentException.class, () -> ZhangClassifier.prepare(p, 1.5, 0.95), "top rate 1.5");
        fails(IllegalArgumentException.class, () -> ZhangClassifier.prepare(p, 0.04, 0.95), "selects round(10*0.04) = 0");
        fails(IllegalArgumentException.class, () -> ZhangClassifier.prepare(p, 0.5, Double.NaN), "activation bar ratio NaN");
        fails(IllegalArgumentException.class, () -> ZhangClassifier.prepare(p, 0.5, 0.01), "tau rank round(20*0.01) = 0");
        fails(IllegalArgumentException.class, () -> ZhangClassifier.prepare(p, 0.5, 0.95).classify(Double.NaN),
                "lambda NaN is not finite");
        fails(IllegalArgumentException.class, () -> new LambdaSweep.Settings(0.3, 0.2, 1e-3, 64), "[0.3, 0.2]");
        fails(IllegalArgumentException.class, () -> new LambdaSweep.Settings(0, 0.2, 0, 64), "eps > 0");
        fails(IllegalArgumentException.class, () -> Lape.classify(p, 2, 0.95), "top rate 2.0");
    }

    // ------------------------------------------------------------------ files

    private static byte[] int64Npy(long[] shape, long[] data) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        io.linguaflow.analysis.io.Npy.writeHeader(out, "<i8", shape);
        ByteBuffer b = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : data) {
            b.putLong(v);
        }
        out.write(b.array());
        return out.toByteArray();
    }

    private void npz(String lang, long[] shape, String... entries) throws IOException {
        try (OutputStream f = Files.newOutputStream(tmp.resolve(lang + ".npz")); ZipOutputStream z = new ZipOutputStream(f)) {
            long[] data = new long[(int) (shape[0] * shape[1])];
            java.util.Arrays.fill(data, 3);
            for (String e : entries) {
                z.putNextEntry(new ZipEntry(e));
                z.write(int64Npy(shape, data));
                z.closeEntry();
            }
        }
    }

    private void tokens(String json) throws IOException {
        Files.writeString(tmp.resolve("tokens.json"), json);
    }

    static final String TOKENS = "{\"languages\": [\"a\", \"b\"], \"layers\": 1, \"neurons_per_layer\": 2,"
            + " \"total_tokens\": {\"a\": {\"full\": 9, \"prefix\": 3}, \"b\": {\"full\": 5, \"prefix\": 1}}}";

    @Test
    void njunlpCountsFolderIsReadAndItsErrorsNameTheFile() throws IOException {
        tokens(TOKENS);
        npz("a", new long[] {1, 2}, ProbabilityFiles.FULL, ProbabilityFiles.PREFIX);
        fails(IOException.class, () -> ProbabilityFiles.readNjunlpCounts(tmp, null), "b.npz: not found");
        npz("b", new long[] {1, 2}, ProbabilityFiles.FULL);
        fails(IOException.class, () -> ProbabilityFiles.readNjunlpCounts(tmp, null), "b.npz: no entry over_zero_prefix.npy");
        npz("b", new long[] {2, 1}, ProbabilityFiles.FULL, ProbabilityFiles.PREFIX);
        fails(IOException.class, () -> ProbabilityFiles.readNjunlpCounts(tmp, null),
                "b.npz!over_zero_full.npy: shape [2, 1], expected [1, 2]");
        npz("b", new long[] {1, 2}, ProbabilityFiles.FULL, ProbabilityFiles.PREFIX);
        ActivationProbabilities p = ProbabilityFiles.readNjunlpCounts(tmp, null);
        assertEquals(AB, p.languages());
        assertEquals(0f, p.get(1, 1), "full - prefix = 0 counts");
        ActivationProbabilities reordered = ProbabilityFiles.readNjunlpCounts(tmp, List.of("b", "a"));
        assertEquals(List.of("b", "a"), reordered.languages());
        fails(IOException.class, () -> ProbabilityFiles.readNjunlpCounts(tmp, List.of("a", "c")),
                "tokens.json: no integer total_tokens.c.full");
        tokens(TOKENS.replace("\"layers\": 1", "\"layers\": -1"));
        fails(IOException.class, () -> ProbabilityFiles.readNjunlpCounts(tmp, null), "tokens.json", "'layers'");
    }
}
