import type { Attention, AttentionVariant } from "./attention.js";
import { naiveAttention } from "./naive.js";
import { chunkedAttention } from "./chunked.js";
import { chunkedRecomputeAttention } from "./chunkedRecompute.js";
import { flashAttention } from "./flash.js";

/** Every attention variant by name (a plain record of functions). */
export const attentionVariants: Readonly<Record<AttentionVariant, Attention>> = {
  naive: naiveAttention,
  chunked: chunkedAttention,
  "chunked-recompute": chunkedRecomputeAttention,
  flash: flashAttention,
};
