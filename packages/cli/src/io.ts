/** Where a command writes; tests pass their own to capture output. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Bytes to standard output (a pickle written with `--out -`); without it, binary output to stdout is refused. */
  stdoutBytes?: (bytes: Uint8Array) => void;
  /** Directory relative paths resolve against. */
  cwd: string;
  /** Whether stderr is a terminal: long work prints progress there only then. @defaultValue false */
  stderrIsTTY?: boolean;
}

export const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdoutBytes: (b) => process.stdout.write(b),
  cwd: process.cwd(),
  stderrIsTTY: process.stderr.isTTY === true,
};
