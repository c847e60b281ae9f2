/// <reference lib="dom" />
// The report's one script plays two parts: in the page it runs `main` (the page); started as the
// page's Web Worker (from its own text, as a blob: URL) it serves what-if replays. `main` and its
// imports (d3, the DOM code) are bundled lazily, so the worker never runs them.
import { serveWhatIf, type WhatIfScope } from "./whatIfWorker.js";

if (typeof document === "undefined") serveWhatIf(self as unknown as WhatIfScope);
else void import("./main.js");
