/**
 * Seeded clustered, unnormalised vectors shaped like DPR passage embeddings (and like
 * ../shared/reference/index/): cluster centres drawn N(0, 1) per value (norm ≈ √dim), each vector
 * its centre plus N(0, σ²) noise, scaled by a log-normal factor so norms vary (the fixture's run
 * from 0.7× to 1.4× the median). Within a cluster cosine ≈ 0.75, across clusters ≈ 0 — as in the
 * fixture. Queries are centres plus wider noise and are not scaled (DPR questions come from
 * another encoder). Random uniform noise would make every ANN look good or bad for the wrong reason.
 */
import { seededRandom } from '../src/models/random_weights.js';

export interface ClusteredOptions {
  dim: number;
  /** Number of clusters (default: one per 1,000 vectors, at least 10). */
  clusters?: number;
  seed?: number;
  /** Per-value noise around a centre (default 0.5, the fixture's spread). */
  noise?: number;
  /** σ of the log of the per-vector scale (default 0.15). */
  normSpread?: number;
}

/** Standard normal draws from a seeded uniform source (Box–Muller, both outputs used). */
function gaussian(random: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const u = 1 - random();
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

export class ClusteredVectors {
  readonly dim: number;
  readonly clusters: number;
  private readonly centres: Float32Array;
  private readonly random: () => number;
  private readonly normal: () => number;
  private readonly noise: number;
  private readonly normSpread: number;

  constructor(count: number, options: ClusteredOptions) {
    this.dim = options.dim;
    this.clusters = options.clusters ?? Math.max(10, Math.round(count / 1000));
    this.random = seededRandom(options.seed ?? 17);
    this.normal = gaussian(this.random);
    this.noise = options.noise ?? 0.5;
    this.normSpread = options.normSpread ?? 0.15;
    this.centres = new Float32Array(this.clusters * this.dim);
    for (let i = 0; i < this.centres.length; i++) this.centres[i] = this.normal();
  }

  /** The next `rows` passage vectors, row-major. */
  passages(rows: number): Float32Array {
    const { dim } = this;
    const out = new Float32Array(rows * dim);
    for (let r = 0; r < rows; r++) {
      const c = Math.floor(this.random() * this.clusters) * dim;
      const scale = Math.exp(this.normSpread * this.normal());
      for (let i = 0; i < dim; i++) out[r * dim + i] = (this.centres[c + i]! + this.noise * this.normal()) * scale;
    }
    return out;
  }

  /** Queries for this data set without drawing its passages (the same centres, a separate stream). */
  queriesOnly(rows: number, noise = 0.8): Float32Array {
    const other = new ClusteredVectors(0, { dim: this.dim, clusters: this.clusters });
    other.centres.set(this.centres);
    return other.queries(rows, noise);
  }

  /** `rows` query vectors near random centres, row-major. */
  queries(rows: number, noise = 0.8): Float32Array {
    const { dim } = this;
    const out = new Float32Array(rows * dim);
    for (let r = 0; r < rows; r++) {
      const c = Math.floor(this.random() * this.clusters) * dim;
      for (let i = 0; i < dim; i++) out[r * dim + i] = this.centres[c + i]! + noise * this.normal();
    }
    return out;
  }
}
