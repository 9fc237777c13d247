#!/usr/bin/env python3
"""HF transformers references for generation after deactivation (Zeng et al. Appendix A) and for cross-lingual
XStoryCloze (Appendix B), on the fixture models. Writes, beside the Java tests that read them:

  src/test/resources/generation/reference.json   GenerationReferenceTest (+ GenerateCommand / worker tests)
  src/test/resources/xstorycloze-xlingual/reference.json   CrossLingualXStoryClozeTest

Only ids, numbers and our own prompts are written: the model weights, key-neuron sets and XStoryCloze texts stay in
../shared and the Java tests read them from there. Run from inference-worker/ with the project venv (transformers
4.57.6, torch 2.13 CPU, offline):

  HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 /work/main/.venv/bin/python src/test/python/make_generate_reference.py ../../shared

Generation: `model.generate(**tok(prompt, return_tensors="pt"), do_sample=False, max_new_tokens=N)` with the
checkpoint's own generation_config (eos 2; BLOOM pad 3), plain and with a language's key neurons zeroed by a forward
hook at every token (BLOOM `mlp.gelu_impl` output, LLaMA `mlp.act_fn` output, as the reference kit's ablation and
Zeng et al.'s run.py l.405/l.458 do). The eos case reruns the first prompt with eos_token_id=[2, X], X a token the
plain run generates, so that generation stops on an end token. `min_margin` is the smallest gap between the best and
second-best logit over the greedy steps: exact token equality is meaningful only where it is far above 1e-4.

Cross-lingual XStoryCloze, lm-eval-harness 0.4.x HFLM.loglikelihood written out: context = the story's four sentences
in language X then "The ending in English:", joined by " "; continuation = " " + English ending of the same story_id;
whole = encode(context + continuation), ctx = encode(context), both add_special_tokens=False (HFLM add_bos_token=False);
continuation tokens = whole[len(ctx):]; input = (ctx + cont)[-(max_length+1):][:-1]; score = sum of the float32
log_softmax at the continuation positions.
"""
import json
import sys
import types
from pathlib import Path

# transformers' import-time dependency check refuses the venv's huggingface-hub although local loading needs none
_no_check = types.ModuleType("transformers.dependency_versions_check")
_no_check.dep_version_check = lambda *args, **kwargs: None
sys.modules.setdefault("transformers.dependency_versions_check", _no_check)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import transformers  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: E402

shared = Path(sys.argv[1])
here = Path(__file__).resolve().parents[1]  # src/test
MODELS = {"bloom-tiny": "zh", "llama-tiny": "en"}  # model -> region whose key neurons are zeroed
PROMPTS = ["The weather today is", "Le petit chat dort sur", "今天的天气"]
MAX_NEW = 24
XL_LANGS = ["es", "zh", "en"]
XL_STORIES = 3  # the first stories of each language file
CUE = "The ending in English:"

torch.set_num_threads(1)
torch.manual_seed(0)


def ablate(model, flat_ids, width):
    """Forward hooks that zero the flat ids k = layer * width + neuron; returns the handles."""
    handles = []
    layers = model.transformer.h if hasattr(model, "transformer") else model.model.layers
    for i, layer in enumerate(layers):
        keep = torch.ones(width)
        for k in flat_ids:
            if k // width == i:
                keep[k % width] = 0.0
        module = layer.mlp.gelu_impl if hasattr(layer.mlp, "gelu_impl") else layer.mlp.act_fn
        handles.append(module.register_forward_hook(lambda mod, args, out, keep=keep: out * keep))
    return handles


def greedy(model, tok, prompt, **kw):
    enc = tok(prompt, return_tensors="pt")
    with torch.no_grad():
        out = model.generate(**enc, do_sample=False, max_new_tokens=MAX_NEW, output_scores=True,
                             return_dict_in_generate=True, **kw)
    n = enc["input_ids"].shape[1]
    gen = out.sequences[0, n:].tolist()
    margin = min((s[0].topk(2).values[0] - s[0].topk(2).values[1]).item() for s in out.scores)
    return {"prompt": prompt, "prompt_ids": enc["input_ids"][0].tolist(), "generated_ids": gen,
            "text": tok.decode(gen, skip_special_tokens=True), "min_margin": margin}


