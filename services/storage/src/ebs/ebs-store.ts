import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { EbsEntry, Incarnation } from '@eks-info/contracts';
import { readJsonLinesTail, terminateLastLine } from '../common/json-lines';
import { AccessLog } from './access-log';

/** Entries and start-up records read from the end of their files: enough for a page. */
const TAIL_BYTES = 4 * 1024 * 1024;

/**
 * This pod's EBS volume: entries users write, one start-up record per start of a pod on the
 * volume (the list survives restarts, which is the point of a per-pod volume), and the access
 * log. Only one pod mounts a volume (ReadWriteOnce), so appends need no cross-process locking.
 */
export class EbsStore {
  readonly accessLog: AccessLog;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly root: string,
    accessLogMaxBytes: number,
  ) {
    this.accessLog = new AccessLog(path.join(root, 'access-log'), accessLogMaxBytes);
  }

  get entriesFile(): string {
    return path.join(this.root, 'entries.jsonl');
  }

  get incarnationsFile(): string {
    return path.join(this.root, 'incarnations.jsonl');
  }

  /** Records this start: number n = starts recorded on this volume before + 1. */
  async recordStart(pod: string, node: string, now = new Date()): Promise<Incarnation> {
    await mkdir(this.root, { recursive: true });
    await terminateLastLine(this.incarnationsFile);
    await terminateLastLine(this.entriesFile);
    const previous = await readJsonLinesTail<Incarnation>(this.incarnationsFile, TAIL_BYTES);
    const last = previous.items.at(-1);
    const incarnation: Incarnation = {
      number: (typeof last?.number === 'number' ? last.number : previous.items.length) + 1,
      timestamp: now.toISOString(),
      pod,
      node,
      pid: process.pid,
    };
    await appendFile(this.incarnationsFile, JSON.stringify(incarnation) + '\n');
    await this.accessLog.open();
    return incarnation;
  }

  async incarnations(limit: number): Promise<{ items: Incarnation[]; total: number }> {
    const parsed = await readJsonLinesTail<Incarnation>(this.incarnationsFile, TAIL_BYTES);
    const last = parsed.items.at(-1);
    return { items: parsed.items.slice(-limit).reverse(), total: typeof last?.number === 'number' ? last.number : parsed.items.length };
  }

  write(entry: EbsEntry): Promise<EbsEntry> {
    const run = this.chain.then(async () => {
      await appendFile(this.entriesFile, JSON.stringify(entry) + '\n');
      return entry;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  async entries(limit: number): Promise<{ items: EbsEntry[]; total: number; skipped: number; partial: boolean }> {
    await this.chain;
    const parsed = await readJsonLinesTail<EbsEntry>(this.entriesFile, TAIL_BYTES);
    return { items: parsed.items.slice(-limit).reverse(), total: parsed.items.length, skipped: parsed.skipped, partial: parsed.partial };
  }
}
