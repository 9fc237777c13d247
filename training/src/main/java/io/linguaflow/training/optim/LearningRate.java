package io.linguaflow.training.optim;

/**
 * Linear warm-up to {@code peak} over {@code warmup} steps, then cosine decay to {@code peak * floor} at
 * {@code total} (GPT-3 and BLOOM decay to 10 %).
 */
public record LearningRate(double peak, int warmup, int total, double floor) {

    public LearningRate {
        if (!(peak > 0) || warmup < 0 || total < 1 || floor < 0 || floor > 1) {
            throw new IllegalArgumentException("invalid learning-rate schedule: peak " + peak + ", warm-up " + warmup
                    + ", total " + total + ", floor " + floor);
        }
    }

    /** The rate of update number {@code step} (1-based). */
    public double at(int step) {
        if (step <= warmup) {
            return peak * step / warmup;
        }
        double progress = Math.min(1.0, (double) (step - warmup) / Math.max(1, total - warmup));
        return peak * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
