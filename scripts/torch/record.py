#!/usr/bin/env python3
"""Records one real PyTorch + transformers step as an hbmscope Trace (see scripts/torch/README.md).

A case (JSON) names an HF config, a method (full | lora), a dtype, the attention implementation,
gradient checkpointing, the mode (train | forward), the batch and the loop. The recorder builds the
model from the config only (no weights are ever downloaded), runs a warm-up iteration and then the
recorded one under torch.profiler (profile_memory, started before the model is built), and writes
every allocation and free of the recorded iteration, with PyTorch's own category where its memory
profiler gives one. It checks its own instrument and fails loudly when a check does not hold.

    .venv-torch/bin/python scripts/torch/record.py --name llama-gqa-fp32-eager [--out FILE]
    .venv-torch/bin/python scripts/torch/record.py --case '{"name": ..., ...}' --out FILE
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach the network: models come from configs
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import torch  # noqa: E402
from torch._C._profiler import _EventType  # noqa: E402
from torch.profiler import ProfilerActivity, profile, record_function  # noqa: E402
from torch.profiler._memory_profiler import Category, MemoryProfile, TensorKey  # noqa: E402
from torch.profiler._utils import traverse_dfs  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

PROBE_BYTES = 12345
"""The known allocation of self-check 1: torch.empty(PROBE_BYTES, dtype=torch.uint8)."""

TORCH_TO_HBMSCOPE = {
    Category.PARAMETER: "weight",
    Category.OPTIMIZER_STATE: "optimizer",
    Category.GRADIENT: "gradient",
    Category.INPUT: "input",
    Category.ACTIVATION: "activation",
    Category.TEMPORARY: "temporary",
    # Tensors made by the backward pass that are not parameter gradients: the gradients of
    # activations flowing back. The simulator files these as temporaries too.
    Category.AUTOGRAD_DETAIL: "temporary",
    None: "other",
}
"""PyTorch memory-profiler category -> hbmscope category (README: "Categories")."""

# Ops that only allocate for the op that called them: the allocation is named after the caller.
FACTORY_OPS = {
    "aten::empty", "aten::empty_like", "aten::empty_strided", "aten::new_empty",
    "aten::new_empty_strided", "aten::resize_", "aten::zeros", "aten::zeros_like",
    "aten::new_zeros", "aten::ones_like", "aten::full", "aten::new_full", "aten::clone",
    "aten::contiguous", "aten::to", "aten::_to_copy", "aten::copy_", "aten::fill_", "aten::zero_",
}

PHASES = ("forward", "backward", "optimizer", "zero_grad")
RANGE = "hbmscope::"


class SelfCheckError(Exception):
    """A check of the instrument failed: the trace would not be what it claims to be."""


def fail(case: dict, what: str) -> None:
    raise SelfCheckError(f"record.py: case {case.get('name')!r}: self-check failed: {what}")


# ---------------------------------------------------------------- the program users run

def dtype_of(name: str) -> torch.dtype:
    return {"float32": torch.float32, "bfloat16": torch.bfloat16}[name]


def build_model(case: dict):
    """The model as a user builds it: AutoModelForCausalLM.from_config(..., dtype=...), then peft."""
    from transformers import AutoConfig, AutoModelForCausalLM

    hf = dict(case["hf_config"])
    model_type = hf.pop("model_type")
    config = AutoConfig.for_model(model_type, **hf)
    model = AutoModelForCausalLM.from_config(
        config, dtype=dtype_of(case["dtype"]), attn_implementation=case["attn_implementation"]
    )
    use_reentrant = None
    if case.get("gradient_checkpointing"):
        model.gradient_checkpointing_enable()  # transformers' default kwargs, as a user calls it
        funcs = [m._gradient_checkpointing_func for m in model.modules() if hasattr(m, "_gradient_checkpointing_func")]
        if funcs:
            use_reentrant = getattr(funcs[0], "keywords", {}).get("use_reentrant")
    if case["method"] == "lora":
        from peft import LoraConfig, get_peft_model

        lora = case["lora"]
        model = get_peft_model(
            model,
            LoraConfig(
                r=lora["r"], lora_alpha=lora["alpha"], target_modules=lora["target_modules"],
                lora_dropout=0.0, task_type="CAUSAL_LM",
            ),
        )  # autocast_adapter_dtype=True (peft's default): fp32 adapters on a 16-bit base
        if lora.get("enable_input_require_grads"):
            model.enable_input_require_grads()
    return model, config, use_reentrant


def storages(obj, seen: set, out: list, label: str, depth: int = 0) -> None:
    """Every tensor storage reachable from obj (tensors, their .grad, containers, cache objects)."""
    if depth > 8:
        return
    if isinstance(obj, torch.Tensor):
        if obj.device.type == "cpu" and obj.untyped_storage().nbytes() > 0:
            ptr = obj.untyped_storage().data_ptr()
            if ptr not in seen:
                seen.add(ptr)
                out.append({"ptr": ptr, "bytes": obj.untyped_storage().nbytes(), "what": label,
                            "dtype": str(obj.dtype).removeprefix("torch."), "shape": list(obj.shape)})
        if obj.grad is not None:
            storages(obj.grad, seen, out, label + ".grad", depth + 1)
        return
    if isinstance(obj, dict):
        for k, v in obj.items():
            storages(v, seen, out, f"{label}.{k}", depth + 1)
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            storages(v, seen, out, f"{label}[{i}]", depth + 1)
    elif hasattr(obj, "__dict__") and not isinstance(obj, (type, torch.nn.Module)) and type(obj).__module__.startswith(("transformers", "peft", "torch")):
        for k, v in vars(obj).items():
            storages(v, seen, out, f"{label}.{k}", depth + 1)


def graph_leaves(out) -> list:
    """Leaf tensors the autograd graph of `out` still holds (AccumulateGrad nodes keep them alive)."""
    roots = []
    stack = [out]
    while stack:
        o = stack.pop()
        if isinstance(o, torch.Tensor):
            if o.grad_fn is not None:
                roots.append(o.grad_fn)
        elif isinstance(o, dict):
            stack.extend(o.values())
        elif isinstance(o, (list, tuple)):
            stack.extend(o)
    leaves, seen = [], set()
    while roots:
        fn = roots.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        if hasattr(fn, "variable"):
            leaves.append(fn.variable)
        roots.extend(f for f, _ in fn.next_functions)
    return leaves


def known_state(model, opt, batch: dict, held: dict) -> list:
    """What the program holds between iterations, as storages: the start-of-iteration identity."""
    seen: set = set()
    found: list = []
    for name, p in model.named_parameters():
        storages(p, seen, found, f"weight {name}")
    for name, b in model.named_buffers():
        storages(b, seen, found, f"buffer {name}")
    for name, m in model.named_modules():
        for k, v in vars(m).items():
            if isinstance(v, torch.Tensor) and k not in ("_parameters", "_buffers"):
                storages(v, seen, found, f"module attribute {name}.{k}")
    if opt is not None:
        names = {id(p): n for n, p in model.named_parameters()}
        for p, state in opt.state.items():
            storages(state, seen, found, f"optimizer state {names.get(id(p), '?')}")
    storages(batch, seen, found, "batch")
    if "out" in held:
        out = held["out"]
        storages(dict(out), seen, found, "previous out")
        for leaf in graph_leaves(dict(out)):
            storages(leaf, seen, found, f"previous out's autograd graph: leaf {list(leaf.shape)} held by AccumulateGrad")
    return found


def run_case(case: dict) -> dict:
    """Builds and runs the case under the profiler; returns what the recorder needs."""
    seed = case.get("seed", 0)
    torch.manual_seed(seed)
    random.seed(seed)
    torch.set_num_threads(case.get("threads", 1))
    facts: dict = {}
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True, record_shapes=True, with_stack=True) as prof:
        model, config, use_reentrant = build_model(case)
        facts["use_reentrant"] = use_reentrant
        train = case["mode"] == "train"
        model.train(train)
        opt = None
        if train:
            opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad])
        vocab = config.vocab_size
        ids = torch.randint(0, vocab, (case["batch"], case["seq"]))
        batch = {"input_ids": ids}
        if train or case.get("labels"):
            batch["labels"] = ids.clone()
        kwargs = {}
        if "use_cache" in case:
            kwargs["use_cache"] = case["use_cache"]
        held: dict = {}
        drop = case["loop"] == "drop-out"

        def iteration(tag: str) -> None:
            if train:
                with record_function(f"{tag}forward"):
                    held["out"] = model(**batch, **kwargs)
                with record_function(f"{tag}backward"):
                    held["out"].loss.backward()
                    if drop:
                        del held["out"]
                with record_function(f"{tag}optimizer"):
                    opt.step()
                with record_function(f"{tag}zero_grad"):
                    opt.zero_grad()
            else:
                with record_function(f"{tag}forward"), torch.no_grad():
                    held["out"] = model(**batch, **kwargs)
                    if drop:
                        del held["out"]

        iteration("warmup::")
        with record_function(RANGE + "probe"):
            probe = torch.empty(PROBE_BYTES, dtype=torch.uint8)
            facts["probe_ptr"] = probe.data_ptr()
            del probe
        with record_function(RANGE + "known_state"):
            facts["known"] = known_state(model, opt, batch, held)
        iteration(RANGE)
        out = held.get("out")
        facts["out_has_cache"] = bool(out is not None and getattr(out, "past_key_values", None) is not None)
    facts["prof"] = prof
    facts["model"] = model
    facts["config"] = config
    return facts


# ---------------------------------------------------------------- reading the profile

def optimizer_path(tree_nodes) -> str | None:
    for ev in tree_nodes:
        if ev.typed[0] == _EventType.PyCall:
            try:
                n = ev.name
            except UnicodeDecodeError:  # a few frames carry names the profiler cannot decode
                continue
            if "_multi_tensor_adam" in n:
                return "foreach"
            if "_single_tensor_adam" in n:
                return "single-tensor"
            if "_fused_adam" in n:
                return "fused"
    return None


def enclosing(ev):
    """(op, module path, autograd node) of an allocation event."""
    ops, modules, node, pycall = [], [], None, None
    p = ev.parent
    while p is not None:
        kind = p.typed[0]
        if kind in (_EventType.PyCCall, _EventType.PyCall) and pycall is None and not ops:
            try:
                pycall = p.name
            except UnicodeDecodeError:
                pycall = "?"
        if kind == _EventType.TorchOp:
            name = p.name
            if name.startswith(RANGE) or name.startswith("warmup::"):
                break
            if name.startswith("autograd::engine::evaluate_function: "):
                if node is None:
                    node = name.split(": ", 1)[1]
            else:
                ops.append(name)
        elif kind == _EventType.PyCall and p.typed[1].module is not None:
            try:
                modules.append(p.name.removeprefix("nn.Module: "))
            except UnicodeDecodeError:
                modules.append("?")
        p = p.parent
    # No ATen op: PyTorch's Python binding made the tensor (a Python scalar wrapped as a 0-d tensor).
    # The innermost op that is more than a factory (aten::mm, not the aten::empty it calls); where
    # there are only factories, the outermost (aten::to, not the aten::empty_strided under it).
    op = ops[-1] if ops else f"python: {short_call(pycall)}" if pycall else None
    for name in ops:
        if name not in FACTORY_OPS:
            op = name
            break
    return op, list(reversed(modules)), node


def short_call(name: str) -> str:
    """`<built-in method add_ of Tensor object at 0x7f..>` -> `add_ of Tensor`; file paths kept short."""
    name = re.sub(r" object at 0x[0-9a-f]+", "", name)
    name = re.sub(r"^<built-in method (.*)>$", r"\1", name)
    return name.split("site-packages/")[-1]


def tensor_shapes(nodes) -> dict:
    """allocation_id -> (dtype, shape) from the first op that took a tensor on that storage."""
    seen: dict = {}
    for ev in nodes:
        if ev.typed[0] != _EventType.TorchOp:
            continue
        for i in ev.typed[1].inputs:
            for t in (i if isinstance(i, list) else [i]):
                if hasattr(t, "allocation_id") and t.allocation_id is not None and t.allocation_id not in seen:
                    try:
                        seen[t.allocation_id] = (str(t.dtype).removeprefix("torch."), list(t.sizes))
                    except Exception:
                        pass
    return seen


def torch_categories(mp: MemoryProfile) -> dict:
    """TensorKey -> PyTorch's category (the first version that has one)."""
    cats: dict = {}
    for (key, _version), c in mp._category_snapshot().items():
        if c is not None and key not in cats:
            cats[key] = c
    return cats


