import * as tf from "./tf.js";

/** AdamW hyper-parameters; defaults are torch.optim.AdamW's (lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2). */
export interface AdamWOptions {
  /** @defaultValue `1e-3` */
  lr?: number;
  /** @defaultValue `0.9` */
  beta1?: number;
  /** @defaultValue `0.999` */
  beta2?: number;
  /** @defaultValue `1e-8` */
  eps?: number;
  /** Decoupled weight decay (Loshchilov & Hutter 2019). @defaultValue `0.01` */
  weightDecay?: number;
}

/** AdamW with explicit first/second moment variables, created at the first step. */
export interface AdamW {
  /** Updates each variable from its gradient, one `tf.tidy` per variable (no all-variable transient). */
  step(params: tf.Variable[], grads: tf.Tensor[]): void;
  /** Frees the moment variables. */
  dispose(): void;
}

export function adamw(options: AdamWOptions = {}): AdamW {
  const { lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0.01 } = options;
  const m = new Map<tf.Variable, tf.Variable>();
  const v = new Map<tf.Variable, tf.Variable>();
  let t = 0;
  return {
    step(params, grads) {
      t++;
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      params.forEach((p, i) => {
        const g = grads[i];
        if (!m.has(p)) {
          m.set(p, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
          v.set(p, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
        }
        const mp = m.get(p)!;
        const vp = v.get(p)!;
        tf.tidy(() => {
          mp.assign(tf.add(tf.mul(mp, beta1), tf.mul(g, 1 - beta1)));
          vp.assign(tf.add(tf.mul(vp, beta2), tf.mul(tf.square(g), 1 - beta2)));
          const update = tf.div(tf.div(mp, c1), tf.add(tf.sqrt(tf.div(vp, c2)), eps));
          p.assign(tf.sub(p, tf.mul(tf.add(update, tf.mul(p, weightDecay)), lr)));
        });
      });
    },
    dispose() {
      for (const x of [...m.values(), ...v.values()]) x.dispose();
      m.clear();
      v.clear();
    },
  };
}
