import { traceTfjs, transformerStep, withBackend, type StepConfig } from "@hbmscope/tfjs";

/**
 * Tracing overhead on the standard step (the `hbmscope profile` defaults, wasm): traced and
 * untraced runs alternate in one process so both see the same machine load. The target (1.05) is
 * checked on the ratio of median CPU times (user + system of this process): wasm runs on the main
 * thread, and on a shared 2-core machine wall times swing by 2x between runs. Wall ratio printed too.
 */
export async function tfjsBench(pairs = 30, config: Partial<StepConfig> = {}) {
  return withBackend("wasm", async () => {
    const step = transformerStep(config);
    let events = 0;
    const cpu = (since: NodeJS.CpuUsage) => {
      const u = process.cpuUsage(since);
      return (u.user + u.system) / 1000;
    };
    const traced = async () => {
      const [t0, c0] = [performance.now(), process.cpuUsage()];
      const r = await traceTfjs((ctx) => step.run(ctx));
      events = r.trace.events.length;
      return [performance.now() - t0, cpu(c0)];
    };
    const plain = () => {
      const [t0, c0] = [performance.now(), process.cpuUsage()];
      step.run();
      return [performance.now() - t0, cpu(c0)];
    };
    await traced();
    plain();
    const a: number[][] = [];
    const b: number[][] = [];
    for (let i = 0; i < pairs; i++) {
      // Alternate which goes first, so neither always runs on a warmer cache.
      if (i % 2) {
        a.push(await traced());
        b.push(plain());
      } else {
        b.push(plain());
        a.push(await traced());
      }
    }
    const median = (x: number[][], k: number) => x.map((r) => r[k]).sort((p, q) => p - q)[Math.floor(x.length / 2)];
    const wall = median(a, 0) / median(b, 0);
    const ratio = median(a, 1) / median(b, 1);
    const c = step.config;
    console.log(
      `tfjs tracing overhead (wasm, vocab ${c.vocab}, hidden ${c.hidden}, seq ${c.seq}, batch ${c.batch}, ${c.attention}, ${events} events, ${pairs} pairs): ` +
        `CPU traced ${median(a, 1).toFixed(1)} ms, untraced ${median(b, 1).toFixed(1)} ms, ratio ${ratio.toFixed(3)} (target <= 1.05: ${ratio <= 1.05 ? "met" : "MISSED"}); ` +
        `wall ${median(a, 0).toFixed(1)} / ${median(b, 0).toFixed(1)} ms, ratio ${wall.toFixed(3)}`,
    );
    return ratio;
  });
}
