import type { LinearLoss } from "./linear-losses.ts";
import type { StandardisedDataset } from "./standardise-dataset.ts";

/** What the solver found and how it got there. */
export interface PenalisedGlmSolution {
  /** Row-major `numOutputs × numFeatures`. */
  readonly coefficients: Float64Array;
  readonly intercept: Float64Array;
  /** Loss plus penalty at the solution. */
  readonly objective: number;
  /** Newton passes made (each pass visits every output once). */
  readonly iterations: number;
  /** True when the last pass moved nothing by more than the tolerance, or could not lower the objective at all. */
  readonly converged: boolean;
}

export interface PenaltySettings {
  readonly alpha: number;
  readonly l1Ratio: number;
  readonly tolerance: number;
  readonly maxIterations: number;
  /** Called after every Newton pass with its 1-based number and the objective reached. */
  readonly onPass?: (pass: number, objective: number) => void;
}

/**
 * Minimises `loss(β, b) + α·Σ_k (l1Ratio·‖β_k‖₁ + (1 − l1Ratio)/2·‖β_k‖²)` (intercepts `b`
 * unpenalised) by proximal Newton, glmnet style: each pass takes, output by output, the
 * loss's quadratic approximation around the current point, minimises approximation plus
 * penalty exactly by cyclic coordinate descent (soft-thresholding handles L1), then
 * backtracks along that step until the true objective does not increase. For squared loss the
 * approximation is exact, so the first pass is plain coordinate descent to the optimum.
 * Deterministic: fixed coordinate order, no randomness.
 *
 * @example
 * const solution = solvePenalisedGlm(standardised, loss, { alpha: 0.1, l1Ratio: 1, tolerance: 1e-8, maxIterations: 1000 });
 */
export function solvePenalisedGlm(
  data: StandardisedDataset,
  loss: LinearLoss,
  settings: PenaltySettings,
): PenalisedGlmSolution {
  const { numRows: n, numFeatures: p, z } = data;
  const K = loss.numOutputs;
  const { alpha, l1Ratio, tolerance, maxIterations } = settings;
  const l1 = alpha * l1Ratio;
  const l2 = alpha * (1 - l1Ratio);
  const beta = new Float64Array(K * p);
  const intercept = loss.initialIntercept();
  const eta = new Float64Array(n * K);
  for (let i = 0; i < n; i++) eta.set(intercept, i * K);

  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const q = new Float64Array(n);
  const curvature = new Float64Array(p);
  const trialBeta = new Float64Array(p);
  const delta = new Float64Array(n);
  const savedEta = new Float64Array(n);
  const penalty = (): number => {
    let sum = 0;
    for (let i = 0; i < beta.length; i++) {
      const b = beta[i] as number;
      sum += l1 * Math.abs(b) + (l2 / 2) * b * b;
    }
    return sum;
  };
  // Inner sweeps stop tighter than the outer tolerance so Newton's steps stay accurate.
  const innerTolerance = tolerance / 10;
  let objective = loss.value(eta) + penalty();
  let iterations = 0;
  let converged = false;

  const passStartIntercept = new Float64Array(K);
  while (iterations < maxIterations && !converged) {
    iterations++;
    let largestMove = 0;
    passStartIntercept.set(intercept);
    const passStartObjective = objective;
    for (let k = 0; k < K; k++) {
      const offset = k * p;
      loss.derivatives(eta, k, grad, hess);
      // q is the gradient of the quadratic model at the trial point, per row.
      q.set(grad);
      let hessSum = 0;
      for (let i = 0; i < n; i++) hessSum += hess[i] as number;
      for (let j = 0; j < p; j++) {
        let a = 0;
        const base = j * n;
        for (let i = 0; i < n; i++) {
          const x = z[base + i] as number;
          a += (hess[i] as number) * x * x;
        }
        curvature[j] = a;
      }
      for (let j = 0; j < p; j++) trialBeta[j] = beta[offset + j] as number;
      let interceptStep = 0;
      for (let sweep = 0; sweep < maxIterations; sweep++) {
        let sweepMove = 0;
        if (hessSum > 0) {
          let g = 0;
          for (let i = 0; i < n; i++) g += q[i] as number;
          const d = -g / hessSum;
          if (d !== 0) {
            interceptStep += d;
            for (let i = 0; i < n; i++) q[i] = (q[i] as number) + (hess[i] as number) * d;
            sweepMove = Math.abs(d);
          }
        }
        for (let j = 0; j < p; j++) {
          const a = curvature[j] as number;
          const denominator = a + l2;
          if (!(denominator > 0)) continue; // an all-zero column with no L2: β_j stays put
          const base = j * n;
          let g = 0;
          for (let i = 0; i < n; i++) g += (q[i] as number) * (z[base + i] as number);
          const current = trialBeta[j] as number;
          const next = softThreshold(a * current - g, l1) / denominator;
          const d = next - current;
          if (d === 0) continue;
          trialBeta[j] = next;
          for (let i = 0; i < n; i++) {
            q[i] = (q[i] as number) + (hess[i] as number) * (z[base + i] as number) * d;
          }
          sweepMove = Math.max(sweepMove, Math.abs(d));
        }
        if (sweepMove < innerTolerance) break;
      }

      // The step in raw scores for output k, then backtracking on the true objective.
      delta.fill(interceptStep);
      for (let j = 0; j < p; j++) {
        const d = (trialBeta[j] as number) - (beta[offset + j] as number);
        if (d === 0) continue;
        const base = j * n;
        for (let i = 0; i < n; i++) delta[i] = (delta[i] as number) + (z[base + i] as number) * d;
      }
      for (let i = 0; i < n; i++) savedEta[i] = eta[i * K + k] as number;
      const startBeta = beta.slice(offset, offset + p);
      const startIntercept = intercept[k] as number;
      let step = 1;
      let accepted = false;
      for (let halving = 0; halving < 60; halving++) {
        for (let i = 0; i < n; i++) {
          eta[i * K + k] = (savedEta[i] as number) + step * (delta[i] as number);
        }
        for (let j = 0; j < p; j++) {
          const b0 = startBeta[j] as number;
          beta[offset + j] = b0 + step * ((trialBeta[j] as number) - b0);
        }
        intercept[k] = startIntercept + step * interceptStep;
        const trial = loss.value(eta) + penalty();
        // Equal is accepted: at the optimum rounding leaves the objective flat.
        if (trial <= objective) {
          objective = trial;
          accepted = true;
          break;
        }
        step /= 2;
      }
      if (!accepted) {
        for (let i = 0; i < n; i++) eta[i * K + k] = savedEta[i] as number;
        beta.set(startBeta, offset);
        intercept[k] = startIntercept;
        continue;
      }
      // The proposed step, not the damped one: a short accepted step is no sign of convergence.
      // Softmax intercepts are judged after centring, below.
      let move = K > 1 ? 0 : Math.abs(interceptStep);
      for (let j = 0; j < p; j++) {
        move = Math.max(move, Math.abs((trialBeta[j] as number) - (startBeta[j] as number)));
      }
      largestMove = Math.max(largestMove, move);
    }
    if (K > 1) {
      // Block steps can drift along the directions softmax ignores; pin them every pass
      // and judge the intercepts' movement after pinning.
      centreSoftmax(data, eta, beta, intercept, K, alpha === 0);
      largestMove = Math.max(largestMove, maxDistanceCentred(intercept, passStartIntercept));
    }
    // A pass that cannot lower the objective beyond rounding is at the floating-point
    // floor: further steps only trade noise, however small the tolerance asked for.
    const stalled = passStartObjective - objective <= 4 * Number.EPSILON * Math.abs(objective);
    converged = largestMove < tolerance || stalled;
    settings.onPass?.(iterations, objective);
  }
  return { coefficients: beta, intercept, objective, iterations, converged };
}