CASE_FIELDS = {
    "method": ("full", "lora"), "dtype": ("float32", "bfloat16"), "attn_implementation": ("eager", "sdpa"),
    "mode": ("train", "forward"), "optimizer": ("adamw",), "loop": ("as-written", "drop-out"),
}


def check_case(case: dict) -> None:
    """Raises ValueError naming the field, the value and what is accepted."""
    name = case.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError(f"case: name must be a non-empty string, got {name!r}")
    hf = case.get("hf_config")
    if not isinstance(hf, dict) or hf.get("model_type") not in ("llama", "gpt2"):
        raise ValueError(f"case {name!r}: hf_config must be an object with model_type llama or gpt2, got {hf!r}")
    for field, accepted in CASE_FIELDS.items():
        if case.get(field) not in accepted:
            raise ValueError(f"case {name!r}: {field} {case.get(field)!r} is not one of {', '.join(accepted)}")
    for field in ("batch", "seq"):
        if not isinstance(case.get(field), int) or case[field] < 1:
            raise ValueError(f"case {name!r}: {field} must be a positive integer, got {case.get(field)!r}")
    if not isinstance(case.get("gradient_checkpointing"), bool):
        raise ValueError(f"case {name!r}: gradient_checkpointing must be true or false, got {case.get('gradient_checkpointing')!r}")
    if case["method"] == "lora":
        lora = case.get("lora")
        if not isinstance(lora, dict) or not isinstance(lora.get("r"), int) or not isinstance(lora.get("target_modules"), list):
            raise ValueError(f"case {name!r}: method lora needs lora: {{r, alpha, target_modules, enable_input_require_grads}}")


