// The job's pipeline stages as steps for the job page. The service reports the stage
// names of WorkerPool.cpp (analysis, mixing, balancing, writing mix, mastering, preview);
// balancing and writing the mix are part of the mixing step here.

export const STEPS = ['queued', 'analysis', 'mixing', 'mastering', 'preview', 'done'] as const;
export type Step = (typeof STEPS)[number];

const STEP_OF: Record<string, Step> = {
  analysis: 'analysis',
  mixing: 'mixing',
  balancing: 'mixing',
  'writing mix': 'mixing',
  mastering: 'mastering',
  preview: 'preview',
};

/** The index in STEPS of the step the job is in (-1 when unknown). */
export function currentStep(status: string, stage: string | undefined): number {
  if (status === 'succeeded') return STEPS.length - 1;
  if (status === 'queued') return 0;
  const s = STEP_OF[(stage ?? '').toLowerCase()];
  if (s) return STEPS.indexOf(s);
  return status === 'running' ? 1 : -1;
}
