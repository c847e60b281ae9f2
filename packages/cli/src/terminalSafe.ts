/**
 * Control characters a terminal acts on (C0 but tab and newline, DEL, C1) and the Unicode
 * direction overrides (which reorder what is shown): a frame name in a snapshot could otherwise
 * clear the screen or set the window title (ESC sequences), or hide text.
 */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with every character a terminal would act on written as a visible `\uXXXX` escape.
 * The same escape is JSON's: JSON text (which `JSON.stringify` writes without raw C0 characters)
 * keeps its meaning, so everything the CLI prints goes through this.
 */
export function terminalSafe(text: string): string {
  UNSAFE.lastIndex = 0;
  if (!UNSAFE.test(text)) return text;
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
