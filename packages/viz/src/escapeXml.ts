const entities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * Text from data as SVG text or attribute value: `&`, `<`, `>`, `"` and `'` become entities, so a
 * tensor named `<script>alert(1)</script>` is shown, never run. Characters XML forbids (control
 * characters other than tab, newline, return) are dropped.
 */
export function escapeXml(text: string): string {
  return String(text)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replace(/[&<>"']/g, (c) => entities[c]);
}
