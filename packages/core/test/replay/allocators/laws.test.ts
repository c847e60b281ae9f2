import { bfcAllocator, cachingAllocator, ideal, plannedArena } from "@hbmscope/core";
import { allocatorLaws } from "./allocatorLaws.js";

const MiB = 2 ** 20;

allocatorLaws("ideal()", () => ideal(), { segments: false });
allocatorLaws("cachingAllocator()", () => cachingAllocator());
allocatorLaws("cachingAllocator({ maxSplitSize: 32 MiB, roundupPower2Divisions: 4 })", () =>
  cachingAllocator({ maxSplitSize: 32 * MiB, roundupPower2Divisions: 4 }),
);
allocatorLaws("cachingAllocator({ expandableSegments: true })", () => cachingAllocator({ expandableSegments: true }));
allocatorLaws("bfcAllocator()", () => bfcAllocator());
allocatorLaws("bfcAllocator({ garbageCollection: false })", () => bfcAllocator({ garbageCollection: false }));
allocatorLaws("plannedArena()", () => plannedArena());
