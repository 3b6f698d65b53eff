import { createHash } from 'node:crypto';
import { StorageErrors } from '@eks-info/contracts';
import { DomainException } from '@eks-info/platform';

/** How long a key is honoured (Stripe keeps keys for 24 hours; the IETF draft leaves it to the server). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * A first request that has not finished after this long never will (its pod died mid-write): a
 * retry may take its key over. Longer than any write may take (RPC_TIMEOUT_MS is at most 120 s).
 */
export const ABANDONED_AFTER_MS = 150_000;
/** How long a retry on another pod waits for the first request to finish before answering 409. */
const WAIT_FOR_FIRST_MS = 2_000;
const POLL_MS = 100;
/** Keys remembered in memory per pod (the oldest are forgotten first). */
const MAX_REMEMBERED = 10_000;
/** Old markers in a shared store are swept at most this often. */
const SWEEP_EVERY_MS = 60 * 60 * 1000;

/** What identifies a request's content: a retry must send the same, or it is a different request. */
export function fingerprint(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}

/** A key as a file or object name: any key maps to 64 hex characters. */
export function keyDigest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** What a store shared by every pod keeps about a key (an EFS file, an S3 object). */
export interface IdempotencyMarker<T> {
  fingerprint: string;
  state: 'pending' | 'done';
  result: T | null;
}

/** A store shared by every storage pod, where the first request with a key leaves its marker. */
export interface MarkerStore<T> {
  /** Creates the marker only if there is none for this key (atomically); false if there is one. */
  create(digest: string, marker: IdempotencyMarker<T>): Promise<boolean>;
  /** The marker and its age; `marker` is null when it cannot be parsed (being written); null when there is none. */
  read(digest: string): Promise<{ marker: IdempotencyMarker<T> | null; ageMs: number } | null>;
  replace(digest: string, marker: IdempotencyMarker<T>): Promise<void>;
  remove(digest: string): Promise<void>;
  /** Removes markers older than `ageMs`; returns how many. */
  sweep(ageMs: number): Promise<number>;
}

export function keyReused(): DomainException {
  return new DomainException(StorageErrors.IDEMPOTENCY_KEY_REUSED, 'This idempotency key was already used for a different request.', {
    fix: 'Send a new key with each new request; a retry must repeat the first request exactly.',
  });
}

function inProgress(): DomainException {
  return new DomainException(StorageErrors.IDEMPOTENCY_IN_PROGRESS, 'The first request with this idempotency key is still being carried out.', {
    fix: 'Retry in a few seconds with the same key: you will get its answer.',
  });
}

type Verdict<T> = { kind: 'replay'; result: T } | { kind: 'take-over' } | { kind: 'wait' };

/** What a retry does about the marker it found. */
export function judge<T>(found: { marker: IdempotencyMarker<T> | null; ageMs: number }, print: string): Verdict<T> {
  const { marker, ageMs } = found;
  if (ageMs > IDEMPOTENCY_TTL_MS) return { kind: 'take-over' };
  if (marker && marker.fingerprint !== print) throw keyReused();
  if (marker?.state === 'done' && marker.result !== null) return { kind: 'replay', result: marker.result };
  return ageMs > ABANDONED_AFTER_MS ? { kind: 'take-over' } : { kind: 'wait' };
}

export interface Answer<T> {
  value: T;
  replayed: boolean;
}

/**
 * Mutations made idempotent by a client's key. On this pod, the answer to a key is remembered
 * for {@link IDEMPOTENCY_TTL_MS}: a repeat with the same request gets it again (waiting for it if
 * the first is still running), a repeat with another request is a 422. A retry can land on
 * another pod (NATS queue groups choose at random), so stores shared by every pod (EFS, S3) also
 * leave a marker there, created atomically: whichever pod gets a retry finds the first answer,
 * or waits briefly while the first pod finishes, or answers 409. Errors are not remembered: a
 * failed request may be retried with its key.
 */
export class IdempotentWrites<T> {
  private readonly answers = new Map<string, { print: string; at: number; answer: Promise<Answer<T>> }>();
  private sweptAt = 0;

  /** `shared`: the markers of a volume or bucket every pod uses (none for a pod's own volume). */
  async run(key: string | undefined, print: string, work: () => Promise<T>, shared?: MarkerStore<T>): Promise<Answer<T>> {
    if (key === undefined) return { value: await work(), replayed: false };
    const now = Date.now();
    const seen = this.answers.get(key);
    if (seen && now - seen.at < IDEMPOTENCY_TTL_MS) {
      if (seen.print !== print) throw keyReused();
      return { value: (await seen.answer).value, replayed: true };
    }
    const answer = shared ? this.acrossPods(shared, key, print, work) : work().then((value) => ({ value, replayed: false }));
    this.answers.delete(key);
    this.answers.set(key, { print, at: now, answer });
    this.forgetOldest(now);
    answer.catch(() => {
      if (this.answers.get(key)?.answer === answer) this.answers.delete(key);
    });
    return answer;
  }

  private async acrossPods(store: MarkerStore<T>, key: string, print: string, work: () => Promise<T>): Promise<Answer<T>> {
    const digest = keyDigest(key);
    const waitUntil = Date.now() + WAIT_FOR_FIRST_MS;
    for (let round = 0; ; round++) {
      if (round > 0 && Date.now() >= waitUntil) throw inProgress();
      if (await store.create(digest, { fingerprint: print, state: 'pending', result: null })) {
        let value: T;
        try {
          value = await work();
        } catch (err) {
          await store.remove(digest).catch(() => undefined);
          throw err;
        }
        // After the answer, not before it: the answer must beat the caller's RPC timeout, and a
        // retry elsewhere meanwhile waits for the marker (one left pending looks abandoned later).
        void store.replace(digest, { fingerprint: print, state: 'done', result: value }).catch(() => undefined);
        this.sweep(store);
        return { value, replayed: false };
      }
      const found = await store.read(digest);
      if (!found) continue; // the first request failed and let go of the key
      const verdict = judge(found, print);
      if (verdict.kind === 'replay') return { value: verdict.result, replayed: true };
      if (verdict.kind === 'take-over') {
        await store.remove(digest);
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  private forgetOldest(now: number): void {
    for (const [key, seen] of this.answers) {
      if (this.answers.size <= MAX_REMEMBERED && now - seen.at < IDEMPOTENCY_TTL_MS) break;
      this.answers.delete(key);
    }
  }

  /** Markers outlive their use; every pod sweeps old ones now and then, after a write. */
  private sweep(store: MarkerStore<T>): void {
    const now = Date.now();
    if (now - this.sweptAt < SWEEP_EVERY_MS) return;
    this.sweptAt = now;
    void store.sweep(IDEMPOTENCY_TTL_MS).catch(() => undefined);
  }
}
