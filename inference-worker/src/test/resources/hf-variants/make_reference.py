#!/usr/bin/env python3
"""HF transformers reference for LLaMA-family variants the fixture kit does not cover, built from llama-tiny's
weights: Mistral with sliding_window=4 and Qwen2 with non-zero q/k/v biases. Writes reference.json beside this
script (read by VariantReferenceTest). Run with the oracle venv (transformers 4.57.6, torch 2.13 CPU):

  VENV/bin/python make_reference.py ../shared/oracle/src ../shared/fixtures
"""
import csv
import json
import sys
from pathlib import Path

sys.path.insert(0, sys.argv[1])
from hfcompat import transformers  # noqa: E402,F401
import numpy as np  # noqa: E402
import torch  # noqa: E402
from transformers import AutoTokenizer, LlamaForCausalLM, MistralConfig, MistralForCausalLM, Qwen2Config, Qwen2ForCausalLM  # noqa: E402

fixtures = Path(sys.argv[2])
llama_dir = fixtures / "models" / "llama-tiny"
ROWS = [0, 57, 123, 260, 449]  # corpus rows: en, fr, pt, ar, vi (lengths 7..40+ tokens)


def bias(n, layer, which):
    """Deterministic bias values the Java test recomputes: 0.05 * (((i * 7 + layer * 3 + which) % 13) - 6)."""
    return torch.tensor([0.05 * (((i * 7 + layer * 3 + which) % 13) - 6) for i in range(n)], dtype=torch.float32)


torch.set_num_threads(1)
with open(fixtures / "corpus.tsv", encoding="utf-8", newline="") as f:
    rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
tok = AutoTokenizer.from_pretrained(llama_dir)
llama = LlamaForCausalLM.from_pretrained(llama_dir, dtype=torch.float32)
state = llama.state_dict()
base = json.loads((llama_dir / "config.json").read_text())
keep = {k: base[k] for k in ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
                             "num_attention_heads", "num_key_value_heads", "head_dim", "rms_norm_eps",
                             "rope_theta", "max_position_embeddings", "tie_word_embeddings",
                             "bos_token_id", "eos_token_id")}

variants = {}
mistral = MistralForCausalLM(MistralConfig(**keep, sliding_window=4)).eval()
mistral.load_state_dict(state, strict=True)
variants["mistral-window4"] = mistral

qwen = Qwen2ForCausalLM(Qwen2Config(**keep, use_sliding_window=False)).eval()
qstate = dict(state)
for layer in range(base["num_hidden_layers"]):
    for which, p in enumerate(("q", "k", "v")):
        w = state[f"model.layers.{layer}.self_attn.{p}_proj.weight"]
        qstate[f"model.layers.{layer}.self_attn.{p}_proj.bias"] = bias(w.shape[0], layer, which)
qwen.load_state_dict(qstate, strict=True)
variants["qwen2-bias"] = qwen

out = {"rows": ROWS, "bias_formula": "0.05 * (((i * 7 + layer * 3 + which) % 13) - 6), which: q=0 k=1 v=2",
       "transformers": transformers.__version__, "torch": torch.__version__, "variants": {}}
for name, model in variants.items():
    acts = {}
    for i, lyr in enumerate(model.model.layers):
        lyr.mlp.down_proj.register_forward_pre_hook(lambda mod, args, i=i: acts.__setitem__(i, args[0].detach()))
    samples = []
    for r in ROWS:
        ids = tok(rows[r]["text"], return_tensors="pt")["input_ids"]
        with torch.no_grad():
            logits = model(input_ids=ids, use_cache=False).logits[0]
        lp = torch.log_softmax(logits.double(), -1)
        nll = -lp[:-1].gather(1, ids[0, 1:, None])[:, 0]
        samples.append({"row": r, "input_ids": ids[0].tolist(),
                        "layer_means": [acts[l][0].double().mean(0).tolist() for l in range(len(acts))],
                        "mean_nll": float(nll.mean())})
    out["variants"][name] = samples
(Path(__file__).parent / "reference.json").write_text(json.dumps(out))
print("wrote", Path(__file__).parent / "reference.json")
