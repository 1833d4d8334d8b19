/**
 * Upsert keys met so far in one import → the row that had each first. A million mobile numbers in a Map cost ~75 MB
 * of heap plus GC churn; held as numbers in an open-addressing table of typed arrays they cost ~24 MB, flat. Keys
 * that are not short digit strings (landlines with dashes, ID numbers) go to a Map.
 */
export class KeyIndex {
  private keys = new Float64Array(1 << 16);
  private rows = new Int32Array(1 << 16);
  private used = 0;
  private other = new Map<string, number>();

  get size(): number {
    return this.used + this.other.size;
  }

  /** The first row of `key`, or undefined (and `rowNo` is recorded for it). */
  firstOrAdd(key: string, rowNo: number): number | undefined {
    if (!/^\d{1,15}$/.test(key) || key.startsWith('0')) {
      const first = this.other.get(key);
      if (first === undefined) this.other.set(key, rowNo);
      return first;
    }
    if ((this.used + 1) * 2 > this.keys.length) this.grow();
    const k = Number(key) + 1; // 0 marks an empty slot
    const mask = this.keys.length - 1;
    for (let i = this.slot(k, mask); ; i = (i + 1) & mask) {
      const at = this.keys[i]!;
      if (at === k) return this.rows[i];
      if (at === 0) {
        this.keys[i] = k;
        this.rows[i] = rowNo;
        this.used++;
        return undefined;
      }
    }
  }

  private slot(k: number, mask: number): number {
    // Mix the high and low 32 bits (k < 2^50), multiply by the golden ratio, fold the high bits down.
    const lo = k % 0x100000000;
    const hi = Math.floor(k / 0x100000000);
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x9e3779b1);
    h ^= h >>> 16;
    return (h >>> 0) & mask;
  }

  private grow() {
    const oldKeys = this.keys;
    const oldRows = this.rows;
    this.keys = new Float64Array(oldKeys.length * 2);
    this.rows = new Int32Array(oldKeys.length * 2);
    const mask = this.keys.length - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      const k = oldKeys[j]!;
      if (k === 0) continue;
      let i = this.slot(k, mask);
      while (this.keys[i] !== 0) i = (i + 1) & mask;
      this.keys[i] = k;
      this.rows[i] = oldRows[j]!;
    }
  }
}
