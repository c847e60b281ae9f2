import * as tf from "./tf.js";

import { BACKENDS, type BackendName } from "./backendNames.js";

const TFJS_NODE_HINT =
  'backend "tensorflow" needs TensorFlow.js for Node, which hbmscope does not install: run `npm i @tensorflow/tfjs-node` ' +
  "(CPU), or `npm i @tensorflow/tfjs-node-gpu` (NVIDIA GPU; needs CUDA 11.2 and cuDNN 8.1), version 4.22 to match @tensorflow/tfjs-core";

/** Registers a backend's package (an import that registers it with tfjs) without selecting it. */
async function register(name: BackendName): Promise<void> {
  if (tf.findBackendFactory(name)) return;
  if (name === "cpu") {
    await import("@tensorflow/tfjs-backend-cpu");
  } else if (name === "wasm") {
    await import("@tensorflow/tfjs-backend-wasm");
  } else if (name === "tensorflow") {
    // Optional peers, looked up at run time only: the GPU build first, then the CPU build.
    for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
      try {
        await import(/* @vite-ignore */ pkg);
        break;
      } catch (e) {
        if (!isNotFound(e, pkg)) {
          throw new Error(`backend "tensorflow": ${pkg} is installed but failed to load: ${(e as Error).message}`);
        }
      }
    }
    if (!tf.findBackendFactory("tensorflow")) throw new Error(TFJS_NODE_HINT);
  }
}

/**
 * Runs `fn` on a tfjs backend and then selects the previously active backend again (if there was
 * one), so nothing is left switched. Registering a backend (importing its package) stays: tfjs
 * has no way to unregister it, and doing it again is free.
 * @param name `wasm` (default in the CLI), `cpu`, or `tensorflow` (needs `@tensorflow/tfjs-node` or `-node-gpu`).
 */
export async function withBackend<T>(name: BackendName, fn: () => T | Promise<T>): Promise<T> {
  if (!(BACKENDS as readonly string[]).includes(name)) {
    throw new Error(`backend: unknown backend ${JSON.stringify(name)}; accepted: ${BACKENDS.join(", ")}`);
  }
  await register(name);
  const previous = (tf.engine() as unknown as { backendName: string | null }).backendName;
  if (!(await tf.setBackend(name))) throw new Error(`backend "${name}" failed to initialise`);
  try {
    return await fn();
  } finally {
    if (previous && previous !== name) await tf.setBackend(previous);
  }
}

/** Whether an import failed because the package is not installed (Node's codes, or a bundler's message). */
function isNotFound(e: unknown, pkg: string): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") return true;
  const message = String((e as Error)?.message ?? e);
  return message.includes(pkg) && /cannot find|could not resolve|failed to (load|resolve)|not found/i.test(message);
}
