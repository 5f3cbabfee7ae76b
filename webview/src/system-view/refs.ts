// The places in the .system file that the page's clickable elements stand for: an element carries
// only an index (data-ref), and a click posts the place it stands for.
import type { ViewRef } from '../../../src/system/system-view';

export class RefTable {
  private readonly refs: ViewRef[] = [];

  add(ref: ViewRef | undefined): number | undefined {
    if (!ref) return undefined;
    this.refs.push(ref);
    return this.refs.length - 1;
  }

  get(index: string | undefined): ViewRef | undefined {
    if (index === undefined || !/^\d+$/.test(index)) return undefined;
    return this.refs[Number(index)];
  }
}
