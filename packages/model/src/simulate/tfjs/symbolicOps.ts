import { SymEngine, SymTensor, type GradConfig, type TfDtype } from "./symbolicEngine.js";

/**
 * The tfjs ops the transformer step uses, over a `SymEngine`: output shapes, which outputs share an
 * input's buffer, what each kernel saves, and gradient functions written as in tfjs-core 4.22
 * (`dist/gradients/*_grad.js`), so that the gradient's own temporaries and leaks are the same.
 */
export type Arg = SymTensor | number;

export function symbolicOps(e: SymEngine) {
  const cpu = e.backend === "cpu";
  /** convertToTensor: a number becomes a new float32 scalar. */
  const t = (x: Arg): SymTensor => (typeof x === "number" ? e.scalar() : x);

  const broadcastShape = (a: number[], b: number[]): number[] => {
    const n = Math.max(a.length, b.length);
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const x = a[a.length - n + i] ?? 1;
      const y = b[b.length - n + i] ?? 1;
      out.push(Math.max(x, y));
    }
    return out;
  };
  /** `broadcast_util.getReductionAxes`. */
  const reductionAxes = (inShape: number[], outShape: number[]): number[] => {
    const axes: number[] = [];
    for (let i = 0; i < outShape.length; i++) {
      const inDim = inShape[inShape.length - i - 1];
      const outAxis = outShape.length - i - 1;
      const outDim = outShape[outAxis];
      if (inDim === undefined || (inDim === 1 && outDim > 1)) axes.unshift(outAxis);
    }
    return axes;
  };
  const parseAxes = (axis: number | number[] | null, rank: number): number[] =>
    axis === null ? Array.from({ length: rank }, (_, i) => i) : (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a));
  const reducedShape = (shape: number[], axes: number[], keepDims: boolean) =>
    keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));

  const binary = (kernel: string, a: Arg, b: Arg, grad: GradConfig | ((A: SymTensor, B: SymTensor, out: number[]) => GradConfig), dtype?: TfDtype): SymTensor =>
    e.op(() => {
      const A = t(a);
      const B = t(b);
      const out = broadcastShape(A.shape, B.shape);
      const g = typeof grad === "function" ? grad(A, B, out) : grad;
      return e.kernel(kernel, { a: A, b: B }, [{ shape: out, dtype: dtype ?? A.dtype }], g)[0];
    });
  const unary = (kernel: string, x: SymTensor, grad?: GradConfig, dtype?: TfDtype): SymTensor =>
    e.op(() => e.kernel(kernel, { x }, [{ shape: x.shape, dtype: dtype ?? x.dtype }], grad)[0]);

  /** A broadcast input's gradient: `dy` summed over the axes the input was broadcast along (tfjs's binary gradients). */
  const sumToShape = (res: SymTensor, shape: number[], out: number[]): SymTensor => {
    const axes = reductionAxes(shape, out);
    return axes.length > 0 ? ops.sum(res, axes) : res;
  };

  const ops = {
    add: (a: Arg, b: Arg): SymTensor =>
      binary("Add", a, b, (A, B, out) => ({
        inputsToSave: ["a", "b"],
        gradFunc: (dy) => ({
          a: () => ops.reshape(sumToShape(dy, A.shape, out), A.shape),
          b: () => ops.reshape(sumToShape(dy, B.shape, out), B.shape),
        }),
      })),
    sub: (a: Arg, b: Arg): SymTensor =>
      binary("Sub", a, b, (A, B, out) => ({
        inputsToSave: ["a", "b"],
        gradFunc: (dy) => ({
          a: () => ops.reshape(sumToShape(dy, A.shape, out), A.shape),
          b: () => ops.reshape(ops.neg(sumToShape(dy, B.shape, out)), B.shape),
        }),
      })),
    mul: (a: Arg, b: Arg): SymTensor =>
      binary("Multiply", a, b, (A, B, out) => ({
        inputsToSave: ["a", "b"],
        gradFunc: (dy, saved) => ({
          a: () => {
            const res = ops.mul(dy, ops.cast(saved[1], "float32"));
            const axes = reductionAxes(A.shape, out);
            return axes.length > 0 ? ops.reshape(ops.sum(res, axes), A.shape) : res;
          },
          b: () => {
            const res = ops.mul(dy, ops.cast(saved[0], "float32"));
            const axes = reductionAxes(B.shape, out);
            return axes.length > 0 ? ops.reshape(ops.sum(res, axes), B.shape) : res;
          },
        }),
      })),
    div: (a: Arg, b: Arg): SymTensor =>
      binary("RealDiv", a, b, (A, B, out) => ({
        inputsToSave: ["a", "b"],
        gradFunc: (dy, saved) => ({
          a: () => {
            const res = ops.div(dy, ops.cast(saved[1], "float32"));
            const axes = reductionAxes(A.shape, out);
            return axes.length > 0 ? ops.reshape(ops.sum(res, axes), A.shape) : res;
          },
          b: () => {
            let res = ops.mul(dy, ops.cast(saved[0], "float32"));
            const axes = reductionAxes(B.shape, out);
            if (axes.length > 0) res = ops.reshape(ops.sum(res, axes), B.shape);
            const tmp = ops.square(saved[1]);
            return ops.neg(ops.div(res, ops.cast(tmp, "float32")));
          },
        }),
      })),
    maximum: (a: Arg, b: Arg): SymTensor =>
      binary("Maximum", a, b, {
        inputsToSave: ["a", "b"],
        gradFunc: (dy, saved) => ({
          a: () => ops.mul(dy, ops.cast(ops.compare("GreaterEqual", saved[0], saved[1]), "float32")),
          b: () => ops.mul(dy, ops.cast(ops.compare("Less", saved[0], saved[1]), "float32")),
        }),
      }),
    compare: (kernel: string, a: Arg, b: Arg): SymTensor => binary(kernel, a, b, { gradFunc: () => ({}) }, "bool"),
    pow: (a: Arg, b: Arg): SymTensor =>
      e.op(() => {
        const A = t(a);
        const B = t(b);
        const out = broadcastShape(A.shape, B.shape);
        return e.kernel("Pow", { a: A, b: B }, [{ shape: out, dtype: A.dtype }], {
          inputsToSave: ["a", "b"],
          outputsToSave: [true],
          gradFunc: (dy, saved) => ({
            a: () => {
              const [base, exp] = saved;
              const expFloat = ops.cast(exp, "float32");
              const res = ops.mul(dy, ops.mul(expFloat, ops.pow(base, ops.sub(expFloat, e.scalar()))));
              return ops.reshape(sumToShape(res, base.shape, out), base.shape);
            },
            b: () => {
              const [base, , y] = saved;
              const condition = ops.compare("Greater", base, 0);
              const logBase = ops.where(condition, ops.log(base), ops.zerosLike(base));
              const res = ops.mul(dy, ops.mul(y, logBase));
              return ops.reshape(sumToShape(res, B.shape, out), B.shape);
            },
          }),
        })[0];
      }),
    where: (c: SymTensor, a: SymTensor, b: SymTensor): SymTensor =>
      e.op(() => e.kernel("Select", { condition: c, t: a, e: b }, [{ shape: a.shape, dtype: a.dtype }], { inputsToSave: ["condition"], gradFunc: () => ({}) })[0]),
    neg: (x: SymTensor): SymTensor => unary("Neg", x, { gradFunc: (dy) => ({ x: () => ops.neg(dy) }) }),
    square: (x: SymTensor): SymTensor =>
      unary("Square", x, { inputsToSave: ["x"], gradFunc: (dy, saved) => ({ x: () => ops.mul(dy, ops.mul(ops.cast(saved[0], "float32"), 2)) }) }),
    sqrt: (x: SymTensor): SymTensor =>
      unary("Sqrt", x, { inputsToSave: ["x"], gradFunc: (dy, saved) => ({ x: () => ops.div(dy, ops.mul(ops.sqrt(ops.cast(saved[0], "float32")), 2)) }) }),
    rsqrt: (x: SymTensor): SymTensor =>
      unary("Rsqrt", x, { inputsToSave: ["x"], gradFunc: (dy, saved) => ({ x: () => ops.neg(ops.div(dy, ops.mul(ops.pow(saved[0], 1.5), 2))) }) }),
    exp: (x: SymTensor): SymTensor => unary("Exp", x, { outputsToSave: [true], gradFunc: (dy, saved) => ({ x: () => ops.mul(dy, saved[0]) }) }),
    log: (x: SymTensor): SymTensor => unary("Log", x, { inputsToSave: ["x"], gradFunc: (dy, saved) => ({ x: () => ops.div(dy, ops.cast(saved[0], "float32")) }) }),
    tanh: (x: SymTensor): SymTensor =>
      unary("Tanh", x, {
        outputsToSave: [true],
        gradFunc: (dy, saved) => ({
          x: () => {
            const one = e.scalar();
            return ops.mul(ops.sub(one, ops.square(saved[0])), dy);
          },
        }),
      }),
    sigmoid: (x: SymTensor): SymTensor =>
      unary("Sigmoid", x, {
        outputsToSave: [true],
        gradFunc: (dy, saved) => ({
          x: () => {
            const one = e.scalar();
            return ops.mul(dy, ops.mul(saved[0], ops.sub(one, saved[0])));
          },
        }),
      }),
    softmax: (x: SymTensor): SymTensor =>
      e.op(() =>
        e.kernel("Softmax", { logits: x }, [{ shape: x.shape, dtype: x.dtype }], {
          outputsToSave: [true],
          gradFunc: (dy, saved) => {
            const y = saved[0];
            const dyTimesY = ops.mul(dy, y);
            return { logits: () => ops.sub(dyTimesY, ops.mul(ops.sum(dyTimesY, [-1], true), y)) };
          },
        })[0],
      ),
    sum: (x: SymTensor, axis: number | number[] | null = null, keepDims = false): SymTensor =>
      e.op(() => {
        const X = x.dtype === "bool" ? ops.cast(x, "int32") : x;
        const axes = parseAxes(axis, X.rank);
        return e.kernel("Sum", { x: X }, [{ shape: reducedShape(X.shape, axes, keepDims), dtype: X.dtype }], {
          inputsToSave: ["x"],
          gradFunc: (dy, saved) => {
            const s = saved[0];
            const expanded = s.shape.map((d, i) => (axes.includes(i) ? 1 : d));
            const expandedDy = ops.reshape(dy, expanded);
            const derX = ops.mul(expandedDy, e.makeTensor(s.shape, "float32"));
            return { x: () => derX };
          },
        })[0];
      }),
    mean: (x: SymTensor, axis: number | number[] | null = null, keepDims = false): SymTensor =>
      e.op(() => {
        const axes = parseAxes(axis, x.rank);
        return e.kernel("Mean", { x }, [{ shape: reducedShape(x.shape, axes, keepDims), dtype: "float32" }], {
          inputsToSave: ["x"],
          gradFunc: (dy, saved) => ({
            x: () => {
              const s = saved[0];
              let reduceSize = 1;
              for (const a of axes) reduceSize *= s.shape[a];
              const expandedDy = ops.reshape(dy, s.shape.map((d, i) => (axes.includes(i) ? 1 : d)));
              return ops.div(ops.mul(expandedDy, e.makeTensor(s.shape, "float32")), reduceSize);
            },
          }),
        })[0];
      }),
    max: (x: SymTensor, axis: number | number[], keepDims = false): SymTensor =>
      e.op(() => {
        const axes = parseAxes(axis, x.rank);
        return e.kernel("Max", { x }, [{ shape: reducedShape(x.shape, axes, keepDims), dtype: x.dtype }], {
          inputsToSave: ["x"],
          outputsToSave: [true],
          gradFunc: (dy, saved) => {
            const [xOrig] = saved;
            let y = saved[1];
            let d = dy;
            const keep = xOrig.shape.map((n, i) => (axes.includes(i) ? 1 : n));
            if (y.rank < xOrig.rank) y = ops.reshape(y, keep);
            if (d.rank < xOrig.rank) d = ops.reshape(d, keep);
            return { x: () => ops.mul(d, ops.cast(ops.compare("Equal", xOrig, y), d.dtype)) };
          },
        })[0];
      }),
    logSumExp: (x: SymTensor, axis: number, keepDims: boolean): SymTensor =>
      e.op(() => {
        const axes = parseAxes(axis, x.rank);
        const xMax = ops.max(x, axes, true);
        const a = ops.sub(x, xMax);
        const b = ops.exp(a);
        const c = ops.sum(b, axes);
        const d = ops.log(c);
        const res = ops.add(ops.reshape(xMax, d.shape), d);
        return keepDims ? ops.reshape(res, reducedShape(x.shape, axes, true)) : res;
      }),
    matMul: (a: SymTensor, b: SymTensor, transposeA = false, transposeB = false): SymTensor =>
      e.op(() => {
        const ra = a.rank;
        const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
        const n = transposeB ? b.shape[b.rank - 2] : b.shape[b.rank - 1];
        const batch = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
        return e.kernel("BatchMatMul", { a, b }, [{ shape: [...batch, m, n], dtype: "float32" }], {
          inputsToSave: ["a", "b"],
          gradFunc: (dy, saved) => {
            const [A, B] = saved;
            if (!transposeA && !transposeB) return { a: () => ops.matMul(dy, B, false, true), b: () => ops.matMul(A, dy, true, false) };
            if (!transposeA && transposeB) return { a: () => ops.matMul(dy, B, false, false), b: () => ops.matMul(dy, A, true, false) };
            if (transposeA && !transposeB) return { a: () => ops.matMul(B, dy, false, true), b: () => ops.matMul(A, dy, false, false) };
            return { a: () => ops.matMul(B, dy, true, true), b: () => ops.matMul(dy, A, true, true) };
          },
        })[0];
      }),
    reshape: (x: SymTensor, shape: number[]): SymTensor =>
      e.op(() =>
        e.kernel("Reshape", { x }, [{ shape, dtype: x.dtype, share: x }], {
          inputsToSave: ["x"],
          gradFunc: (dy, saved) => ({ x: () => ops.reshape(dy, saved[0].shape) }),
        })[0],
      ),
    transpose: (x: SymTensor, perm: number[]): SymTensor =>
      e.op(() => {
        if (x.rank <= 1) return e.clone(x);
        const undo = perm.map((_, i) => perm.indexOf(i));
        return e.kernel("Transpose", { x }, [{ shape: perm.map((p) => x.shape[p]), dtype: x.dtype }], {
          gradFunc: (dy) => ({ x: () => ops.transpose(dy, undo) }),
        })[0];
      }),
    slice: (x: SymTensor, begin: number[], size: number[]): SymTensor =>
      e.op(() => {
        const sz = size.map((s, i) => (s === -1 ? x.shape[i] - begin[i] : s));
        return e.kernel("Slice", { x }, [{ shape: sz, dtype: x.dtype }], {
          inputsToSave: ["x"],
          gradFunc: (dy, saved) => ({ x: () => ops.pad(dy, saved[0].shape.map((d, i) => [begin[i], d - begin[i] - sz[i]] as [number, number])) }),
        })[0];
      }),
    pad: (x: SymTensor, paddings: [number, number][]): SymTensor =>
      e.op(() =>
        e.kernel("PadV2", { x }, [{ shape: x.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]), dtype: x.dtype }], {
          inputsToSave: ["x"],
          gradFunc: (dy, saved) => ({ x: () => ops.slice(dy, paddings.map((p) => p[0]), saved[0].shape) }),
        })[0],
      ),
    concat: (xs: SymTensor[], axis: number): SymTensor =>
      e.op(() => {
        if (xs.length === 1) return e.clone(xs[0]);
        const ax = axis < 0 ? axis + xs[0].rank : axis;
        const shape = xs[0].shape.slice();
        shape[ax] = xs.reduce((acc, x) => acc + x.shape[ax], 0);
        const inputs: Record<string, SymTensor> = {};
        xs.forEach((x, i) => (inputs[i] = x));
        return e.kernel("Concat", inputs, [{ shape, dtype: xs[0].dtype }], {
          saveAllInputs: true,
          gradFunc: (dy, saved) => {
            const parts = ops.split(dy, saved.map((s) => s.shape[ax]), ax);
            const thunks: Record<string, () => SymTensor> = {};
            parts.forEach((p, i) => (thunks[i] = () => p));
            return thunks;
          },
        })[0];
      }),
    split: (x: SymTensor, sizes: number[], axis: number): SymTensor[] =>
      e.op(() =>
        e.kernel(
          "SplitV",
          { x },
          sizes.map((n) => ({ shape: x.shape.map((d, i) => (i === axis ? n : d)), dtype: x.dtype })),
        ),
      ),
    /** Cast: cpu shares the buffer when no precision is lost (int32/bool/float32 to float32); wasm copies. */
    cast: (x: SymTensor, dtype: TfDtype): SymTensor =>
      e.op(() => {
        const shares = cpu && (dtype === "float32" || x.dtype === dtype);
        return e.kernel("Cast", { x }, [{ shape: x.shape, dtype, share: shares ? x : undefined }], { gradFunc: (dy) => ({ x: () => e.clone(dy) }) })[0];
      }),
    oneHot: (indices: SymTensor, depth: number): SymTensor =>
      e.op(() =>
        e.kernel("OneHot", { indices }, [{ shape: [...indices.shape, depth], dtype: "int32" }], {
          inputsToSave: ["indices"],
          gradFunc: (_dy, saved) => ({ indices: () => e.makeTensor(saved[0].shape, "float32") }),
        })[0],
      ),
    gather: (x: SymTensor, indices: SymTensor): SymTensor =>
      e.op(() =>
        e.kernel("GatherV2", { x, indices }, [{ shape: [...indices.shape, ...x.shape.slice(1)], dtype: x.dtype }], {
          inputsToSave: ["x", "indices"],
          gradFunc: (dy, saved) => ({
            x: () => {
              const [X, idx] = saved;
              const values = ops.reshape(dy, [idx.size, ...X.shape.slice(1)]);
              const flatIdx = ops.reshape(idx, [idx.size]);
              const perm = Array.from({ length: X.rank }, (_, i) => i);
              const valuesT = ops.transpose(values, perm);
              const summed = e.op(() => e.kernel("UnsortedSegmentSum", { x: valuesT, segmentIds: flatIdx }, [{ shape: X.shape.slice(), dtype: "float32" }])[0]);
              return ops.transpose(summed, perm);
            },
            indices: () => idx(saved),
          }),
        })[0],
      ),
    zerosLike: (x: SymTensor): SymTensor =>
      e.op(() => e.kernel("ZerosLike", { x }, [{ shape: x.shape, dtype: x.dtype }], { gradFunc: (dy) => ({ x: () => ops.zerosLike(dy) }) })[0]),
  };
  const idx = (saved: SymTensor[]) => saved[1];
  return ops;
}

export type SymOps = ReturnType<typeof symbolicOps>;
