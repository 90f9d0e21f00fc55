/**
 * LambdaRank gradients for NDCG (Burges 2010): for every pair of rows in a query whose
 * grades differ, push the better row up and the worse down, weighted by how much swapping
 * them would change the query's NDCG. Quadratic in a query's size, as in LightGBM.
 */
export function lambdaRankGradients(
  label: Float64Array,
  weight: Float64Array,
  raw: Float64Array,
  grad: Float64Array,
  hess: Float64Array,
  group: Int32Array,
): void {
  grad.fill(0);
  hess.fill(0);
  let begin = 0;
  while (begin < label.length) {
    let end = begin + 1;
    while (end < label.length && group[end] === group[begin]) end++;
    queryGradients(label, weight, raw, grad, hess, begin, end);
    begin = end;
  }
}

function queryGradients(
  label: Float64Array,
  weight: Float64Array,
  raw: Float64Array,
  grad: Float64Array,
  hess: Float64Array,
  begin: number,
  end: number,
): void {
  const n = end - begin;
  if (n < 2) return;
  // Current rank of each row by score, and the ideal DCG from the grades.
  const byScore = Array.from({ length: n }, (_, i) => begin + i).sort(
    (a, b) => (raw[b] as number) - (raw[a] as number),
  );
  const rank = new Int32Array(n);
  byScore.forEach((row, position) => {
    rank[row - begin] = position;
  });
  const grades = Array.from({ length: n }, (_, i) => label[begin + i] as number).sort(
    (a, b) => b - a,
  );
  let idealDcg = 0;
  for (let i = 0; i < n; i++) idealDcg += (2 ** (grades[i] as number) - 1) / Math.log2(i + 2);
  if (idealDcg === 0) return;
  for (let a = begin; a < end; a++) {
    for (let b = begin; b < end; b++) {
      const la = label[a] as number;
      const lb = label[b] as number;
      if (la <= lb) continue;
      const discountA = 1 / Math.log2((rank[a - begin] as number) + 2);
      const discountB = 1 / Math.log2((rank[b - begin] as number) + 2);
      const deltaNdcg = Math.abs(((2 ** la - 2 ** lb) * (discountA - discountB)) / idealDcg);
      const rho = 1 / (1 + Math.exp((raw[a] as number) - (raw[b] as number)));
      const w = 0.5 * ((weight[a] as number) + (weight[b] as number));
      const lambda = rho * deltaNdcg * w;
      const curvature = Math.max(rho * (1 - rho) * deltaNdcg * w, 1e-16);
      grad[a] = (grad[a] as number) - lambda;
      grad[b] = (grad[b] as number) + lambda;
      hess[a] = (hess[a] as number) + curvature;
      hess[b] = (hess[b] as number) + curvature;
    }
  }
}
