/**
 * The training record written next to the checkpoints: one CSV row per optimiser step (loss, learning
 * rate, gradient norm before clipping), one per validation, and an SVG plot of both — plain text,
 * so it opens anywhere without a plotting library.
 */

export interface StepRecord {
  step: number;
  epoch: number;
  /** Mean training loss over the step's micro-batches. */
  loss: number;
  lr: number;
  gradNorm: number;
}

export interface ValidationRecord {
  step: number;
  epoch: number;
  nll: number;
  averageRank: number;
}

export function stepsCsv(steps: readonly StepRecord[]): string {
  return ['step,epoch,loss,lr,grad_norm', ...steps.map((s) => `${s.step},${s.epoch},${s.loss},${s.lr},${s.gradNorm}`)].join('\n') + '\n';
}

export function validationCsv(rows: readonly ValidationRecord[]): string {
  return ['step,epoch,dev_nll,dev_average_rank', ...rows.map((r) => `${r.step},${r.epoch},${r.nll},${r.averageRank}`)].join('\n') + '\n';
}

const WIDTH = 720;
const HEIGHT = 360;
const MARGIN = { left: 60, right: 20, top: 30, bottom: 40 };

function polyline(points: [number, number][], color: string): string {
  if (points.length === 0) return '';
  const d = points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
  return `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${d}"/>`;
}

/**
 * Training loss (blue; a moving average over ~1% of the steps when there are many) and dev NLL
 * (orange dots) against the optimiser step, on one linear axis.
 */
export function lossCurveSvg(steps: readonly StepRecord[], validations: readonly ValidationRecord[]): string {
  const window = Math.max(1, Math.round(steps.length / 100));
  const smoothed = steps.map((s, i) => {
    const from = Math.max(0, i - window + 1);
    const slice = steps.slice(from, i + 1);
    return [s.step, slice.reduce((a, r) => a + r.loss, 0) / slice.length] as [number, number];
  });
  const all = [...smoothed.map(([, y]) => y), ...validations.map((v) => v.nll)].filter(Number.isFinite);
  const maxStep = Math.max(1, ...steps.map((s) => s.step), ...validations.map((v) => v.step));
  const yMax = all.length > 0 ? Math.max(...all) * 1.05 : 1;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (step: number) => MARGIN.left + (step / maxStep) * plotW;
  const y = (value: number) => MARGIN.top + plotH - (Math.max(0, value) / yMax) * plotH;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = yMax * f;
    return (
      `<text x="${MARGIN.left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11">${v.toFixed(2)}</text>` +
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`
    );
  });
  const dots = validations.map((v) => `<circle cx="${x(v.step).toFixed(1)}" cy="${y(v.nll).toFixed(1)}" r="3" fill="#e67e22"/>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">`,
    '<rect width="100%" height="100%" fill="white"/>',
    ...ticks,
    polyline(
      smoothed.map(([s, l]) => [x(s), y(l)]),
      '#1f77b4',
    ),
    ...dots,
    `<text x="${MARGIN.left}" y="18" font-size="13">training loss (blue)${validations.length > 0 ? ', dev NLL (orange)' : ''}</text>`,
    `<text x="${WIDTH / 2}" y="${HEIGHT - 8}" text-anchor="middle" font-size="12">optimiser step (last: ${maxStep})</text>`,
    '</svg>',
    '',
  ].join('\n');
}
