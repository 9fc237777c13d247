package io.linguaflow.training.data;

import io.linguaflow.training.corpus.TrainingCorpus;
import io.linguaflow.training.tokenizer.BpeTokenizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Training text: every epoch, each sentence once on its own and once followed by its translation into another
 * language (drawn at random), each document ending in {@code </s>}; the documents are shuffled and concatenated,
 * and the token stream is cut into rows of {@code seqLen + 1} tokens. The pairs are what lets the languages share
 * representations (a translation is predictable from its source); the monolingual half keeps each language's own
 * statistics. Everything is drawn from one seeded {@link Random}, so a seed fixes the data order.
 */
public final class PackedSequences {

    private final List<String> languages;
    private final List<int[][]> meanings; // meaning → language → token ids
    private final int rowLength;
    private final Random random;
    private int[] stream = new int[0];
    private int position;

    public PackedSequences(TrainingCorpus corpus, BpeTokenizer tokenizer, int seqLen, long seed) {
        if (seqLen < 2) {
            throw new IllegalArgumentException("sequence length must be at least 2, got " + seqLen);
        }
        this.languages = corpus.languages();
        this.meanings = new ArrayList<>();
        for (TrainingCorpus.Meaning m : corpus.meanings()) {
            meanings.add(m.texts().values().stream().map(tokenizer::encode).toArray(int[][]::new));
        }
        this.rowLength = seqLen + 1;
        this.random = new Random(seed);
    }

    /** The next {@code batch} rows, {@code [batch * (seqLen + 1)]} row-major. */
    public long[] next(int batch) {
        long[] out = new long[batch * rowLength];
        for (int i = 0; i < out.length; i++) {
            if (position == stream.length) {
                stream = epoch();
                position = 0;
            }
            out[i] = stream[position++];
        }
        return out;
    }

    private int[] epoch() {
        List<int[]> docs = new ArrayList<>();
        int n = languages.size();
        for (int[][] m : meanings) {
            for (int l = 0; l < n; l++) {
                docs.add(document(m[l]));
                if (n > 1) {
                    int other = (l + 1 + random.nextInt(n - 1)) % n;
                    docs.add(document(m[l], m[other]));
                }
            }
        }
        Collections.shuffle(docs, random);
        int total = docs.stream().mapToInt(d -> d.length).sum();
        int[] s = new int[total];
        int at = 0;
        for (int[] d : docs) {
            System.arraycopy(d, 0, s, at, d.length);
            at += d.length;
        }
        return s;
    }

    /** The sentences one after another, each closed by {@code </s>}. */
    private static int[] document(int[]... sentences) {
        int len = 0;
        for (int[] s : sentences) {
            len += s.length + 1;
        }
        int[] d = new int[len];
        int at = 0;
        for (int[] s : sentences) {
            System.arraycopy(s, 0, d, at, s.length);
            at += s.length;
            d[at++] = BpeTokenizer.EOS;
        }
        return d;
    }
}
