import { z } from 'zod';
import { ErrorBody } from './errors';

/**
 * One independently sourced part of a page. A page never fails as a whole: each section is
 * `ok`, `unavailable` (the source does not exist here, e.g. no cluster in local mode: shown
 * neutral with the reason) or `error` (the source exists but failed: shown red with the fix).
 */
export type Section<T> = { status: 'ok'; data: T; note?: string } | ({ status: 'unavailable' } & ErrorBody) | ({ status: 'error' } & ErrorBody);

/** The schema of a section whose data has the schema `data`. */
export function sectionOf<S extends z.ZodType>(data: S): z.ZodType<Section<z.output<S>>> {
  return z.discriminatedUnion('status', [
    z.object({ status: z.literal('ok'), data, note: z.string().optional() }),
    ErrorBody.extend({ status: z.literal('unavailable') }),
    ErrorBody.extend({ status: z.literal('error') }),
  ]) as unknown as z.ZodType<Section<z.output<S>>>;
}

export const ok = <T>(data: T, note?: string): Section<T> => (note ? { status: 'ok', data, note } : { status: 'ok', data });
export const unavailable = <T = never>(body: ErrorBody): Section<T> => ({ status: 'unavailable', ...body });
export const failed = <T = never>(body: ErrorBody): Section<T> => ({ status: 'error', ...body });
