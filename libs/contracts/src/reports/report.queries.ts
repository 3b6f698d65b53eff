import { z } from 'zod';
import { optional, single } from '../common/schema';
import { ScalingHistoryQuery } from '../scaling/scaling.queries';
import { stressId } from '../stress/stress.ranges';

/** `download=1`: the JSON twin as a file to save (Content-Disposition: attachment). */
const download = optional(single(z.enum(['1', 'true'], { error: 'must be 1 (save as a file) or left out' }).describe('1: save as a file')));

/** `GET /stress/report` and `/api/v1/stress/report`: the report of one test or load (default: the latest one). */
export const StressReportQuery = z.object({
  test: optional(single(stressId.describe('the test or load id; default: the latest one the stress pods reported'))),
  download,
});
export type StressReportQuery = z.output<typeof StressReportQuery>;

/** `GET /scaling/history/report` and `/api/v1/scaling/history/report`: the last `hours` of the history. */
export const HistoryReportQuery = ScalingHistoryQuery.extend({ download });
export type HistoryReportQuery = z.output<typeof HistoryReportQuery>;
