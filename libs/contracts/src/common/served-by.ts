import { z } from 'zod';

/** Which replica produced a reply; every service reply carries it so pages can show it. */
export const ServedBy = z.object({
  service: z.string(),
  pod: z.string(),
  node: z.string(),
});
export type ServedBy = z.output<typeof ServedBy>;

export const Served = z.object({ servedBy: ServedBy });
export type Served = z.output<typeof Served>;
