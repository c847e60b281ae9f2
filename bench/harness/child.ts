/**
 * One in-process row of `pnpm bench`, in a fresh process: `child.ts <row>`. Prints the row's
 * figures as one JSON line, last, after whatever the row printed.
 */
import { rows } from "./rows.js";

const row = rows.find((r) => r.name === process.argv[2]);
if (!row?.run) throw new Error(`bench child: no in-process row named ${process.argv[2]}`);
const measured = await row.run();
process.stdout.write(`\n${JSON.stringify({ ...measured, rss: process.resourceUsage().maxRSS * 1024 })}\n`);
