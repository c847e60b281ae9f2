export { CATEGORIES, PHASES } from "./trace/trace.js";
export type {
  Category,
  View,
  BufferView,
  Trace,
  TraceBuffer,
  TraceEvent,
  TraceMark,
  TraceMeta,
} from "./trace/trace.js";
export { TraceError } from "./trace/traceError.js";
export { lazyTrace, bufferAt, eventAt, bufferCount, eventCount, eventTimes, hasBufferPhases, isLazyPending } from "./trace/lazyTrace.js";
export { serializeTraceChunks } from "./trace/serializeTraceChunks.js";
export type { TraceRows } from "./trace/lazyTrace.js";
export { parseTrace } from "./trace/parseTrace.js";
export { readTraceSource, type ReadTraceSourceOptions } from "./trace/readTraceSource.js";
export { serializeTrace } from "./trace/serializeTrace.js";
export { traceColumns } from "./trace/traceColumns.js";
export type { TraceColumns } from "./trace/traceColumns.js";
export { timeline } from "./timeline/timeline.js";
export type { Timeline, TimelineOptions, Peak } from "./timeline/timeline.js";
export { liveAt } from "./timeline/liveAt.js";
export { eventPhases, isPhaseMark } from "./timeline/phases.js";
export { parseByteSize } from "./units/parseByteSize.js";
export { traceBuilder } from "./trace/traceBuilder.js";
export type { TraceBuilder } from "./trace/traceBuilder.js";
export type { ReplayRun, ReplaySegment, Fragmentation, OomReport } from "./replay/replayRun.js";
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
export { replay, fragmentationAt, EMPTY_CACHE } from "./replay/replay.js";
export type { ReplayOptions } from "./replay/replay.js";
export { stateAt } from "./replay/stateAt.js";
export { largestFreeAt } from "./replay/largestFreeAt.js";
export type { AllocatorSnapshot, SegmentState, BlockState } from "./replay/stateAt.js";
export type { Allocator, AllocatorInput, AllocatorState } from "./replay/allocator.js";
export { ideal } from "./replay/allocators/ideal.js";
export type { IdealAllocator } from "./replay/allocators/ideal.js";
export { cachingAllocator, cachingSegmentSize, roundupPower2NextDivision } from "./replay/allocators/cachingAllocator.js";
export type { CachingAllocator, CachingAllocatorOptions } from "./replay/allocators/cachingAllocator.js";
export { bfcAllocator, bfcBin } from "./replay/allocators/bfcAllocator.js";
export type { BfcAllocator, BfcAllocatorOptions } from "./replay/allocators/bfcAllocator.js";
export { PLAN_PROGRESS_EVERY, plannedArena } from "./replay/allocators/plannedArena.js";
export type { PlannedArena, PlannedArenaOptions } from "./replay/allocators/plannedArena.js";
export { ALLOCATOR_MODELS } from "./replay/allocatorModels.js";
export type { AllocatorFlags } from "./replay/allocatorModels.js";
export { formatBytes } from "./units/formatBytes.js";
export { cachingOptionsFromSnapshot } from "./interop/cachingOptionsFromSnapshot.js";
export { compareWithSnapshot } from "./interop/compareWithSnapshot.js";
export type { SnapshotComparison } from "./interop/compareWithSnapshot.js";
export type { TraceCounter } from "./trace/trace.js";
export { checkCounters } from "./counters/checkCounters.js";
export { parseSmiCsv } from "./counters/parseSmiCsv.js";
export type { SmiCsvOptions } from "./counters/parseSmiCsv.js";
export { parseTorchMemoryLog } from "./counters/parseTorchMemoryLog.js";
export type { TorchMemoryLogOptions } from "./counters/parseTorchMemoryLog.js";
export type { CounterLog } from "./counters/counterLog.js";
export { counterPeak } from "./counters/counterPeak.js";
export type { CounterPeak } from "./counters/counterPeak.js";
export { counterTrace } from "./counters/counterTrace.js";
