#!/usr/bin/env python3
"""HuggingFace transformers reference for ops/bench/worker: activation-extraction throughput.

Does what the Java worker does, the way a researcher would with HF: tokenise (default special tokens),
sort by length, batches of B right-padded samples with an attention mask, base model only (no LM head),
forward PRE-hooks on the MLP down projection pooling the neuron activation over real tokens in float64,
plus counts of tokens with activation > 0 (BLOOM GeLU output, LLaMA SiLU(gate) via a hook on act_fn).
Prints one JSON line: tokens/s (best of --repeats timed passes after one warm-up), peak RSS, settings.
"""
import argparse
import csv
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, sys.argv[sys.argv.index("--oracle-src") + 1] if "--oracle-src" in sys.argv else "")
from hfcompat import transformers  # noqa: E402  (the oracle's import shim, sets offline mode)
import torch  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--oracle-src", required=True)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)

    with open(a.corpus, encoding="utf-8", newline="") as f:
        texts = [r["text"] for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]
    if a.limit:
        texts = texts[: a.limit]
    tok = AutoTokenizer.from_pretrained(a.model)
    model = AutoModelForCausalLM.from_pretrained(a.model, dtype=torch.float32).eval()
    mt = model.config.model_type
    if mt == "bloom":
        base, blocks = model.transformer, model.transformer.h
        act_mods = [b.mlp.dense_4h_to_h for b in blocks]
        gate_mods = None
    else:
        base, blocks = model.model, model.model.layers
        act_mods = [b.mlp.down_proj for b in blocks]
        gate_mods = [b.mlp.act_fn for b in blocks]

    state = {"mask": None, "sums": [None] * len(blocks), "pos": [None] * len(blocks)}

    def act_hook(i):
        def h(_mod, args):
            x = args[0]
            m = state["mask"]
            state["sums"][i] = (x.double() * m.double()).sum(1)
            if gate_mods is None:
                state["pos"][i] = ((x > 0) & (m > 0)).sum(1)
        return h

    def gate_hook(i):
        def h(_mod, _inp, out):
            state["pos"][i] = ((out > 0) & (state["mask"] > 0)).sum(1)
        return h

    for i, mod in enumerate(act_mods):
        mod.register_forward_pre_hook(act_hook(i))
    if gate_mods is not None:
        for i, mod in enumerate(gate_mods):
            mod.register_forward_hook(gate_hook(i))

    ids = [tok(t)["input_ids"] for t in texts]
    n_tokens = sum(len(x) for x in ids)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    pad = tok.pad_token_id if tok.pad_token_id is not None else 0

    def one_pass(samples=order):
        means = [None] * len(ids)
        with torch.no_grad():
            for s in range(0, len(samples), a.batch_size):
                batch = samples[s:s + a.batch_size]
                t = max(len(ids[i]) for i in batch)
                inp = torch.full((len(batch), t), pad, dtype=torch.long)
                att = torch.zeros((len(batch), t), dtype=torch.long)
                for r, i in enumerate(batch):
                    inp[r, : len(ids[i])] = torch.tensor(ids[i])
                    att[r, : len(ids[i])] = 1
                state["mask"] = att[:, :, None]
                base(input_ids=inp, attention_mask=att, use_cache=False)
                n = att.sum(1, keepdim=True).double()
                for r, i in enumerate(batch):
                    means[i] = [(state["sums"][l][r] / n[r]).float().numpy() for l in range(len(blocks))]
        return means

    one_pass(order[: 2 * a.batch_size])  # warm-up
    best = float("inf")
    best_cpu = float("inf")
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        c0 = time.process_time()
        one_pass()
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    print(json.dumps({
        "impl": "hf-transformers", "transformers": transformers.__version__, "torch": torch.__version__,
        "model": a.model, "model_type": mt, "samples": len(ids), "tokens": n_tokens,
        "batch_size": a.batch_size, "threads": torch.get_num_threads(),
        "seconds": best, "tokens_per_s": n_tokens / best, "cpu_seconds": best_cpu,
        "tokens_per_cpu_s": n_tokens / best_cpu,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
