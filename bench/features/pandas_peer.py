"""The pandas peer of bench:features: pd.merge_asof on the same data, from CSV.

pandas here has no pyarrow, so it cannot read the Parquet files the other peers read;
DuckDB wrote the same tables as CSV (timestamps as epoch microseconds) and this script
loads them once, untimed. Timed, per run: sorting the entity rows and each view by time,
three merge_asof calls (by key, backward, ttl as an inclusive tolerance) and restoring the
entity order -- the point-in-time join itself. Prints one JSON document on stdout.

  /usr/bin/python3 pandas_peer.py --dir DIR --runs 3 --user-ttl-days 7 --pair-ttl-days 30
"""
import argparse
import json
import sys
import time

import numpy as np
import pandas as pd

DAY_US = 86_400 * 1_000_000


def log(message):
    print(f"[bench:features:pandas] {message}", file=sys.stderr, flush=True)


def load(directory):
    started = time.perf_counter()
    tables = {
        name: pd.read_csv(f"{directory}/{name}.csv", engine="c")
        for name in ["entities", "user_stats", "merchant_stats", "user_merchant_stats"]
    }
    return tables, time.perf_counter() - started


def point_in_time_join(t, user_ttl_days, pair_ttl_days):
    left = t["entities"].sort_values("event_timestamp", kind="stable")
    views = [
        ("user_stats", ["user_id"], ["txn_count_7d", "avg_amount_7d", "max_amount_7d"], user_ttl_days),
        ("merchant_stats", ["merchant_id"], ["fraud_rate_30d", "txn_volume_30d", "category"], 0),
        ("user_merchant_stats", ["user_id", "merchant_id"], ["txn_count_90d", "last_amount"], pair_ttl_days),
    ]
    for name, keys, features, ttl_days in views:
        right = t[name][[*keys, "event_ts", *features]].sort_values("event_ts", kind="stable")
        left = pd.merge_asof(
            left,
            right.rename(columns={"event_ts": f"__{name}_ts"}),
            left_on="event_timestamp",
            right_on=f"__{name}_ts",
            by=keys,
            direction="backward",
            allow_exact_matches=True,
            tolerance=ttl_days * DAY_US if ttl_days > 0 else None,
        ).drop(columns=[f"__{name}_ts"])
    return left.sort_values("row_id", kind="stable").reset_index(drop=True)


def checksum(frame, features):
    weight = frame["row_id"].to_numpy(dtype=np.float64) + 1.0
    out = {"rows": int(len(frame))}
    for name, kind in features:
        column = frame[name]
        if kind == "category":
            values = column.str.slice(1).astype("float64")
        else:
            values = column.astype("float64")
        present = values.notna().to_numpy()
        v = values.to_numpy()[present]
        out[name] = {
            "count": int(present.sum()),
            "sum": float(v.sum()),
            "weighted": float((weight[present] * v).sum()),
        }
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--user-ttl-days", type=int, required=True)
    parser.add_argument("--pair-ttl-days", type=int, required=True)
    parser.add_argument("--features", required=True, help="JSON list of [name, kind]")
    args = parser.parse_args()
    tables, load_seconds = load(args.dir)
    log(f"loaded the CSVs in {load_seconds:.1f} s (not timed)")
    seconds = []
    cpu_seconds = []
    result = None
    for run in range(args.runs):
        started, cpu = time.perf_counter(), time.process_time()
        result = point_in_time_join(tables, args.user_ttl_days, args.pair_ttl_days)
        seconds.append(time.perf_counter() - started)
        cpu_seconds.append(time.process_time() - cpu)
        log(f"run {run + 1}/{args.runs}: {seconds[-1]:.2f} s")
    json.dump(
        {
            "pandas": pd.__version__,
            "numpy": np.__version__,
            "load_seconds": load_seconds,
            "seconds": seconds,
            "cpu_seconds": cpu_seconds,
            "checksum": checksum(result, json.loads(args.features)),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
