/**
 * DPR's `get_schedule_linear` (dpr/utils/model_utils.py), a torch `LambdaLR` factor: linear warmup
 * from 0, then linear decay to the end of training, never below 1e-7 of the base rate. The
 * optimiser step with index 0 uses factor 0 — DPR's first update moves nothing (Adam's moments
 * still absorb its gradient).
 */

/** The factor applied to the base learning rate at optimiser step `step` (0-based). */
export function linearScheduleFactor(step: number, warmupSteps: number, totalSteps: number): number {
  if (step < warmupSteps) return step / Math.max(1, warmupSteps);
  return Math.max(1e-7, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
}

/** The learning rate at optimiser step `step`. */
export function linearScheduleLr(baseLr: number, step: number, warmupSteps: number, totalSteps: number): number {
  return baseLr * linearScheduleFactor(step, warmupSteps, totalSteps);
}
