import type { Category } from "@hbmscope/core";
import type { SimDtype } from "./dtype.js";
import type { GraphBuilder, GradSpec, TempSpec } from "./stepGraph.js";

/** Where PyTorch runs: the behaviours that differ by device (dropout's mask, SDPA's kernel, the optimizer's path). */
export type TorchDevice = "cuda" | "cpu";

/**
 * PyTorch ops as autograd records them, one op per ATen call, each with the tensors its backward
 * node saves (`tools/autograd/derivatives.yaml` of PyTorch 2.x) and the buffers its backward makes.
 * Views (`view`, `transpose`, `reshape` of a contiguous tensor, `split`) allocate nothing and are not
 * ops here: the caller passes the same tensor on. Casts to the tensor's own type return it unchanged
 * (`Tensor.to` is a no-op then).
 */
export function torchOps(g: GraphBuilder, device: TorchDevice) {
  const shapeOf = (x: number) => g.get(x).shape;
  const dtypeOf = (x: number) => g.get(x).dtype;
  const needsGrad = (x: number) => g.get(x).requiresGrad;
  const passthrough = (): GradSpec => ({ temps: [], passthrough: true });
  const broadcast = (a: number[], b: number[]) => {
    const n = Math.max(a.length, b.length);
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(Math.max(a[a.length - n + i] ?? 1, b[b.length - n + i] ?? 1));
    return out;
  };
  const sameShape = (a: number[], b: number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  /** The gradient of a broadcast operand: the full-size product, then `sum_to_size` (a temporary when the operand is smaller). */
  const reduced = (x: number, full: number[], dtype: SimDtype): GradSpec => ({ temps: sameShape(shapeOf(x), full) ? [] : [{ shape: full, dtype, op: "sum_to_size" }] });

  const ops = {
    /** `a * b` (mul.Tensor): saves `b` when `a` needs a gradient and `a` when `b` does; a Python number is saved as a 0-d tensor (nothing). */
    mul(a: number, b: number | null, name = "mul"): number {
      const ins = b === null ? [a] : [a, b];
      const shape = b === null ? shapeOf(a) : broadcast(shapeOf(a), shapeOf(b));
      const dtype = b === null ? dtypeOf(a) : promote(dtypeOf(a), dtypeOf(b));
      return g.op({
        name,
        inputs: ins,
        outputs: [{ shape, dtype }],
        save: (i) => (b === null ? [] : [...(needsGrad(i[0]) ? [i[1]] : []), ...(needsGrad(i[1]) ? [i[0]] : [])]),
        grad: (input) => reduced(input, shape, dtypeOf(input)),
      })[0];
    },
    /** `a + b`, `a - b`, `a + number`: saves nothing; the gradient passes through when shapes and types match. */
    add(a: number, b: number | null, name = "add"): number {
      const ins = b === null ? [a] : [a, b];
      const shape = b === null ? shapeOf(a) : broadcast(shapeOf(a), shapeOf(b));
      const dtype = b === null ? dtypeOf(a) : promote(dtypeOf(a), dtypeOf(b));
      return g.op({
        name,
        inputs: ins,
        outputs: [{ shape, dtype }],
        grad: (input) => (sameShape(shapeOf(input), shape) && dtypeOf(input) === dtype ? passthrough() : reduced(input, shape, dtype)),
      })[0];
    },
    /** An elementwise op on one tensor that saves its input (`pow`, `silu`, `gelu`) or its output (`rsqrt`, `tanh`, `softmax`), or nothing (`neg`). */
    unary(name: string, x: number, saves: "input" | "output" | "none", options: { dtype?: SimDtype; shape?: number[]; backwardTemps?: TempSpec[] } = {}): number {
      return g.op({
        name,
        inputs: [x],
        outputs: [{ shape: options.shape ?? shapeOf(x), dtype: options.dtype ?? dtypeOf(x) }],
        save: (i, o) => (saves === "input" ? i : saves === "output" ? o : []),
        grad: () => ({ temps: options.backwardTemps ?? [] }),
      })[0];
    },
    /** `x.to(dtype)`: the same tensor when it already has that type, else a copy that saves nothing. */
    to(x: number, dtype: SimDtype, name = "_to_copy"): number {
      if (dtypeOf(x) === dtype) return x;
      return g.op({ name, inputs: [x], outputs: [{ shape: shapeOf(x), dtype }], grad: () => ({ temps: [] }) })[0];
    },
    /** A copy to a new layout or shape (`contiguous`, `cat`, a reshape that cannot view, `repeat_kv`): saves nothing. */
    copy(name: string, inputs: number[], shape: number[], dtype = dtypeOf(inputs[0])): number {
      return g.op({ name, inputs, outputs: [{ shape, dtype }], grad: () => ({ temps: [] }) })[0];
    },
    /** `F.linear(x, w, b)` / `torch.addmm`: saves `x` when `w` needs a gradient and `w` when `x` does. */
    linear(x: number, w: number, bias: number | undefined, name = "linear", temps: TempSpec[] = [], inputGradTemps: TempSpec[] = []): number {
      const outF = shapeOf(w)[0];
      const xs = shapeOf(x);
      const inputs = bias === undefined ? [x, w] : [x, w, bias];
      return g.op({
        name,
        inputs,
        outputs: [{ shape: [...xs.slice(0, -1), outF], dtype: promote(dtypeOf(x), dtypeOf(w)) }],
        save: (i) => [...(needsGrad(i[1]) ? [i[0]] : []), ...(needsGrad(i[0]) ? [i[1]] : [])],
        temps,
        grad: (input) => ({ temps: input === x ? inputGradTemps : [] }),
      })[0];
    },
    /** `torch.matmul` of two batched matrices (bmm): saves both operands when the other needs a gradient. */
    matmul(a: number, b: number, shape: number[], name = "matmul"): number {
      return g.op({
        name,
        inputs: [a, b],
        outputs: [{ shape, dtype: promote(dtypeOf(a), dtypeOf(b)) }],
        save: (i) => [...(needsGrad(i[0]) ? [i[1]] : []), ...(needsGrad(i[1]) ? [i[0]] : [])],
      })[0];
    },
    /**
     * A view of `x` with another shape (`expand`, a `reshape` that can view): no buffer; it keeps x's alive.
     * Its gradient has the view's shape, and the view's backward makes x's (a sum for `expand`).
     */
    view(name: string, x: number, shape: number[]): number {
      return g.op({ name, inputs: [x], outputs: [{ shape, dtype: dtypeOf(x), viewOf: x }], grad: () => ({ temps: [] }) })[0];
    },
    /** `F.embedding`: saves the indices. */
    embedding(w: number, ids: number, hidden: number): number {
      const s = shapeOf(ids);
      return g.op({ name: "embedding", inputs: [w, ids], outputs: [{ shape: [...s, hidden], dtype: dtypeOf(w) }], save: (i) => [i[1]] })[0];
    },
    /**
     * `F.dropout(x, p, training=True)` with 0 < p < 1 (ATen `dropout`, aten/src/ATen/native/Dropout.cpp): on
     * CUDA the fused `native_dropout` saves a 1-byte mask; elsewhere a noise tensor of x's type is drawn and
     * multiplied in (`_dropout_impl`), and the product saves the noise. p = 0 returns x itself.
     */
    dropout(x: number, p: number): number {
      if (!(p > 0) || !g.training) return x;
      const shape = shapeOf(x);
      if (device === "cuda") {
        return g.op({
          name: "native_dropout",
          inputs: [x],
          outputs: [{ shape, dtype: dtypeOf(x) }, { shape, dtype: "bool", noGrad: true }],
          save: (_i, o) => [o[1]],
        })[0];
      }
      const [noise] = g.op({ name: "bernoulli_", inputs: [], outputs: [{ shape, dtype: dtypeOf(x), noGrad: true }] });
      return ops.mul(x, noise, "dropout_mul");
    },
    /** `F.cross_entropy(logits2d, target)`: log-softmax (saves its output) then NLL (saves the target). */
    crossEntropy(logits: number, target: number): number {
      const lp = ops.unary("log_softmax", logits, "output");
      return g.op({ name: "nll_loss", inputs: [lp, target], outputs: [{ shape: [], dtype: dtypeOf(lp) }], save: (i) => [i[1]] })[0];
    },
    /** A tensor made without inputs (`torch.arange`, `torch.where` over constants, a mask): no gradient. */
    constant(name: string, shape: number[], dtype: SimDtype, category?: Category): number {
      return g.op({ name, inputs: [], outputs: [{ shape, dtype, category, noGrad: true }] })[0];
    },
  };
  return ops;
}

/** PyTorch's type promotion between floating types of the same kind: the wider wins (`bf16 + fp32` is fp32). */
export function promote(a: SimDtype, b: SimDtype): SimDtype {
  const rank = (d: SimDtype) => (d === "float32" ? 3 : d === "bfloat16" || d === "float16" ? 2 : 1);
  return rank(b) > rank(a) ? b : a;
}
