/**
 * TensorFlow.js as this package uses it: `@tensorflow/tfjs-core` with the cpu backend registered and
 * tfjs-core's gradients registered (the bundle in `vendor/`; tfjs-core alone registers none). Every
 * module here imports `tf` from this file, so importing any of them is enough to train.
 */
import "@tensorflow/tfjs-backend-cpu";
import "../vendor/tfjsGradients.js";

export * from "@tensorflow/tfjs-core";
