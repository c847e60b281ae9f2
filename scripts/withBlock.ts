/**
 * A doc with the generated block between two marker comments replaced by `table` (the generated
 * tables of docs/estimator.md and docs/simulator.md). Throws naming the doc when a marker is missing.
 */
export function withBlock(doc: string, table: string, markers: { start: string; end: string; doc: string }): string {
  const a = doc.indexOf(markers.start);
  const b = doc.indexOf(markers.end);
  if (a < 0 || b < a) throw new Error(`${markers.doc}: markers ${markers.start} ... ${markers.end} not found`);
  return `${doc.slice(0, a + markers.start.length)}\n${table}\n${doc.slice(b)}`;
}
