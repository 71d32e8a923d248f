// Analytic Gaussian stand-ins behind the ScorePrior interface. They have exact posteriors, so tests
// can check that the sampler + operators draw from the right distribution.
import type { Schedule, ScoreOutput, ScorePrior } from './prior';

const LOG2PI = Math.log(2 * Math.PI);

const DEFAULT_SCHEDULE: Schedule = { sigmaMax: 0.5, sigmaMin: 0.05, levels: 4, stepsPerLevel: 50, etaScale: 0.05 };

/**
 * Causal Gaussian AR(1) "network": logp_t = log N(x_t; a x_{t-1}, v + sigma^2) for t >= 1 of each window,
 * 0 at t = 0 (like the score graphs). a = 0 gives iid N(0, v + sigma^2) (then every position, including
 * t = 0, gets a term, and the receptive field is 0).
 * Over a whole clip preceded by silence the density is
 *   N(x_0; 0, v + s2) * prod_{t>=1} N(x_t; a x_{t-1}, v + s2),   s2 = sigma^2.
 */
export class GaussianArPrior implements ScorePrior {
  readonly name: string;
  readonly source = 'test';
  readonly sampleRate: number;
  readonly receptiveField: number;
  readonly sigmaRange = { min: 1e-6, max: 10 };
  readonly schedule: Schedule;
  readonly device = 'analytic';
  calls = 0;

  constructor(
    readonly a: number,
    readonly v: number,
    opts: { sampleRate?: number; schedule?: Partial<Schedule> } = {},
  ) {
    this.name = a === 0 ? `iid-gauss(v=${v})` : `ar1-gauss(a=${a},v=${v})`;
    this.receptiveField = a === 0 ? 0 : 1;
    this.sampleRate = opts.sampleRate ?? 16000;
    this.schedule = { ...DEFAULT_SCHEDULE, ...opts.schedule };
  }

  async score(x: Float32Array, batch: number, length: number, sigma: Float32Array): Promise<ScoreOutput> {
    this.calls++;
    const logp = new Float32Array(batch * length);
    const grad = new Float32Array(batch * length);
    const a = this.a;
    for (let b = 0; b < batch; b++) {
      const w = this.v + sigma[b]! * sigma[b]!;
      const o = b * length;
      const t0 = a === 0 ? 0 : 1;
      for (let t = t0; t < length; t++) {
        const r = x[o + t]! - (t > 0 ? a * x[o + t - 1]! : 0);
        logp[o + t] = -0.5 * (LOG2PI + Math.log(w)) - (r * r) / (2 * w);
        grad[o + t]! += -r / w;
        if (t > 0 && a !== 0) grad[o + t - 1]! += (a * r) / w;
      }
    }
    return { logp, grad };
  }

  async dispose(): Promise<void> {}
}
