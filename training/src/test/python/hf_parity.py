"""Manual check (CI has no Python): HF transformers loads a train-toy checkpoint and agrees with the Java worker.

Usage: python hf_parity.py STEP_DIR JAVA_LOGITS.json
  STEP_DIR          a checkpoint written by `linguaflow train-toy` (OUT/step-N)
  JAVA_LOGITS.json  {"texts": [...], "input_ids": [[...]], "last_token_logits": [[...]]} from the Java worker
                    path (HfParityDumpTest with -Dlinguaflow.hfParity=STEP_DIR writes OUT/java_logits.json;
                    see docs/training.md)
Prints the max abs difference of token ids (must be 0) and of the last-token logits.
"""
import json
import sys
import types

# Skips transformers' import-time dependency version check, which refuses the huggingface-hub installed in
# the project's venv although loading local directories needs none of the hub.
_no_check = types.ModuleType("transformers.dependency_versions_check")
_no_check.dep_version_check = lambda *args, **kwargs: None
sys.modules.setdefault("transformers.dependency_versions_check", _no_check)

import torch  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: E402


def main(step_dir, java_file):
    java = json.load(open(java_file, encoding="utf-8"))
    tok = AutoTokenizer.from_pretrained(step_dir)
    model = AutoModelForCausalLM.from_pretrained(step_dir).eval()  # float32, as stored
    worst_logit = 0.0
    id_mismatches = 0
    for text, ids, logits in zip(java["texts"], java["input_ids"], java["last_token_logits"]):
        hf_ids = tok(text)["input_ids"]
        if hf_ids != ids:
            id_mismatches += 1
            print("token ids differ for", repr(text), hf_ids, ids)
        assert tok.decode(hf_ids) == text, (tok.decode(hf_ids), text)
        with torch.no_grad():
            out = model(torch.tensor([ids])).logits[0, -1]
        worst_logit = max(worst_logit, (out - torch.tensor(logits)).abs().max().item())
    print(f"{type(model).__name__} {step_dir}: {len(java['texts'])} texts, token-id mismatches {id_mismatches}, "
          f"last-token logits max |diff| {worst_logit:.3e}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
