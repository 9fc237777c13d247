package io.linguaflow.streams.aggregator;

import io.linguaflow.analysis.stats.GroupScalars;
import io.linguaflow.analysis.stats.GroupSums;
import io.linguaflow.analysis.stats.Normalisation;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The {@link GroupScalars} of a group in both normalisations, stored beside its {@link GroupSums} (40 bytes instead of
 * 2-3 vectors of D doubles), so a partial result reads every meaning group's scalars, never its vectors.
 */
record Scalars(GroupScalars model, GroupScalars layer) {

    static Scalars of(GroupSums g) {
        return new Scalars(g.scalars(Normalisation.MODEL), g.scalars(Normalisation.LAYER));
    }

    GroupScalars get(Normalisation n) {
        return n == Normalisation.MODEL ? model : layer;
    }

    byte[] encode() {
        return ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN).putLong(model.count())
                .putDouble(model.sumNormSquared()).putDouble(model.normSquaredSum())
                .putDouble(layer.sumNormSquared()).putDouble(layer.normSquaredSum()).array();
    }

    static Scalars decode(byte[] bytes) {
        if (bytes.length != 40) {
            throw new IllegalArgumentException("group scalars value has " + bytes.length + " bytes, expected 40");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long count = b.getLong();
        return new Scalars(new GroupScalars(count, b.getDouble(), b.getDouble()), new GroupScalars(count, b.getDouble(), b.getDouble()));
    }
}