def record(case: dict) -> tuple[dict, dict]:
    """Runs the case and returns (trace, summary). Raises SelfCheckError when a check fails."""
    check_case(case)
    import transformers
    try:
        import peft
        peft_version = peft.__version__
    except ImportError:
        peft_version = None

    t0 = time.time()
    facts = run_case(case)
    prof = facts["prof"]
    t_run = time.time() - t0
    tree = prof.profiler.kineto_results.experimental_event_tree()
    nodes = sorted(traverse_dfs(tree), key=lambda e: e.start_time_ns)  # stable: DFS order on ties
    allocs = [e for e in nodes if e.typed[0] == _EventType.Allocation and e.typed[1].device.type == "cpu"]
    ranges = {}
    for e in nodes:
        if e.typed[0] == _EventType.TorchOp and e.name.startswith(RANGE):
            ranges[e.name[len(RANGE):]] = (e.start_time_ns, e.end_time_ns)
    train = case["mode"] == "train"
    needed = ["probe", "known_state", "forward"] + (["backward", "optimizer", "zero_grad"] if train else [])
    for r in needed:
        if r not in ranges:
            fail(case, f"the profiler has no {RANGE}{r} range")
    t_mp = time.time()
    mp = MemoryProfile(prof.profiler.kineto_results)
    cats = torch_categories(mp)
    t_mp = time.time() - t_mp
    shapes = tensor_shapes(nodes)

    # Check 2 (whole run): the running sum of every allocation since the profiler started
    # equals the profiler's own total at every event; no free of a block we never saw allocated.
    running = 0
    live: dict = {}  # ptr -> allocation event
    for e in allocs:
        f = e.typed[1]
        running += f.alloc_size
        if f.alloc_size > 0:
            if f.ptr in live:
                fail(case, f"pointer {f.ptr:#x} allocated twice without a free")
            live[f.ptr] = e
        elif f.alloc_size < 0:
            a = live.pop(f.ptr, None)
            if a is None:
                fail(case, f"free of {-f.alloc_size} bytes at {f.ptr:#x} that was never allocated while profiling")
            if a.typed[1].alloc_size != -f.alloc_size:
                fail(case, f"free of {-f.alloc_size} bytes at {f.ptr:#x} that was allocated with {a.typed[1].alloc_size}")
        if running != f.total_allocated:
            fail(case, f"running sum {running} != profiler total_allocated {f.total_allocated} at t={e.start_time_ns}")

    # Check 1: the known allocation shows its exact size, inside its range, at its pointer.
    p0, p1 = ranges["probe"]
    in_probe = [e for e in allocs if p0 <= e.start_time_ns <= p1]
    got = [e.typed[1].alloc_size for e in in_probe]
    if got != [PROBE_BYTES, -PROBE_BYTES] or in_probe[0].typed[1].ptr != facts["probe_ptr"]:
        fail(case, f"torch.empty({PROBE_BYTES}, dtype=uint8) should show as +{PROBE_BYTES} then -{PROBE_BYTES} at its own pointer; the profiler shows {got}")

    start = ranges["forward"][0]
    k0, k1 = ranges["known_state"]
    if any(k0 <= e.start_time_ns <= k1 for e in allocs):
        fail(case, "reading the program's state allocated memory")

    def phase_at(t: int) -> str:
        ph = "forward"
        for name in PHASES:
            if name in ranges and ranges[name][0] <= t:
                ph = name
        return "optimizer" if ph == "zero_grad" else ph

    def describe(e, phase):
        f = e.typed[1]
        key = TensorKey.from_allocation(f)
        tc = cats.get(key) if key is not None else None
        op, modules, node = enclosing(e)
        b = {"bytes": f.alloc_size, "category": TORCH_TO_HBMSCOPE[tc], "torchCategory": tc.name if tc else None}
        ds = shapes.get(f.allocation_id)
        if ds is not None:
            b["dtype"], b["shape"] = ds
        if op:
            b["op"] = op
        scope = [phase] + ([node] if node else []) + [m for m in modules]
        b["scope"] = "/".join(scope)
        b["phase"] = phase
        return b

    # Buffers live when the recorded iteration starts become setup allocations.
    buffers, events = [], []
    running = 0
    live = {}
    before = [e for e in allocs if e.start_time_ns < start]
    for e in before:
        f = e.typed[1]
        if f.alloc_size > 0:
            live[f.ptr] = e
        else:
            live.pop(f.ptr, None)
    ptr_to_buffer: dict = {}
    for e in sorted(live.values(), key=lambda e: e.start_time_ns):
        b = describe(e, "setup")
        b["id"] = len(buffers)
        buffers.append(b)
        events.append({"kind": "alloc", "buffer": b["id"], "time": 0})
        ptr_to_buffer[e.typed[1].ptr] = b["id"]
        running += e.typed[1].alloc_size
    setup_bytes = running
    n_setup = len(events)
    if before:
        if running != before[-1].typed[1].total_allocated:
            fail(case, f"setup buffers sum to {running}, the profiler's total at the start is {before[-1].typed[1].total_allocated}")

    # Check 3: the start of the iteration is exactly what the program holds (per storage).
    known = facts["known"]
    known_by_ptr = {k["ptr"]: k for k in known}
    unexplained = []
    for ptr, bid in ptr_to_buffer.items():
        k = known_by_ptr.get(ptr)
        b = buffers[bid]
        if k is None:
            unexplained.append(f"{b['bytes']} B from {b.get('op')} ({b.get('scope')}, torch {b['torchCategory']})")
        elif k["bytes"] != b["bytes"]:
            fail(case, f"{k['what']} has {k['bytes']} bytes of storage, its allocation {b['bytes']}")
        else:
            b["holder"] = k["what"]
    missing = [k for k in known if k["ptr"] not in ptr_to_buffer]
    if unexplained or missing:
        fail(case, "live bytes at the start are not weights + optimizer state + batch + previous out: "
             + "; ".join(unexplained[:10] + [f"{k['what']} ({k['bytes']} B) has no live allocation" for k in missing[:10]]))
    start_breakdown: dict = {}
    for ptr, bid in ptr_to_buffer.items():
        what = known_by_ptr[ptr]["what"]
        group = ("weights" if what.startswith(("weight", "buffer", "module attribute")) else
                 "optimizer state" if what.startswith("optimizer") else
                 "batch" if what.startswith("batch") else "previous out")
        start_breakdown[group] = start_breakdown.get(group, 0) + buffers[bid]["bytes"]
    previous_out = [
        {"what": known_by_ptr[ptr]["what"], "bytes": buffers[bid]["bytes"], "dtype": known_by_ptr[ptr]["dtype"],
         "shape": known_by_ptr[ptr]["shape"], "op": buffers[bid].get("op")}
        for ptr, bid in ptr_to_buffer.items() if known_by_ptr[ptr]["what"].startswith("previous out")
    ]

    # The recorded iteration, event by event.
    marks = [{"at": 0, "label": "setup", "kind": "phase"}]
    last_phase = None
    peak, peak_at, peak_phase = running, n_setup - 1, "setup"
    for e in (e for e in allocs if e.start_time_ns >= start):
        f = e.typed[1]
        phase = phase_at(e.start_time_ns)
        raw = "zero_grad" if "zero_grad" in ranges and e.start_time_ns >= ranges["zero_grad"][0] else phase
        if phase != last_phase:
            marks.append({"at": len(events), "label": phase, "kind": "phase"})
            last_phase = phase
        if raw == "zero_grad" and not any(m["label"] == "zero_grad" for m in marks):
            marks.append({"at": len(events), "label": "zero_grad", "kind": "note"})
        time_ms = round((e.start_time_ns - start) / 1e6, 3)
        if f.alloc_size > 0:
            b = describe(e, phase)
            b["id"] = len(buffers)
            buffers.append(b)
            ptr_to_buffer[f.ptr] = b["id"]
            events.append({"kind": "alloc", "buffer": b["id"], "time": time_ms})
        else:
            bid = ptr_to_buffer.pop(f.ptr)
            events.append({"kind": "free", "buffer": bid, "time": time_ms})
        running += f.alloc_size
        # Check 2 (trace): the trace's running sum is the profiler's total at every event.
        if running != f.total_allocated:
            fail(case, f"trace running sum {running} != profiler total_allocated {f.total_allocated} at event {len(events) - 1}")
        if running > peak:
            peak, peak_at, peak_phase = running, len(events) - 1, phase
    live_at_peak = live_set(buffers, events, peak_at)

    hf_config = facts["config"].to_dict()
    trace = {
        "format": "hbmscope.trace",
        "version": 1,
        "meta": {
            "source": "pytorch",
            # Not `meta.torch`: that key holds an imported CUDA snapshot's allocator state.
            "versions": {"torch": torch.__version__, "transformers": transformers.__version__, "peft": peft_version},
            "device": "cpu",
            "case": case,
            "hfConfig": case["hf_config"],
            "optimizerPath": optimizer_path(nodes) if train else None,
            "useReentrant": facts["use_reentrant"],
            "outHasCache": facts["out_has_cache"],
            "peakBytes": peak,
            "peakPhase": peak_phase,
            "peakEvent": peak_at,
            "startBytes": setup_bytes,
            "startBreakdown": start_breakdown,
            "previousOut": previous_out,
            "modelDtype": str(next(facts["model"].parameters()).dtype).removeprefix("torch."),
            "hfConfigResolved": {k: hf_config[k] for k in sorted(hf_config) if isinstance(hf_config[k], (int, float, str, bool)) or hf_config[k] is None},
            "notes": notes(case, facts),
            "units": "bytes; event times in ms from the start of the recorded iteration",
        },
        "buffers": buffers,
        "events": events,
        "marks": marks,
    }
    summary = {
        "name": case["name"], "peakBytes": peak, "peakPhase": peak_phase, "startBytes": setup_bytes,
        "events": len(events), "runSeconds": round(t_run, 2), "profileSeconds": round(t_mp, 2),
        "wallSeconds": round(time.time() - t0, 2), "liveAtPeak": live_at_peak,
    }
    return trace, summary


