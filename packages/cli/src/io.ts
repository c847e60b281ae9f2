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
  /**
   * Redraws the progress line on stderr (a terminal): a carriage return, `line`, and a newline when
   * `done`. `main` sets it so that the carriage return reaches the terminal while `line` is escaped
   * as all output is (see `terminalSafe`); without it, the same goes through `stderr` as is.
   */
  progress?: (line: string, done: boolean) => void;
}

export const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdoutBytes: (b) => process.stdout.write(b),
  cwd: process.cwd(),
  stderrIsTTY: process.stderr.isTTY === true,
};
