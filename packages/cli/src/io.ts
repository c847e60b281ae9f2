/** Where a command writes; tests pass their own to capture output. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Directory relative paths resolve against. */
  cwd: string;
  /** Whether stderr is a terminal: long work prints progress there only then. @defaultValue false */
  stderrIsTTY?: boolean;
}

export const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  cwd: process.cwd(),
  stderrIsTTY: process.stderr.isTTY === true,
};