def live_set(buffers: list, events: list, at: int) -> list:
    live: dict = {}
    for e in events[: at + 1]:
        if e["kind"] == "alloc":
            live[e["buffer"]] = buffers[e["buffer"]]
        else:
            live.pop(e["buffer"], None)
    return sorted(live.values(), key=lambda b: -b["bytes"])


def notes(case: dict, facts: dict) -> list:
    n = [
        "CPU run: alloc sizes are the exact requested bytes (no CUDA 512-byte rounding).",
        "The batch (input_ids and labels, a clone) is the same tensors in both iterations.",
        "zero_grad (set_to_none=True) is filed under the optimizer phase; a note mark shows where it starts.",
    ]
    if case["loop"] == "as-written":
        n.append("Loop as written: the previous iteration's `out` is live until the recorded forward returns.")
    else:
        n.append("Loop drop-out: `del out` right after backward (forward-only: right after the forward).")
    return n


# ---------------------------------------------------------------- command line

def load_cases(paths: list[Path]) -> list[dict]:
    cases = []
    for p in paths:
        cases.extend(json.loads(p.read_text())["cases"])
    return cases


FIXTURES = ROOT / "packages" / "model" / "test" / "fixtures" / "torch"


def fixture_path(name: str, holdout: bool = False) -> Path:
    return (FIXTURES / "holdout" if holdout else FIXTURES) / f"{name}.trace.json"


