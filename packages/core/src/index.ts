export { CATEGORIES, PHASES } from "./trace.js";
export type {
  Category,
  View,
  BufferView,
  Trace,
  TraceBuffer,
  TraceEvent,
  TraceMark,
  TraceMeta,
} from "./trace.js";
export { TraceError } from "./traceError.js";
export { lazyTrace, bufferAt, eventAt, bufferCount, eventCount, eventTimes, hasBufferPhases, isLazyPending } from "./lazyTrace.js";
export { serializeTraceChunks } from "./serializeTraceChunks.js";
export type { TraceRows } from "./lazyTrace.js";
export { parseTrace } from "./parseTrace.js";
export { readTraceSource } from "./readTraceSource.js";
export { serializeTrace } from "./serializeTrace.js";
export { traceColumns } from "./traceColumns.js";
export type { TraceColumns } from "./traceColumns.js";
export { timeline } from "./timeline.js";
export type { Timeline, TimelineOptions, Peak } from "./timeline.js";
export { liveAt } from "./liveAt.js";
export { eventPhases, isPhaseMark } from "./phases.js";
export { parseByteSize } from "./parseByteSize.js";
export { traceBuilder } from "./traceBuilder.js";
export type { TraceBuilder } from "./traceBuilder.js";
export type { ReplayRun, ReplaySegment, Fragmentation, OomReport } from "./replayRun.js";
export { SnapshotError } from "./interop/snapshotError.js";
export { readPickle } from "./interop/readPickle.js";
export type { ByteSource } from "./interop/byteSource.js";
export type { PickleValue, ReadPickleOptions } from "./interop/readPickle.js";
export { writePickle } from "./interop/writePickle.js";
export { readTorchSnapshot, asTorchSnapshot } from "./interop/readTorchSnapshot.js";
export { importTorchSnapshot } from "./interop/importTorchSnapshot.js";
export type { ImportTorchSnapshotOptions, SnapshotMeta, SnapshotSegment, SnapshotSegmentEvent } from "./interop/importTorchSnapshot.js";
export type { TorchSnapshot, TorchTraceEntry, TorchSegment, TorchBlock, TorchFrame, TorchAction } from "./interop/torchSnapshot.js";
export { snapshotReserved } from "./interop/snapshotReserved.js";
export { toPerfetto } from "./interop/toPerfetto.js";
export { toPerfettoChunks } from "./interop/toPerfettoChunks.js";
export type { PerfettoTrace, TraceEventRecord, ToPerfettoOptions } from "./interop/toPerfetto.js";
export { toTorchSnapshot } from "./interop/toTorchSnapshot.js";
export type { ToTorchSnapshotOptions } from "./interop/toTorchSnapshot.js";
export { replay, fragmentationAt, EMPTY_CACHE } from "./replay.js";
export type { ReplayOptions } from "./replay.js";
export { stateAt, largestFreeAt } from "./stateAt.js";
export type { AllocatorSnapshot, SegmentState, BlockState } from "./stateAt.js";
export type { Allocator, AllocatorInput, AllocatorState } from "./allocator.js";
export { ideal } from "./allocators/ideal.js";
export type { IdealAllocator } from "./allocators/ideal.js";
export { cachingAllocator, cachingSegmentSize, roundupPower2NextDivision } from "./allocators/cachingAllocator.js";
export type { CachingAllocator, CachingAllocatorOptions } from "./allocators/cachingAllocator.js";
export { bfcAllocator, bfcBin } from "./allocators/bfcAllocator.js";
export type { BfcAllocator, BfcAllocatorOptions } from "./allocators/bfcAllocator.js";
export { plannedArena } from "./allocators/plannedArena.js";
export type { PlannedArena, PlannedArenaOptions } from "./allocators/plannedArena.js";
export { ALLOCATOR_MODELS } from "./allocatorModels.js";
export type { AllocatorFlags } from "./allocatorModels.js";
export { formatBytes } from "./formatBytes.js";
export { cachingOptionsFromSnapshot } from "./interop/cachingOptionsFromSnapshot.js";
export { compareWithSnapshot } from "./interop/compareWithSnapshot.js";
export type { SnapshotComparison } from "./interop/compareWithSnapshot.js";
export type { TraceCounter } from "./trace.js";
export { checkCounters } from "./counters/checkCounters.js";
export { parseSmiCsv } from "./counters/parseSmiCsv.js";
export type { SmiCsvOptions } from "./counters/parseSmiCsv.js";
export { parseTorchMemoryLog } from "./counters/parseTorchMemoryLog.js";
export type { TorchMemoryLogOptions } from "./counters/parseTorchMemoryLog.js";
export type { CounterLog } from "./counters/counterLog.js";
export { counterPeak } from "./counters/counterPeak.js";
export type { CounterPeak } from "./counters/counterPeak.js";
export { counterTrace } from "./counters/counterTrace.js";
