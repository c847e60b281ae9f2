import { escapeXml } from "./escapeXml.js";

/** The font stack of every chart (DejaVu Sans is what most Linux renderers have). */
export const FONT = "system-ui, -apple-system, Segoe UI, Helvetica, Arial, DejaVu Sans, sans-serif";

/** A number for SVG markup: at most 2 decimals, no trailing zeros, no `-0`. */
export function num(value: number): string {
  const r = Math.round(value * 100) / 100;
  return Object.is(r, -0) ? "0" : String(r);
}

/** Rough width in pixels of `text` at `fontSize` (no DOM to measure with: 0.6 em per character). */
export function textWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.6;
}

/** Longest label drawn, in characters: longer ones are cut with an ellipsis (a name can be 200,000 characters long). */
export const MAX_LABEL = 80;

/** `label` cut to at most `max` characters, the last one an ellipsis when it was longer. */
export function clipLabel(label: string, max = MAX_LABEL): string {
  if (label.length <= max) return label;
  return label.slice(0, Math.max(0, max - 1)) + "…";
}

export interface TextOptions {
  anchor?: "start" | "middle" | "end";
  size?: number;
  weight?: "normal" | "bold";
  fill?: string;
  /** dominant baseline shift: `0.32em` centres the text on y. */
  dy?: string;
  transform?: string;
  /** Longest content in characters; longer is cut with an ellipsis. @defaultValue `MAX_LABEL` (80) */
  max?: number;
}

/** A `<text>` element; `content` is escaped. */
export function text(x: number, y: number, content: string, o: TextOptions = {}): string {
  let attrs = `x="${num(x)}" y="${num(y)}"`;
  if (o.anchor && o.anchor !== "start") attrs += ` text-anchor="${o.anchor}"`;
  if (o.size) attrs += ` font-size="${o.size}"`;
  if (o.weight === "bold") attrs += ` font-weight="bold"`;
  if (o.fill) attrs += ` fill="${o.fill}"`;
  if (o.dy) attrs += ` dy="${o.dy}"`;
  if (o.transform) attrs += ` transform="${o.transform}"`;
  return `<text ${attrs}>${escapeXml(clipLabel(content, o.max ?? MAX_LABEL))}</text>`;
}

/** A standalone SVG document: xmlns, viewBox, `<title>` and `<desc>` (escaped) for accessibility. */
export function svgDocument(o: { width: number; height: number; title: string; desc: string; body: string[] }): string {
  const { width, height } = o;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" role="img" font-family="${escapeXml(FONT)}" font-size="11">`,
    `<title>${escapeXml(o.title)}</title>`,
    `<desc>${escapeXml(o.desc)}</desc>`,
    `<rect width="${num(width)}" height="${num(height)}" fill="#fff"/>`,
    ...o.body,
    `</svg>`,
    "",
  ].join("\n");
}
