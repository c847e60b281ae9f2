"""A short real PyTorch training run for `hbmscope monitor` (scripts/monitor-gpu/run.sh).

GPT-2 medium built from its config (no weights are downloaded), AdamW, fp32, batch x seq random
tokens, a few steps on one CUDA device. After each optimizer step it appends PyTorch's own
figures to a JSON-lines log (the three lines the guide shows), which `hbmscope monitor --from`
reads. `--device cpu --layers 2` is a smoke test that runs anywhere (no memory log on CPU).
"""
import argparse
import json
import time

import torch
from transformers import GPT2Config, GPT2LMHeadModel

p = argparse.ArgumentParser()
p.add_argument("--batch", type=int, default=8)
p.add_argument("--seq", type=int, default=1024)
p.add_argument("--steps", type=int, default=5)
p.add_argument("--layers", type=int, default=24, help="24 = GPT-2 medium (hbmscope preset gpt2-medium)")
p.add_argument("--device", default="cuda")
p.add_argument("--jsonl", default="memory.jsonl")
args = p.parse_args()

device = torch.device(args.device)
cuda = device.type == "cuda"
# GPT-2 medium: 24 layers, hidden 1024, 16 heads, vocab 50257, context 1024 (openai-community/gpt2-medium config).
config = GPT2Config(n_layer=args.layers, n_embd=1024, n_head=16, n_positions=1024, vocab_size=50257)
config._attn_implementation = "sdpa"
model = GPT2LMHeadModel(config).to(device)
model.train()
opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
tokens = torch.randint(0, config.vocab_size, (args.batch, args.seq), device=device)

mem_log = open(args.jsonl, "a") if cuda else None
for step in range(args.steps):
    loss = model(input_ids=tokens, labels=tokens).loss
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
    if cuda:
        torch.cuda.synchronize()
        mem_log.write(json.dumps({"time": time.time(), "step": step, "device": torch.cuda.current_device(), "memory_stats": torch.cuda.memory_stats(), "max_memory_allocated": torch.cuda.max_memory_allocated(), "max_memory_reserved": torch.cuda.max_memory_reserved(), "total_memory": torch.cuda.get_device_properties(device).total_memory}) + "\n")
        mem_log.flush()
    print(f"step {step}: loss {loss.item():.3f}", flush=True)
