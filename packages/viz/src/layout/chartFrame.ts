/** What every chart layout has: its size in pixels, its accessible title and description, and the plot area. */
export interface ChartFrame {
  width: number;
  height: number;
  title: string;
  /** The setup the chart shows, drawn under the title and leading the description; "" for none. */
  subtitle: string;
  desc: string;
  /** The plot area inside the margins, in pixels. */
  plot: { left: number; top: number; right: number; bottom: number };
}

/** The description with the subtitle in front of it (what a screen reader hears first). */
export function withSubtitle(subtitle: string, desc: string): string {
  return subtitle ? `${subtitle}. ${desc}` : desc;
}
