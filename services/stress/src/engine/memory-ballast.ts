const MiB = 1024 * 1024;
/** glibc serves allocations above 32 MiB with their own mmap, so freeing one returns it to the OS at once. */
const CHUNK = 64 * MiB;
const MMAP_SAFE = 33 * MiB;
/** Pages touched per event-loop turn: ~2 ms of page faults, so probes stay fast while it fills. */
const TOUCH_SLICE = 4 * MiB;
const PAGE = 4096;

/** Chunk sizes for a target: 64 MiB each, the remainder folded into the last one so none is below 33 MiB. */
export function chunkPlan(targetBytes: number): number[] {
  const sizes: number[] = [];
  let left = targetBytes;
  while (left > 0) {
    let size = Math.min(CHUNK, left);
    if (left - size > 0 && left - size < MMAP_SAFE) size = left;
    sizes.push(size);
    left -= size;
  }
  return sizes;
}

/**
 * Memory a test holds: allocated in chunks, every page written so it is resident (an untouched
 * allocation costs nothing), filled a slice per event-loop turn so the process keeps answering.
 * Released by detaching each chunk's ArrayBuffer, which frees it immediately instead of waiting
 * for a garbage collection.
 */
export class MemoryBallast {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private released = false;

  get allocatedBytes(): number {
    return this.bytes;
  }

  /**
   * Grows towards `targetBytes`. Before each chunk `mayGrow(size)` checks the live headroom; a
   * "no" ends the fill early (the cap is re-checked, not assumed). Resolves with the reason it stopped.
   */
  async fill(targetBytes: number, mayGrow: (bytes: number) => boolean, signal: AbortSignal): Promise<'target' | 'headroom' | 'aborted'> {
    for (const size of chunkPlan(targetBytes)) {
      if (signal.aborted || this.released) return 'aborted';
      if (!mayGrow(size)) return 'headroom';
      const chunk = Buffer.allocUnsafeSlow(size);
      this.chunks.push(chunk);
      for (let offset = 0; offset < size; offset += TOUCH_SLICE) {
        const end = Math.min(size, offset + TOUCH_SLICE);
        for (let i = offset; i < end; i += PAGE) chunk[i] = 0xa5;
        this.bytes += end - offset;
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (signal.aborted || this.released) return 'aborted';
      }
    }
    return 'target';
  }

  /** Frees every chunk now; returns the bytes that were held. */
  release(): number {
    this.released = true;
    const held = this.bytes;
    for (const chunk of this.chunks.splice(0)) {
      (chunk.buffer as ArrayBuffer & { transfer(length: number): ArrayBuffer }).transfer(0);
    }
    this.bytes = 0;
    return held;
  }
}