/**
 * Softmax scores are unchanged by adding one constant to every output, so the intercepts
 * (unpenalised) are only defined up to that shift: centre them on 0, as scikit-learn's
 * solution is. With no penalty at all the coefficients of each feature share the same
 * freedom; centring picks the minimum-norm solution. `eta` is shifted to match, so the loss
 * and the penalty are unchanged.
 */
function centreSoftmax(
  data: StandardisedDataset,
  eta: Float64Array,
  beta: Float64Array,
  intercept: Float64Array,
  K: number,
  centreCoefficients: boolean,
): void {
  const { numRows: n, numFeatures: p, z } = data;
  let mean = 0;
  for (let k = 0; k < K; k++) mean += (intercept[k] as number) / K;
  for (let k = 0; k < K; k++) intercept[k] = (intercept[k] as number) - mean;
  const shift = new Float64Array(n).fill(mean);
  if (centreCoefficients) {
    for (let j = 0; j < p; j++) {
      let m = 0;
      for (let k = 0; k < K; k++) m += (beta[k * p + j] as number) / K;
      if (m === 0) continue;
      for (let k = 0; k < K; k++) beta[k * p + j] = (beta[k * p + j] as number) - m;
      const base = j * n;
      for (let i = 0; i < n; i++) shift[i] = (shift[i] as number) + m * (z[base + i] as number);
    }
  }
  for (let i = 0; i < n; i++) {
    const s = shift[i] as number;
    for (let k = 0; k < K; k++) eta[i * K + k] = (eta[i * K + k] as number) - s;
  }
}

function maxDistanceCentred(a: Float64Array, b: Float64Array): number {
  let meanB = 0;
  for (let k = 0; k < b.length; k++) meanB += (b[k] as number) / b.length;
  let max = 0;
  for (let k = 0; k < a.length; k++) {
    max = Math.max(max, Math.abs((a[k] as number) - ((b[k] as number) - meanB)));
  }
  return max;
}

function softThreshold(value: number, threshold: number): number {
  if (value > threshold) return value - threshold;
  if (value < -threshold) return value + threshold;
  return 0;
}