def loglik(model, tok, context, continuation, max_length):
    n_spaces = len(context) - len(context.rstrip())
    if n_spaces > 0:
        continuation = context[-n_spaces:] + continuation
        context = context[:-n_spaces]
    whole = tok.encode(context + continuation, add_special_tokens=False)
    ctx = tok.encode(context, add_special_tokens=False)
    cont = whole[len(ctx):]
    inp = (ctx + cont)[-(max_length + 1):][:-1]
    with torch.no_grad():
        logp = F.log_softmax(model(torch.tensor([inp])).logits[0], dim=-1)
    at = logp[len(inp) - len(cont):]
    return float(torch.gather(at, 1, torch.tensor(cont).unsqueeze(-1)).sum()), len(ctx), cont


def stories(lang):
    with open(shared / "data" / "xstorycloze" / f"{lang}_eval.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


english = {s["story_id"]: s for s in stories("en")}
generation = {"transformers": transformers.__version__, "torch": torch.__version__, "max_new_tokens": MAX_NEW,
              "models": {}}
xlingual = {"transformers": transformers.__version__, "torch": torch.__version__, "cue": CUE, "models": {}}
for name, region in MODELS.items():
    mdir = shared / "fixtures" / "models" / name
    tok = AutoTokenizer.from_pretrained(mdir)
    model = AutoModelForCausalLM.from_pretrained(mdir, dtype=torch.float32).eval()
    width = model.config.intermediate_size if hasattr(model.config, "intermediate_size") and model.config.intermediate_size else 4 * model.config.hidden_size
    ref = json.loads((shared / "fixtures" / "reference" / name / "reference.json").read_text())
    ids = ref["analysis"]["key_neurons"]["indices"][region]

    entry = {"region": region, "region_size": len(ids), "plain": [], "ablated": []}
    for p in PROMPTS:
        entry["plain"].append(greedy(model, tok, p))
    handles = ablate(model, ids, width)
    for p in PROMPTS:
        entry["ablated"].append(greedy(model, tok, p))
    for h in handles:
        h.remove()
    stop = entry["plain"][0]["generated_ids"][4]
    entry["eos"] = dict(greedy(model, tok, PROMPTS[0], eos_token_id=[2, stop]), eos_token_id=[2, stop])
    generation["models"][name] = entry

    max_length = getattr(model.config, "max_position_embeddings", None) or 2048  # HFLM: config, else tokenizer's 2048
    xl = {"region": region, "max_length": max_length, "languages": {}}
    for lang in XL_LANGS:
        items = []
        for s in stories(lang)[:XL_STORIES]:
            en = english[s["story_id"]]
            context = " ".join([s[f"input_sentence_{i}"] for i in range(1, 5)] + [CUE])
            plain, abl, conts, ctx_len = [], [], [], None
            for ending in (en["sentence_quiz1"], en["sentence_quiz2"]):
                ll, ctx_len, cont = loglik(model, tok, context, " " + ending, max_length)
                plain.append(ll)
                conts.append(cont)
            handles = ablate(model, ids, width)
            for ending in (en["sentence_quiz1"], en["sentence_quiz2"]):
                abl.append(loglik(model, tok, context, " " + ending, max_length)[0])
            for h in handles:
                h.remove()
            items.append({"story_id": s["story_id"], "label": s["answer_right_ending"] - 1, "context_tokens": ctx_len,
                          "continuation_ids": conts, "loglik": plain, "loglik_ablated": abl})
        xl["languages"][lang] = items
    xlingual["models"][name] = xl
    print(name, "min margins plain", [round(g["min_margin"], 5) for g in entry["plain"]],
          "ablated", [round(g["min_margin"], 5) for g in entry["ablated"]], "eos", entry["eos"]["generated_ids"])

for sub, obj in (("generation", generation), ("xstorycloze-xlingual", xlingual)):
    out = here / "resources" / sub / "reference.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print("wrote", out)
