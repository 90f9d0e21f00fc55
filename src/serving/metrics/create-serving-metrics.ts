import {
  type DeploymentMetrics,
  LATENCY_BUCKETS_MS,
  type ServingMetrics,
  type VariantMetrics,
} from "./serving-metrics.ts";

const UNKNOWN_DEPLOYMENT = "_unknown";

/** A fixed-bucket histogram: counts per bucket (the last is +Inf), sum and count. */
class Histogram {
  readonly counts = new Float64Array(LATENCY_BUCKETS_MS.length + 1);
  sum = 0;
  count = 0;

  observe(value: number): void {
    let i = 0;
    // Linear scan: 15 buckets, and most observations land in the first few.
    while (i < LATENCY_BUCKETS_MS.length && value > (LATENCY_BUCKETS_MS[i] as number)) i++;
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.sum += value;
    this.count++;
  }

  /** `name_bucket`, `name_sum` and `name_count` lines, in seconds as Prometheus expects. */
  write(out: string[], name: string, labels: string): void {
    let cumulative = 0;
    for (let i = 0; i < this.counts.length; i++) {
      cumulative += this.counts[i] as number;
      const le =
        i < LATENCY_BUCKETS_MS.length ? String((LATENCY_BUCKETS_MS[i] as number) / 1000) : "+Inf";
      out.push(`${name}_bucket{${labels},le="${le}"} ${cumulative}`);
    }
    out.push(`${name}_sum{${labels}} ${this.sum / 1000}`);
    out.push(`${name}_count{${labels}} ${this.count}`);
  }
}

class VariantSeries implements VariantMetrics {
  readonly latency = new Histogram();
  rows = 0;
  swaps = 0;

  observe(latencyMs: number, rows: number): void {
    this.latency.observe(latencyMs);
    this.rows += rows;
  }
}

class DeploymentSeries implements DeploymentMetrics {
  readonly lookup = new Histogram();
  readonly variants = new Map<string, VariantSeries>();
  readonly missing = new Map<string, number>();
  readonly errors = new Map<string, number>();
  shadowsSkipped = 0;

  observeFeatureLookup(latencyMs: number): void {
    this.lookup.observe(latencyMs);
  }

  countMissing(feature: string, n: number): void {
    this.missing.set(feature, (this.missing.get(feature) ?? 0) + n);
  }

  countShadowSkipped(): void {
    this.shadowsSkipped++;
  }

  variant(name: string): VariantSeries {
    let series = this.variants.get(name);
    if (series === undefined) {
      series = new VariantSeries();
      this.variants.set(name, series);
    }
    return series;
  }
}

/** Escapes a label value for the text exposition format. */
function label(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

/**
 * In-memory serving metrics (see ServingMetrics). Histograms are typed arrays allocated once
 * per series, so observing a request allocates nothing.
 *
 * @example
 * const metrics = createServingMetrics();
 * metrics.deployment("fraud").variant("champion").observe(1.2, 1);
 * metrics.toPrometheus(); // plinth_serving_requests_total{deployment="fraud",variant="champion"} 1 ...
 */
export function createServingMetrics(): ServingMetrics {
  const deployments = new Map<string, DeploymentSeries>();
  const deployment = (name: string): DeploymentSeries => {
    let series = deployments.get(name);
    if (series === undefined) {
      series = new DeploymentSeries();
      deployments.set(name, series);
    }
    return series;
  };
  return {
    deployment,
    countError(name, code) {
      const errors = deployment(
        name !== undefined && deployments.has(name) ? name : UNKNOWN_DEPLOYMENT,
      ).errors;
      errors.set(code, (errors.get(code) ?? 0) + 1);
    },
    countSwap(name, variant) {
      deployment(name).variant(variant).swaps++;
    },
    drop(name) {
      deployments.delete(name);
    },
    toPrometheus() {
      const out: string[] = [];
      const each = (
        help: string,
        name: string,
        type: "counter" | "histogram" | "gauge",
        write: (d: string, s: DeploymentSeries) => void,
      ) => {
        out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
        for (const [d, s] of deployments) write(label(d), s);
      };
      each(
        "Prediction requests served, by deployment and variant.",
        "plinth_serving_requests_total",
        "counter",
        (d, s) => {
          for (const [v, series] of s.variants) {
            out.push(
              `plinth_serving_requests_total{deployment="${d}",variant="${label(v)}"} ${series.latency.count}`,
            );
          }
        },
      );
      each(
        "Rows scored, by deployment and variant.",
        "plinth_serving_rows_total",
        "counter",
        (d, s) => {
          for (const [v, series] of s.variants) {
            out.push(
              `plinth_serving_rows_total{deployment="${d}",variant="${label(v)}"} ${series.rows}`,
            );
          }
        },
      );
      each(
        "Request latency (feature lookup and prediction), seconds.",
        "plinth_serving_request_duration_seconds",
        "histogram",
        (d, s) => {
          for (const [v, series] of s.variants) {
            series.latency.write(
              out,
              "plinth_serving_request_duration_seconds",
              `deployment="${d}",variant="${label(v)}"`,
            );
          }
        },
      );
      each(
        "Online feature lookup latency, seconds.",
        "plinth_serving_feature_lookup_duration_seconds",
        "histogram",
        (d, s) => {
          if (s.lookup.count > 0)
            s.lookup.write(
              out,
              "plinth_serving_feature_lookup_duration_seconds",
              `deployment="${d}"`,
            );
        },
      );
      each(
        "Feature values served as missing (not found or older than the view's ttl online).",
        "plinth_serving_missing_features_total",
        "counter",
        (d, s) => {
          for (const [f, n] of s.missing)
            out.push(
              `plinth_serving_missing_features_total{deployment="${d}",feature="${label(f)}"} ${n}`,
            );
        },
      );
      each("Failed requests, by error code.", "plinth_serving_errors_total", "counter", (d, s) => {
        for (const [code, n] of s.errors)
          out.push(`plinth_serving_errors_total{deployment="${d}",code="${label(code)}"} ${n}`);
      });
      each(
        "Hot swaps: a variant moved to a newly loaded model version.",
        "plinth_serving_model_swaps_total",
        "counter",
        (d, s) => {
          for (const [v, series] of s.variants) {
            if (series.swaps > 0)
              out.push(
                `plinth_serving_model_swaps_total{deployment="${d}",variant="${label(v)}"} ${series.swaps}`,
              );
          }
        },
      );
      each(
        "Shadow scorings skipped because too many were in flight.",
        "plinth_serving_shadows_skipped_total",
        "counter",
        (d, s) => {
          out.push(`plinth_serving_shadows_skipped_total{deployment="${d}"} ${s.shadowsSkipped}`);
        },
      );
      return `${out.join("\n")}\n`;
    },
  };
}
