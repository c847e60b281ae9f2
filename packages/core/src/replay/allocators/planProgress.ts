/** How many placements `plannedArena`'s `onProgress` waits between two calls (both plan engines: JS and WebAssembly). */
export const PLAN_PROGRESS_EVERY = 1 << 14;
