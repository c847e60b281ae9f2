/**
 * What a notebook's committed outputs must keep when the notebook is executed again, and how the
 * outputs are committed. `pnpm test:notebooks` compares a fresh execution with the committed
 * notebook through `outputProblems`; `pnpm test:notebooks --update` writes `committedNotebook`.
 *
 * - Text (a cell's value, printed output, an error) must be the same, every number exactly.
 * - A chart (`image/svg+xml`) must have the same title, description and text (every label, tick
 *   and value drawn) and the same elements in the same order; coordinates may move by float noise.
 * - An HTML page (a report) must still be there; it is not committed (megabytes, and GitHub does
 *   not show it), its text/plain stays.
 */

export interface NotebookOutput {
  output_type: string;
  data?: Record<string, unknown>;
  text?: string | string[];
  name?: string;
  ename?: string;
  evalue?: string;
  metadata?: Record<string, unknown>;
  execution_count?: number | null;
  traceback?: string[];
}
export interface NotebookCell {
  cell_type: string;
  source: string | string[];
  outputs?: NotebookOutput[];
  execution_count?: number | null;
  metadata?: Record<string, unknown>;
  id?: string;
}
export interface Notebook {
  cells: NotebookCell[];
  metadata?: Record<string, unknown>;
  nbformat?: number;
  nbformat_minor?: number;
}

const joined = (v: unknown): string => (Array.isArray(v) ? v.join("") : typeof v === "string" ? v : JSON.stringify(v ?? null));

/** What must reproduce of a chart: title, description, every text drawn, and the element sequence. */
export function svgDigest(svg: string): { title: string; desc: string; texts: string[]; elements: string } {
  const first = (re: RegExp) => re.exec(svg)?.[1] ?? "";
  return {
    title: first(/<title>([^<]*)<\/title>/),
    desc: first(/<desc>([^<]*)<\/desc>/),
    texts: [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]),
    elements: [...svg.matchAll(/<([a-zA-Z]+)[\s>/]/g)].map((m) => m[1]).join(","),
  };
}

/** One output reduced to what must reproduce (see the file comment). */
export function outputDigest(o: NotebookOutput): unknown {
  if (o.output_type === "stream") return { stream: o.name, text: joined(o.text) };
  if (o.output_type === "error") return { error: o.ename, value: o.evalue };
  const data = o.data ?? {};
  if (data["image/svg+xml"] !== undefined) return { svg: svgDigest(joined(data["image/svg+xml"])) };
  if (data["text/html"] !== undefined || o.metadata?.["hbmscope/html-removed"]) return { html: true, text: joined(data["text/plain"]) };
  return { text: joined(data["text/plain"]) };
}

/** The code cells' outputs, reduced; streams of one cell merged (a kernel may split them anywhere). */
export function notebookDigest(nb: Notebook): unknown[][] {
  return nb.cells
    .filter((c) => c.cell_type === "code")
    .map((c) => {
      const out: unknown[] = [];
      for (const o of c.outputs ?? []) {
        const d = outputDigest(o) as { stream?: string; text?: string };
        const last = out[out.length - 1] as { stream?: string; text?: string } | undefined;
        if (d.stream !== undefined && last?.stream === d.stream) last.text += d.text ?? "";
        else out.push(d);
      }
      return out;
    });
}

const short = (v: unknown) => {
  const s = JSON.stringify(v);
  return s.length > 300 ? s.slice(0, 300) + "…" : s;
};

/** Where the fresh execution's outputs differ from the committed ones; empty when they agree. */
export function outputProblems(committed: Notebook, executed: Notebook): string[] {
  const a = notebookDigest(committed);
  const b = notebookDigest(executed);
  const problems: string[] = [];
  if (a.length !== b.length) return [`the notebook has ${b.length} code cells, the committed one ${a.length}`];
  a.forEach((was, k) => {
    const now = b[k];
    if (was.length === 0 && now.length > 0) {
      problems.push(`code cell ${k + 1}: committed without outputs (run pnpm test:notebooks --update and commit the notebook)`);
      return;
    }
    if (JSON.stringify(was) === JSON.stringify(now)) return;
    if (was.length !== now.length) {
      problems.push(`code cell ${k + 1}: ${now.length} outputs, committed ${was.length}`);
      return;
    }
    was.forEach((w, j) => {
      const n = now[j];
      if (JSON.stringify(w) === JSON.stringify(n)) return;
      const ws = (w as { svg?: ReturnType<typeof svgDigest> }).svg;
      const ns = (n as { svg?: ReturnType<typeof svgDigest> }).svg;
      if (ws && ns) {
        for (const key of ["title", "desc", "elements"] as const) {
          if (ws[key] !== ns[key]) problems.push(`code cell ${k + 1}, chart: ${key} differs: committed ${short(ws[key])}, now ${short(ns[key])}`);
        }
        const i = ws.texts.findIndex((t, x) => t !== ns.texts[x]);
        if (i >= 0 || ws.texts.length !== ns.texts.length) {
          const at = i >= 0 ? i : Math.min(ws.texts.length, ns.texts.length);
          problems.push(`code cell ${k + 1}, chart: text ${at + 1} differs: committed ${short(ws.texts[at])}, now ${short(ns.texts[at])}`);
        }
      } else {
        problems.push(`code cell ${k + 1}: output ${j + 1} differs: committed ${short(w)}, now ${short(n)}`);
      }
    });
  });
  return problems;
}

/**
 * The executed notebook as it is committed: outputs kept (text, SVG charts), HTML pages replaced
 * by their text/plain with a note in the output's metadata, execution metadata (timings) dropped.
 */
export function committedNotebook(executed: Notebook): Notebook {
  return {
    ...executed,
    cells: executed.cells.map((c) => {
      if (c.cell_type !== "code") return c;
      const { metadata, ...rest } = c;
      const { execution: _timings, ...keep } = (metadata ?? {}) as Record<string, unknown>;
      return {
        ...rest,
        metadata: keep,
        outputs: (c.outputs ?? []).map((o) => {
          if (!o.data?.["text/html"]) return o;
          const { "text/html": _html, ...data } = o.data;
          return { ...o, data, metadata: { ...(o.metadata ?? {}), "hbmscope/html-removed": "a report page: run the notebook to see it" } };
        }),
      };
    }),
  };
}
