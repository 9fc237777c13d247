package io.linguaflow.analysis.compat;

/**
 * The authors' SADS grouping as labels. run.py {@code rearrange_by_meaning} reorders the language-major
 * rows r = 0..R−1 by (r mod stride, r div stride) and {@code similarity_by_block} cuts the result into
 * blocks of b rows, masking the in-block diagonal of every block. The block score is therefore the
 * pair-class score with pseudo-meaning = block index and pseudo-language = position inside the block:
 * diagonal blocks = same pseudo-meaning pairs, off-diagonal blocks = pairs at different blocks and
 * positions. With equal block sizes the mean of block means equals the pooled pair mean, so
 * {@code PairClassSums} over these labels reproduces the released numbers exactly.
 * Stride S gives the intended grouping (block = the b translations of one meaning); the released
 * stride S+1 mixes meanings (IMPLEMENTATION-NOTES §1.5).
 */
public final class BlockLabels {

    private final int[] position;
    private final int blockSize;

    /**
     * @param rows      R, the number of rows (a multiple of blockSize, as run.py asserts)
     * @param stride    the stride of rearrange_by_meaning (S+1 as released)
     * @param blockSize b, the block size (the number of languages)
     */
    public BlockLabels(int rows, int stride, int blockSize) {
        if (rows % blockSize != 0) {
            throw new IllegalArgumentException(rows + " rows do not split into blocks of " + blockSize);
        }
        if (stride <= 0) {
            throw new IllegalArgumentException("stride must be > 0, got " + stride);
        }
        this.blockSize = blockSize;
        this.position = new int[rows];
        int p = 0;
        // run.py: for i in range(stride): for j in range(i, rows, stride): append(row j)
        for (int i = 0; i < stride; i++) {
            for (int j = i; j < rows; j += stride) {
                position[j] = p++;
            }
        }
    }

    /** The block (pseudo-meaning) of language-major row r. */
    public int block(int row) {
        return position[row] / blockSize;
    }

    /** The position inside the block (pseudo-language) of language-major row r. */
    public int inBlock(int row) {
        return position[row] % blockSize;
    }
}
