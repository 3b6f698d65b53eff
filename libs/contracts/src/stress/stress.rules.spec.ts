import { parseWith } from '../common/schema';
import { CpuTestBody } from './dto/api.dto';
import { stressId } from './stress.ranges';
import { StressErrors } from './stress.errors';
import { StressRules } from './stress.rules';

describe('stress rules', () => {
  describe('checkTestSpec', () => {
    it('accepts whole numbers in range, also as form strings, and leaves workers out when empty', () => {
      expect(StressRules.checkTestSpec({ kind: 'cpu', durationSeconds: '30', intensity: 50, workers: '' })).toEqual({
        ok: true,
        value: { kind: 'cpu', durationSeconds: 30, intensity: 50 },
      });
      expect(StressRules.checkTestSpec({ kind: 'memory', durationSeconds: 5, targetMb: '200' })).toEqual({
        ok: true,
        value: { kind: 'memory', durationSeconds: 5, targetMb: 200 },
      });
    });

    it.each([
      [{ durationSeconds: 4, intensity: 50 }, 'durationSeconds must be a whole number from 5 to 3600 (got 4).'],
      [{ durationSeconds: 30, intensity: 101 }, 'intensity must be a whole number from 1 to 100 (got 101).'],
      [{ durationSeconds: 30, intensity: 12.5 }, 'intensity must be a whole number from 1 to 100 (got 12.5).'],
      [{ durationSeconds: 30, intensity: 50, workers: 0 }, 'workers must be a whole number from 1 to 256 (got 0).'],
      [{ intensity: 50 }, 'durationSeconds is required: a whole number from 5 to 3600.'],
    ])('refuses %j with the allowed range', (body, message) => {
      const r = StressRules.checkTestSpec({ kind: 'cpu', ...body });
      expect(r).toEqual({ ok: false, error: expect.objectContaining({ code: 'STRESS.INVALID', message }) });
    });

    it("uses a pod's narrower maximum duration", () => {
      const r = StressRules.checkTestSpec({ kind: 'memory', durationSeconds: 900, targetMb: 10 }, { maxDurationSeconds: 600 });
      expect(r.ok || r.error.message).toBe('durationSeconds must be a whole number from 5 to 600 (got 900).');
    });

    it('refuses an unknown kind and an unknown target', () => {
      expect(StressRules.checkTestSpec({ kind: 'disk', durationSeconds: 30 }).ok).toBe(false);
      const bad = parseWith(CpuTestBody, { durationSeconds: 30, intensity: 50, target: 'some' }, StressErrors.INVALID);
      expect(bad).toMatchObject({ ok: false, error: { fields: [{ field: 'target', problem: 'must be "one" or "all"' }] } });
      const good = parseWith(CpuTestBody, { durationSeconds: 30, intensity: 50 }, StressErrors.INVALID);
      expect(good).toMatchObject({ ok: true, value: { durationSeconds: 30, intensity: 50 } });
      expect(good.ok && good.value.target).toBeUndefined();
    });

    it("narrows a start body to the pods' maximum duration and a load to their maxima", () => {
      const start = parseWith(StressRules.startBody('cpu', { maxDurationSeconds: 600 }), { durationSeconds: 601, intensity: 5 }, StressErrors.INVALID);
      expect(start.ok || start.error.message).toBe('durationSeconds must be a whole number from 5 to 600 (got 601).');
      const load = parseWith(StressRules.loadBody({ maxMillicores: 2000 }), { durationSeconds: 60, millicores: 2500 }, StressErrors.INVALID);
      expect(load.ok || load.error.message).toBe('millicores must be a whole number from 10 to 2000 (got 2500).');
    });

    it('names every bad field of a body at once', () => {
      const r = parseWith(CpuTestBody, { durationSeconds: 1, intensity: 'max', testId: 'A' }, StressErrors.INVALID);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.fields?.map((f) => f.field).sort()).toEqual(['durationSeconds', 'intensity', 'testId']);
      expect(r.error.message).toMatch(/^3 fields are invalid: /);
    });
  });

  it('accepts ids of lower-case letters, digits and dashes only', () => {
    expect(stressId.safeParse('cpu-1a2b')).toMatchObject({ success: true, data: 'cpu-1a2b' });
    for (const bad of ['../etc', 'A-B', 'x', 'a b', '-leading', 'a'.repeat(49)]) expect(stressId.safeParse(bad).success).toBe(false);
  });

  describe('expectedReplicas: ceil(current × utilisation / target), clamped, with the 10 % tolerance', () => {
    it('scales out when above the target', () => {
      const e = StressRules.expectedReplicas({ currentReplicas: 3, utilization: 140, target: 70, minReplicas: 3, maxReplicas: 10 });
      expect(e).toMatchObject({ replicas: 6, unclamped: 6, withinTolerance: false });
      expect(e.explanation).toBe('3 replicas at 140 % average CPU against a 70 % target: ceil(3 × 140 / 70) = 6. The HPA scales out to 6.');
    });

    it('clamps to the maximum and the minimum', () => {
      expect(StressRules.expectedReplicas({ currentReplicas: 6, utilization: 300, target: 70, minReplicas: 3, maxReplicas: 10 })).toMatchObject({
        unclamped: 26,
        replicas: 10,
      });
      const low = StressRules.expectedReplicas({ currentReplicas: 4, utilization: 5, target: 70, minReplicas: 3, maxReplicas: 10 });
      expect(low).toMatchObject({ unclamped: 1, replicas: 3 });
      expect(low.explanation).toContain("Clamped to the HPA's range 3–10: 3.");
    });

    it('keeps the count within the tolerance', () => {
      const e = StressRules.expectedReplicas({ currentReplicas: 3, utilization: 75, target: 70 });
      expect(e).toMatchObject({ replicas: 3, unclamped: 4, withinTolerance: true });
      expect(e.explanation).toContain("within the HPA's 10 % tolerance");
    });

    it('scales in below the target', () => {
      expect(StressRules.expectedReplicas({ currentReplicas: 6, utilization: 20, target: 70, minReplicas: 1 })).toMatchObject({ replicas: 2, unclamped: 2 });
    });
  });
});