def write_trace(trace: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(trace, separators=(",", ":")) + "\n")
    tmp.replace(path)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--name", help="a case name from cases.json or cases-holdout.json")
    ap.add_argument("--case", help="a case as JSON text")
    ap.add_argument("--out", help="where to write the trace (default: the fixture path; - for stdout)")
    ap.add_argument("--holdout", action="store_true", help="with --name and no --out: write to the holdout fixtures")
    ap.add_argument("--peak", action="store_true", help="print the largest buffers live at the peak")
    ap.add_argument("--summary", action="store_true", help="print one JSON line (name, peakBytes, peakPhase, seconds) on stdout")
    args = ap.parse_args(argv)
    if bool(args.name) == bool(args.case):
        ap.error("give exactly one of --name or --case")
    if args.case:
        case = json.loads(args.case)
    else:
        cases = {c["name"]: c for c in load_cases([HERE / "cases.json", HERE / "cases-holdout.json"])}
        if args.name not in cases:
            ap.error(f"--name {args.name!r}: no such case; known: {', '.join(sorted(cases))}")
        case = cases[args.name]
    warnings.filterwarnings("ignore")
    try:
        trace, summary = record(case)
    except (SelfCheckError, ValueError) as e:
        print(str(e), file=sys.stderr)
        return 1
    if args.out == "-":
        sys.stdout.write(json.dumps(trace, separators=(",", ":")) + "\n")
    else:
        path = Path(args.out) if args.out else fixture_path(case["name"], args.holdout)
        write_trace(trace, path)
        print(f"{case['name']}: peak {summary['peakBytes']} B in {summary['peakPhase']}, start {summary['startBytes']} B, "
              f"{summary['events']} events, {summary['wallSeconds']} s -> {path}", file=sys.stderr)
    if args.summary:
        sys.stdout.write(json.dumps({k: v for k, v in summary.items() if k != "liveAtPeak"}) + "\n")
    if args.peak:
        for b in summary["liveAtPeak"][:25]:
            print(f"  {b['bytes']:>10}  {b['category']:<10} {str(b.get('torchCategory')):<16} {b.get('dtype', '?'):<9} "
                  f"{str(b.get('shape', '?')):<18} {b.get('op')}  {b.get('scope')}  {b.get('holder', '')}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
