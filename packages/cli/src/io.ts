/** Where a command writes; tests pass their own to capture output. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Bytes to standard output (a pickle written with `--out -`); without it, binary output to stdout is refused. */
  stdoutBytes?: (bytes: Uint8Array) => void;
  /** Directory relative paths resolve against. */
  cwd: string;
}

export const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdoutBytes: (b) => process.stdout.write(b),
  cwd: process.cwd(),
};
