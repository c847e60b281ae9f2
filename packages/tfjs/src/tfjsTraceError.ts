import type { Trace } from "@hbmscope/core";
import type { Accounting } from "./traceTfjs.js";

/** Thrown by `traceTfjs` when `fn` throws: the partial trace up to the failure is kept. */
export class TfjsTraceError extends Error {
  readonly trace: Trace;
  readonly accounting: Accounting;
  constructor(message: string, trace: Trace, accounting: Accounting, cause?: unknown) {
    super(message, { cause });
    this.name = "TfjsTraceError";
    this.trace = trace;
    this.accounting = accounting;
  }
}
