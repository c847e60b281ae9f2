import { simulateStep } from "../packages/model/src/index.js";
const setup: any = {"batch":2,"seq":20,"precision":"mixed-fp32-grads","dtype":"fp16","method":"full","loraRank":33,"loraTargets":["q","o","up"],"optimizer":"lion","checkpointing":"full","attention":"flash","blockSize":128,"dp":1,"zero":2,"tp":1,"sp":false,"pp":1, implementation: "hf", loop: "keep-output", device: "cpu"};
const model: any = {"name":"arbitrary-llama","layers":1,"hidden":13,"heads":1,"kvHeads":1,"ffn":33,"vocab":195,"activation":"swiglu","norm":"rmsnorm","tiedEmbeddings":true,"positionEmbeddings":0,"maxPositions":2415,"bias":false,"dropout":true};
const trace = simulateStep(model, setup, {});
const live = new Set<number>();
for (const e of trace.events) e.kind === "alloc" ? live.add(e.buffer) : live.delete(e.buffer);
for (const id of live) { const b = trace.buffers[id]; if (b.phase !== "setup") console.log(b.bytes, b.category, b.op, b.scope, b.phase, JSON.stringify(b.shape)); }
