package io.linguaflow.checkpoint;

/** The model families the runtime implements; Mistral and Qwen2 configs are LLaMA-family models. */
public enum Architecture {
    /** BloomForCausalLM: ALiBi, fused per-head QKV, tanh-GeLU MLP. */
    BLOOM,
    /** LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM: RMSNorm, RoPE, GQA, SiLU-gated MLP. */
    LLAMA
}
