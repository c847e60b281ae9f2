/** A trace that breaks the format: `path` says where (e.g. `events[812]`). */
export class TraceError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(path ? `${path}: ${message}` : message);
    this.name = "TraceError";
    this.path = path;
  }
}
