package io.linguaflow.bench.streams;

import io.linguaflow.analysis.corpus.Corpus;
import io.linguaflow.analysis.io.Npy;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The bench's synthetic activations, written once to a float32 {@code .npy} [N, M, D] that both the streams producer
 * and the batch analysis read, so every run sees the same bytes and the heap holds no copy of the data.
 *
 * <p>Sample (language l, meaning s) = a language direction + a meaning direction + noise, per layer, so LRDS and SADS
 * are clearly positive and a relative comparison of the results means something (pure noise gives values near 0).
 * Samples are in language-major corpus order, as the streams corpus is produced.
 */
record BenchData(Path file, int layers, int neurons, int languages, int meanings) {

    /** Tokens per sample; a neuron's positive count is a function of its value, so it need not be stored. */
    static final int TOKENS = 10;

    int samples() {
        return languages * meanings;
    }

    /** Bytes of float32 activation values per record (one layer of one sample). */
    long recordBytes() {
        return 4L * neurons;
    }

    static String lang(int l) {
        return "l" + l;
    }

    static String meaning(int s) {
        return "s" + s;
    }

    String langOf(int sample) {
        return lang(sample / meanings);
    }

    String meaningOf(int sample) {
        return meaning(sample % meanings);
    }

    Corpus corpus() {
        List<String> ids = new ArrayList<>();
        List<String> langs = new ArrayList<>();
        for (int i = 0; i < samples(); i++) {
            ids.add(meaningOf(i));
            langs.add(langOf(i));
        }
        return Corpus.of(ids, langs);
    }

    /** Tokens of the sample with a positive activation: deterministic in the value, within [0, TOKENS]. */
    static int positiveCount(float value) {
        return value > 0 ? TOKENS - (int) (Math.abs(value) * 3) % 4 : (int) (Math.abs(value) * 3) % 3;
    }

    /** Generates the data into {@code dir/vectors.npy}. */
    static BenchData generate(Path dir, int layers, int neurons, int languages, int meanings, long seed) throws IOException {
        BenchData data = new BenchData(dir.resolve("vectors.npy"), layers, neurons, languages, meanings);
        int width = layers * neurons;
        SplittableRandom random = new SplittableRandom(seed);
        float[][] language = new float[languages][];
        for (int l = 0; l < languages; l++) {
            language[l] = gaussian(random, width, 0.6);
        }
        float[][] meaning = new float[meanings][];
        for (int s = 0; s < meanings; s++) {
            meaning[s] = gaussian(random, width, 0.8);
        }
        ByteBuffer row = ByteBuffer.allocate(4 * width).order(ByteOrder.LITTLE_ENDIAN);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(data.file()), 1 << 20)) {
            Npy.writeHeader(out, "<f4", new long[] {data.samples(), layers, neurons});
            for (int i = 0; i < data.samples(); i++) {
                float[] lv = language[i / meanings];
                float[] mv = meaning[i % meanings];
                row.clear();
                for (int k = 0; k < width; k++) {
                    row.putFloat((float) (lv[k] + mv[k] + random.nextGaussian()));
                }
                out.write(row.array());
            }
        }
        return data;
    }

    private static float[] gaussian(SplittableRandom random, int n, double scale) {
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
            v[k] = (float) (scale * random.nextGaussian());
        }
        return v;
    }
}
