#!/usr/bin/env python3
"""Writes a randomly initialised BLOOM with bloom-560m's shape (24 layers, hidden 1024, 16 heads, vocab 250880)
as an HF checkpoint: config.json, model.safetensors (float16 to halve the disk; both runtimes widen it to
float32) and the fixture tokenizer (ids < 4000 < vocab). Usage: make_random_bloom.py ORACLE_SRC TOKENIZER_DIR OUT"""
import shutil
import sys
from pathlib import Path

sys.path.insert(0, sys.argv[1])
from hfcompat import transformers  # noqa: E402,F401
import torch  # noqa: E402
from transformers import BloomConfig, BloomForCausalLM  # noqa: E402

tok_dir, out = Path(sys.argv[2]), Path(sys.argv[3])
torch.manual_seed(0)
cfg = BloomConfig(vocab_size=250880, hidden_size=1024, n_layer=24, n_head=16, layer_norm_epsilon=1e-5,
                  initializer_range=0.02, bos_token_id=1, eos_token_id=2, pad_token_id=3)
model = BloomForCausalLM(cfg).eval().to(torch.float16)
out.mkdir(parents=True, exist_ok=True)
model.save_pretrained(out, safe_serialization=True, max_shard_size="10GB")
for f in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
    shutil.copy(tok_dir / f, out / f)
print("wrote", out, sum(p.numel() for p in model.parameters()), "parameters")
