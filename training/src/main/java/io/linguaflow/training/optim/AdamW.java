package io.linguaflow.training.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov &amp; Hutter 2019; PyTorch's {@code AdamW}), with global gradient-norm
 * clipping. Biases and LayerNorm parameters are not decayed (as HF's Trainer). Updates run with autograd off and
 * change the parameters in place.
 */
public final class AdamW implements AutoCloseable {

    /** The hyper-parameters; {@code maxGradNorm} bounds the L2 norm of all gradients together. */
    public record Settings(double beta1, double beta2, double eps, double weightDecay, double maxGradNorm) {
        /** BLOOM's pre-training values (β₂ 0.95, weight decay 0.1), clipping at 1. */
        public static final Settings BLOOM = new Settings(0.9, 0.95, 1e-8, 0.1, 1.0);
    }

    private record State(NDArray param, NDArray m, NDArray v, boolean decay) {
    }

    private final Settings s;
    private final NDManager manager;
    private final List<State> states = new ArrayList<>();
    private int t;

    public AdamW(Map<String, NDArray> parameters, Settings settings, NDManager parent) {
        this.s = settings;
        this.manager = parent.newSubManager();
        for (var e : parameters.entrySet()) {
            NDArray p = e.getValue();
            states.add(new State(p, manager.zeros(p.getShape()), manager.zeros(p.getShape()), decays(e.getKey())));
        }
    }

    /** HF's rule: every weight matrix decays; biases and LayerNorm weights do not. */
    static boolean decays(String name) {
        return !name.endsWith(".bias") && !name.contains("layernorm") && !name.contains("ln_f");
    }

    /**
     * One update from the gradients the parameters hold, which are then zeroed.
     *
     * @return the global gradient norm before clipping
     */
    public double step(double lr) {
        t++;
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager m = manager.newSubManager()) {
            List<NDArray> grads = new ArrayList<>(states.size());
            double sq = 0;
            for (State st : states) {
                NDArray g = st.param().getGradient();
                g.attach(m);
                grads.add(g);
                sq += g.square().sum().getFloat();
            }
            double norm = Math.sqrt(sq);
            double clip = norm > s.maxGradNorm() ? s.maxGradNorm() / (norm + 1e-6) : 1.0;
            double bc1 = 1 - Math.pow(s.beta1(), t);
            double bc2 = 1 - Math.pow(s.beta2(), t);
            for (int i = 0; i < states.size(); i++) {
                State st = states.get(i);
                NDArray g = grads.get(i).mul(clip);
                st.m().muli(s.beta1()).addi(g.mul(1 - s.beta1()));
                st.v().muli(s.beta2()).addi(g.square().muli(1 - s.beta2()));
                if (st.decay()) {
                    st.param().muli(1 - lr * s.weightDecay());
                }
                NDArray denom = st.v().sqrt().divi(Math.sqrt(bc2)).addi(s.eps());
                st.param().subi(st.m().div(denom).muli(lr / bc1));
                JniUtils.zeroGrad((PtNDArray) st.param());
            }
            return norm;
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
