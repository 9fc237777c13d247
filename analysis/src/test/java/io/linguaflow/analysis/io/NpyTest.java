package io.linguaflow.analysis.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.linguaflow.analysis.testkit.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {

    @TempDir
    Path tmp;

    @Test
    void float32RoundTrip() throws IOException {
        Path p = tmp.resolve("a.npy");
        float[] data = {1f, -2.5f, 3.25f, 0f, Float.MIN_VALUE, 7f};
        Npy.writeFloat32(p, new long[] {2, 3}, data);
        assertEquals(0, (Files.size(p) - 6 * 4) % 64, "data starts at a multiple of 64 bytes");
        try (Npy a = Npy.open(p)) {
            assertEquals("<f4", a.dtype());
            assertArrayEquals(new long[] {2, 3}, a.shape());
            assertArrayEquals(new float[] {0f, Float.MIN_VALUE, 7f}, a.readFloats(3, 3));
            assertArrayEquals(new double[] {1, -2.5, 3.25}, a.row(0));
        }
    }

    @Test
    void float64RoundTripAndOneDimensional() throws IOException {
        Path p = tmp.resolve("b.npy");
        Npy.writeFloat64(p, new long[] {4}, new double[] {Math.PI, -0.0, 1e300, 4});
        try (Npy a = Npy.open(p)) {
            assertArrayEquals(new long[] {4}, a.shape());
            assertArrayEquals(new double[] {Math.PI, -0.0, 1e300, 4}, a.readDoubles(0, 4));
        }
    }

    @Test
    void truncatedFileIsAnErrorNamingTheFile() throws IOException {
        Path p = tmp.resolve("c.npy");
        Npy.writeFloat64(p, new long[] {10, 10}, new double[100]);
        byte[] all = Files.readAllBytes(p);
        Files.write(p, java.util.Arrays.copyOf(all, all.length - 8));
        IOException e = assertThrows(IOException.class, () -> Npy.open(p));
        assertEquals(true, e.getMessage().contains("c.npy") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void parsesInMemoryInt64ImagesOfTheNjunlpCounts() throws IOException {
        Path npz = SharedData.fixtures().resolve("njunlp/counts/en.npz");
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(npz.toFile())) {
            byte[] img = z.getInputStream(z.getEntry("over_zero_full.npy")).readAllBytes();
            long[] v = Npy.parseLongs(img, npz + "!over_zero_full.npy", new long[] {32, 14336});
            assertEquals(32 * 14336, v.length);
            assertEquals(true, java.util.Arrays.stream(v).allMatch(x -> x >= 0), "counts are non-negative");
            IOException e = assertThrows(IOException.class,
                    () -> Npy.parseLongs(java.util.Arrays.copyOf(img, img.length - 8), "en.npz!x", null));
            assertEquals(true, e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void readsTheReferenceKitVectors() throws IOException {
        Path v = SharedData.fixtures().resolve("reference/bloom-tiny/vectors.npy");
        try (Npy a = Npy.open(v)) {
            assertEquals("<f8", a.dtype());
            assertArrayEquals(new long[] {450, 1024}, a.shape());
            double[] r = a.row(0);
            double norm = 0;
            for (double x : r) {
                norm += x * x;
            }
            assertEquals(1.0, norm, 1e-12, "reference vectors are L2-normalised");
        }
    }
}
