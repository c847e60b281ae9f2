/** The backends hbmscope can profile on (names only: importing this loads no TensorFlow.js). */
export const BACKENDS = ["wasm", "cpu", "tensorflow"] as const;
export type BackendName = (typeof BACKENDS)[number];
