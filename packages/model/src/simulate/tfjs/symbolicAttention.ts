import type { SymEngine, SymTensor } from "./symbolicEngine.js";
import type { SymOps } from "./symbolicOps.js";
import type { AttentionKind } from "../../modelSpec.js";

/**
 * The four attention variants of `@hbmscope/tfjs` (`src/attention/*.ts`), op for op, over
 * [batch, heads, seq, headDim] tensors, causal. Same scopes, same order of ops, same tidies.
 */
export function symbolicAttention(e: SymEngine, ops: SymOps, variant: Exclude<AttentionKind, "sdpa">, blockSize: number) {
  /** `blocks(seq, blockSize)`. */
  const blocks = (seq: number): [number, number][] => {
    const out: [number, number][] = [];
    for (let s = 0; s < seq; s += blockSize) out.push([s, Math.min(seq, s + blockSize)]);
    return out;
  };
  /** `causalBias(...)`: a tf.tensor2d. */
  const causalBias = (qs: number, qe: number, ks: number, ke: number) => e.makeTensor([qe - qs, ke - ks], "float32");
  const needsMask = (qs: number, ke: number) => ke - 1 > qs;

  const naive = (q: SymTensor, k: SymTensor, v: SymTensor): SymTensor =>
    e.tidy(null, () => {
      const seq = q.shape[2];
      let s = ops.matMul(ops.mul(q, 0), k, false, true);
      s = ops.add(s, causalBias(0, seq, 0, seq));
      return ops.matMul(ops.softmax(s), v);
    });

  const chunked = (q: SymTensor, k: SymTensor, v: SymTensor): SymTensor =>
    e.tidy(null, () => {
      const [b, h, seq, d] = q.shape;
      const outs = blocks(seq).map(([qs, qe]) =>
        e.tidy(null, () => {
          const ke = qe;
          const qi = ops.mul(ops.slice(q, [0, 0, qs, 0], [b, h, qe - qs, d]), 0);
          const kk = ke === seq ? k : ops.slice(k, [0, 0, 0, 0], [b, h, ke, d]);
          const vv = ke === seq ? v : ops.slice(v, [0, 0, 0, 0], [b, h, ke, d]);
          let s = ops.matMul(qi, kk, false, true);
          s = ops.add(s, causalBias(qs, qe, 0, ke));
          return ops.matMul(ops.softmax(s), vv);
        }),
      );
      return outs.length === 1 ? outs[0] : ops.concat(outs, 2);
    });

  const chunkedRecompute = (q: SymTensor, k: SymTensor, v: SymTensor): SymTensor => {
    const [b, h, seq, d] = q.shape;
    const parts = blocks(seq);
    const block = (qT: SymTensor, kT: SymTensor, vT: SymTensor, qs: number, qe: number) => {
      const ke = qe;
      const qi = ops.mul(ops.slice(qT, [0, 0, qs, 0], [b, h, qe - qs, d]), 0);
      const kk = ops.slice(kT, [0, 0, 0, 0], [b, h, ke, d]);
      const vv = ops.slice(vT, [0, 0, 0, 0], [b, h, ke, d]);
      let s = ops.matMul(qi, kk, false, true);
      s = ops.add(s, causalBias(qs, qe, 0, ke));
      return { qi, kk, vv, p: ops.softmax(s), ke };
    };
    return e.customGrad([q, k, v], (save) => {
      const outs = parts.map(([qs, qe]) =>
        e.tidy(null, () => {
          const x = block(q, k, v, qs, qe);
          return ops.matMul(x.p, x.vv);
        }),
      );
      const value = outs.length === 1 ? outs[0] : ops.concat(outs, 2);
      save([q, k, v]);
      return {
        value,
        gradFunc: (dy, saved) =>
          e.tidy(null, () => {
            const [sq, sk, sv] = saved;
            let dk = ops.zerosLike(sk);
            let dv = ops.zerosLike(sv);
            const dqs: SymTensor[] = [];
            for (const [qs, qe] of parts) {
              const next = e.tidy(null, () => {
                const x = block(sq, sk, sv, qs, qe);
                const dOi = ops.slice(dy, [0, 0, qs, 0], [b, h, qe - qs, d]);
                const pad: [number, number][] = [[0, 0], [0, 0], [0, seq - x.ke], [0, 0]];
                const dvPart = ops.matMul(x.p, dOi, true, false);
                const dp = ops.matMul(dOi, x.vv, false, true);
                const ds = ops.mul(x.p, ops.sub(dp, ops.sum(ops.mul(x.p, dp), -1, true)));
                const dq = ops.mul(ops.matMul(ds, x.kk), 0);
                const dkPart = ops.matMul(ds, x.qi, true, false);
                return {
                  dq,
                  dk: ops.add(dk, x.ke === seq ? dkPart : ops.pad(dkPart, pad)),
                  dv: ops.add(dv, x.ke === seq ? dvPart : ops.pad(dvPart, pad)),
                };
              });
              e.dispose(dk);
              e.dispose(dv);
              dk = next.dk;
              dv = next.dv;
              dqs.push(next.dq);
            }
            return [dqs.length === 1 ? dqs[0] : ops.concat(dqs, 2), dk, dv];
          }),
      };
    });
  };

  const flash = (q: SymTensor, k: SymTensor, v: SymTensor): SymTensor => {
    const [b, h, seq] = q.shape;
    const tiles = blocks(seq);
    const rows = (t: SymTensor, s: number, end: number) => ops.slice(t, [0, 0, s, 0], [b, h, end - s, t.shape[3]]);
    const scores = (qi: SymTensor, kj: SymTensor, qs: number, qe: number, ks: number, ke: number) => {
      const s = ops.matMul(qi, kj, false, true);
      return needsMask(qs, ke) ? ops.add(s, causalBias(qs, qe, ks, ke)) : s;
    };
    const visible = (qe: number, ks: number) => ks < qe;
    return e.customGrad([q, k, v], (save) => {
      const outs: SymTensor[] = [];
      const lses: SymTensor[] = [];
      for (const [qs, qe] of tiles) {
        let m: SymTensor | null = null;
        let l: SymTensor | null = null;
        let acc: SymTensor | null = null;
        for (const [ks, ke] of tiles) {
          if (!visible(qe, ks)) continue;
          const next: SymTensor[] = e.tidy(null, () => {
            const qi = ops.mul(rows(q, qs, qe), 0);
            const s = scores(qi, rows(k, ks, ke), qs, qe, ks, ke);
            const vj = rows(v, ks, ke);
            if (m === null) {
              const m0 = ops.max(s, -1, true);
              const p = ops.exp(ops.sub(s, m0));
              return [m0, ops.sum(p, -1, true), ops.matMul(p, vj)];
            }
            const mNew = ops.maximum(m, ops.max(s, -1, true));
            const alpha = ops.exp(ops.sub(m, mNew));
            const p = ops.exp(ops.sub(s, mNew));
            return [mNew, ops.add(ops.mul(l!, alpha), ops.sum(p, -1, true)), ops.add(ops.mul(acc!, alpha), ops.matMul(p, vj))];
          });
          for (const x of [m, l, acc]) e.dispose(x);
          [m, l, acc] = next;
        }
        const [o, lse] = e.tidy(null, () => [ops.div(acc!, l!), ops.add(m!, ops.log(l!))]);
        for (const x of [m, l, acc]) e.dispose(x);
        outs.push(o);
        lses.push(lse);
      }
      const value = outs.length === 1 ? outs[0] : ops.concat(outs, 2);
      const lse = lses.length === 1 ? lses[0] : ops.concat(lses, 2);
      save([q, k, v, value, lse]);
      return {
        value,
        gradFunc: (dy, saved) =>
          e.tidy(null, () => {
            const [sq, sk, sv, so, slse] = saved;
            const dRow = ops.sum(ops.mul(dy, so), -1, true);
            const dq: (SymTensor | null)[] = tiles.map(() => null);
            const dk: SymTensor[] = [];
            const dv: SymTensor[] = [];
            for (const [ks, ke] of tiles) {
              let dkj: SymTensor | null = null;
              let dvj: SymTensor | null = null;
              tiles.forEach(([qs, qe], i) => {
                if (!visible(qe, ks)) return;
                const next = e.tidy(null, () => {
                  const qi = ops.mul(rows(sq, qs, qe), 0);
                  const kj = rows(sk, ks, ke);
                  const vj = rows(sv, ks, ke);
                  const dOi = rows(dy, qs, qe);
                  const p = ops.exp(ops.sub(scores(qi, kj, qs, qe, ks, ke), rows(slse, qs, qe)));
                  const dp = ops.matMul(dOi, vj, false, true);
                  const ds = ops.mul(p, ops.sub(dp, rows(dRow, qs, qe)));
                  const dqi = ops.mul(ops.matMul(ds, kj), 0);
                  const dvPart = ops.matMul(p, dOi, true, false);
                  const dkPart = ops.matMul(ds, qi, true, false);
                  return {
                    dq: dq[i] === null ? dqi : ops.add(dq[i]!, dqi),
                    dk: dkj === null ? dkPart : ops.add(dkj, dkPart),
                    dv: dvj === null ? dvPart : ops.add(dvj, dvPart),
                  };
                });
                for (const x of [dq[i], dkj, dvj]) e.dispose(x);
                dq[i] = next.dq;
                dkj = next.dk;
                dvj = next.dv;
              });
              dk.push(dkj!);
              dv.push(dvj!);
            }
            const cat = (ts: SymTensor[]) => (ts.length === 1 ? ts[0] : ops.concat(ts, 2));
            return [cat(dq as SymTensor[]), cat(dk), cat(dv)];
          }),
      };
    });
  };

  return { naive, chunked, "chunked-recompute": chunkedRecompute, flash }[variant];
}
