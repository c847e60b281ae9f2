/** What every chart layout has: its size in pixels, its accessible title and description, and the plot area. */
export interface ChartFrame {
  width: number;
  height: number;
  title: string;
  desc: string;
  /** The plot area inside the margins, in pixels. */
  plot: { left: number; top: number; right: number; bottom: number };
}
