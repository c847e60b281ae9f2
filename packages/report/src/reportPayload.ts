import type { ReportData } from "./reportData.js";

/** What a report page embeds: its runs (the first is the main one, a second is `--compare`) and the what-if it opens with. */
export interface ReportPayload {
  runs: ReportData[];
  /** One of `REPORT_ALLOCATORS`. */
  allocator: string;
  /** Capacity (the card) in bytes, or null. */
  capacity: number | null;
  /** Bytes held outside the allocator when a capacity is set (CUDA context, cuBLAS workspace). */
  reserve: number;
}
