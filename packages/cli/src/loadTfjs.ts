import { CliError } from "./cliError.js";

/** The packages a step needs, at the version `@hbmscope/tfjs` is built against. */
export const TFJS_PACKAGES = ["@tensorflow/tfjs-core@4.22.0", "@tensorflow/tfjs-backend-cpu@4.22.0", "@tensorflow/tfjs-backend-wasm@4.22.0"];

/**
 * Loads `@hbmscope/tfjs` (and with it TensorFlow.js) on first use: only `profile` and
 * `compare-attention` run a step, so every other command starts without it and works with no
 * `@tensorflow/*` package installed. A missing package becomes one line saying what to install.
 */
export async function loadTfjs(command: string): Promise<typeof import("@hbmscope/tfjs")> {
  try {
    return await import("@hbmscope/tfjs");
  } catch (e) {
    const message = String((e as Error)?.message ?? e);
    const missing = /@tensorflow\/[\w-]+/.exec(message)?.[0];
    if (isNotFound(e) && missing) {
      throw new CliError(`${command} runs a TensorFlow.js step and needs ${missing}, which is not installed: run \`npm i ${TFJS_PACKAGES.join(" ")}\``);
    }
    throw e;
  }
}

function isNotFound(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND" || /cannot find (package|module)/i.test(String((e as Error)?.message));
}
