import { IntervalLists } from "./intervalLists.js";
import { IntervalUnion } from "./intervalUnion.js";

/**
 * For the nodes 1 .. top-1 of a segment tree (node v's children are 2v and 2v+1) whose node v holds
 * list v of `covers`: the union of the covers of a node and all its ancestors, kept and remade only
 * when stale. The covers near the root hold long-lived buffers and rarely change, so most queries
 * find the union made: one list instead of one per level.
 * `changed(v)` must be called whenever cover v changes; staleness is found with version stamps
 * (a clock ticks at each change and each remaking), a walk of the node's ancestors.
 */
export class PathUnions {
  /** The unions: `of(v)` names the list. */
  readonly lists: IntervalLists;
  private readonly covers: IntervalLists;
  // version[v]: the clock when cover v last changed; made[v]: when v's union was made; ref[v]: the
  // node whose list is v's union (v, or its parent's when cover v was empty then).
  private readonly version: Int32Array;
  private readonly made: Int32Array;
  private readonly ref: Int32Array;
  private readonly chain = new Int32Array(64);
  private readonly scratch = new IntervalUnion();
  private clock = 1;

  constructor(covers: IntervalLists, top: number) {
    this.covers = covers;
    this.lists = new IntervalLists(top, 64 * top);
    this.version = new Int32Array(top);
    this.made = new Int32Array(top);
    this.ref = new Int32Array(top);
  }

  /** Notes that cover `node` (1 <= node < top) has changed. */
  changed(node: number): void {
    this.version[node] = this.clock++;
  }

  /** The list of `lists` holding the union of the covers of `node` (1 <= node < top) and its ancestors. */
  of(node: number): number {
    const { chain, made, version, ref, covers } = this;
    let links = 0;
    for (let v = node; v >= 1; v >>= 1) chain[links++] = v;
    // Remade from the highest stale node down: a node is stale when its cover or its parent's
    // union changed since it was made.
    let above = 0;
    for (let j = links - 1; j >= 0; j--) {
      const v = chain[j];
      if (made[v] <= version[v] || made[v] <= above) {
        const p = v >> 1;
        if (covers.length[v] === 0) ref[v] = p >= 1 ? ref[p] : v;
        else {
          ref[v] = v;
          if (p >= 1) {
            this.scratch.clear();
            this.scratch.addList(this.lists, ref[p]);
            this.scratch.addList(covers, v);
            this.lists.set(v, this.scratch.list, 0, this.scratch.length);
          } else this.lists.set(v, covers.data, covers.start[v], covers.length[v]);
        }
        made[v] = this.clock++;
      }
      above = made[v];
    }
    return ref[node];
  }
}
