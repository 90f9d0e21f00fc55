#!/usr/bin/python3
"""XGBoost side of bench/gbdt: trains and scores one dataset, prints one JSON object.

Run with Debian's interpreter, which has xgboost, pandas and scikit-learn:

    /usr/bin/python3 bench/gbdt/xgboost_peer.py --train train.csv --test test.csv \
        --label is_fraud --categorical c1,c2,c3,c4 --threads 1,2 --model-out model.json

Categorical columns become pandas categories with one dtype shared by train and test (the
train set's sorted levels; a level unseen in training is missing), trained with
enable_categorical=True. Timings:
- train: xgb.train alone per thread count (the DMatrix is built once, timed separately;
  the hist quantile sketch happens inside train, as binning does inside plinth's trainGbdt);
- batch predict, median of --predict-reps calls: `predict` on DMatrices built beforehand, a
  fresh one per call (XGBoost caches predictions per DMatrix, so a second call on the same one
  costs nothing); `inplace_predict` on the test DataFrame and on a float32 numpy matrix with
  category codes (the same codes the DataFrame's dtype gives);
- single row: inplace_predict with nthread=1 on one-row inputs built beforehand (numpy rows
  and one-row DataFrames), p50/p99 over --latency-reps rows; building the inputs is untimed.
Progress goes to stderr; stdout carries only the JSON.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.metrics import log_loss, mean_squared_error, roc_auc_score

DEFAULT_PARAMS = {
    "objective": "binary:logistic",
    "tree_method": "hist",
    "max_depth": 8,
    "eta": 0.1,
    "max_bin": 255,
    "lambda": 1.0,
    "alpha": 0.0,
    "min_child_weight": 1.0,
    "subsample": 1.0,
    "colsample_bytree": 1.0,
    "seed": 0,
}


def log(message):
    print(f"[xgboost_peer] {message}", file=sys.stderr, flush=True)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", required=True, help="training CSV (header row)")
    parser.add_argument("--test", required=True, help="test CSV, same columns")
    parser.add_argument("--label", required=True, help="label column name")
    parser.add_argument("--categorical", default="", help="comma-separated categorical columns")
    parser.add_argument("--rounds", type=int, default=200, help="boosting rounds")
    parser.add_argument("--threads", default="1,2", help="comma-separated nthread values to train with")
    parser.add_argument("--params", default="{}", help="JSON object of XGBoost params over the defaults")
    parser.add_argument("--predict-reps", type=int, default=5, help="batch predict repetitions")
    parser.add_argument("--latency-reps", type=int, default=1000, help="single-row predictions timed")
    parser.add_argument("--model-out", help="where to save the trained model (JSON when it ends in .json)")
    return parser.parse_args(argv)


def read_frames(args, categorical):
    dtypes = {name: "string" for name in categorical}
    started = time.perf_counter()
    train = pd.read_csv(args.train, dtype=dtypes)
    test = pd.read_csv(args.test, dtype=dtypes)
    read_seconds = time.perf_counter() - started
    for frame, path in ((train, args.train), (test, args.test)):
        missing = [c for c in [args.label, *categorical] if c not in frame.columns]
        if missing:
            raise SystemExit(f"{path}: no column(s) {missing}; header is {list(frame.columns)}")
    for name in categorical:
        levels = sorted(train[name].dropna().unique())
        dtype = pd.CategoricalDtype(categories=levels)
        train[name] = train[name].astype(dtype)
        test[name] = test[name].astype(dtype)
    features = [c for c in train.columns if c != args.label]
    return train[features], train[args.label].to_numpy(), test[features], test[args.label].to_numpy(), read_seconds


def evaluate(objective, y_true, y_pred):
    if objective.startswith("binary:"):
        return {"auc": float(roc_auc_score(y_true, y_pred)), "logloss": float(log_loss(y_true, y_pred, eps=1e-15))}
    return {"rmse": float(mean_squared_error(y_true, y_pred) ** 0.5)}


def time_batch(predict, rows, reps):
    """Median seconds of predict(i) for i in 1..reps, after a warm-up predict(0)."""
    predict(0)
    seconds = []
    for rep in range(1, reps + 1):
        started = time.perf_counter()
        predict(rep)
        seconds.append(time.perf_counter() - started)
    median = statistics.median(seconds)
    return {"median_seconds": median, "rows_per_second": rows / median}


def to_codes_matrix(frame):
    """Float32 matrix with categories as their codes and missing as NaN."""
    columns = {}
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes = column.cat.codes.to_numpy().astype(np.float32)
            codes[codes < 0] = np.nan
            columns[name] = codes
        else:
            columns[name] = column.to_numpy(dtype=np.float32, na_value=np.nan)
    return np.ascontiguousarray(np.column_stack([columns[name] for name in frame.columns]))


def percentiles(booster, rows):
    for row in rows[:50]:
        booster.inplace_predict(row)
    nanos = np.empty(len(rows), dtype=np.int64)
    for i, row in enumerate(rows):
        started = time.perf_counter_ns()
        booster.inplace_predict(row)
        nanos[i] = time.perf_counter_ns() - started
    micros = nanos / 1000.0
    return {"p50_us": float(np.percentile(micros, 50)), "p99_us": float(np.percentile(micros, 99))}


def time_single_rows(booster, x_test, matrix, reps):
    booster.set_param({"nthread": 1})
    picks = [i % len(x_test) for i in range(reps)]  # cycles through a small test set
    return {
        "reps": reps,
        "numpy": percentiles(booster, [matrix[i : i + 1] for i in picks]),
        "pandas": percentiles(booster, [x_test.iloc[[i]] for i in picks]),
    }


def main(argv):
    args = parse_args(argv)
    categorical = [c for c in args.categorical.split(",") if c]
    threads = [int(t) for t in args.threads.split(",") if t]
    params = {**DEFAULT_PARAMS, **json.loads(args.params)}

    log(f"reading {args.train} and {args.test}")
    x_train, y_train, x_test, y_test, read_seconds = read_frames(args, categorical)

    started = time.perf_counter()
    dtrain = xgb.DMatrix(x_train, label=y_train, enable_categorical=True)
    dmatrix_seconds = time.perf_counter() - started
    dtest = xgb.DMatrix(x_test, label=y_test, enable_categorical=True)

    train_runs = []
    booster = None
    for nthread in threads:
        log(f"training {args.rounds} rounds with nthread={nthread}")
        started = time.perf_counter()
        trained = xgb.train({**params, "nthread": nthread}, dtrain, num_boost_round=args.rounds)
        train_runs.append({"nthread": nthread, "seconds": time.perf_counter() - started})
        booster = booster or trained

    log("scoring")
    booster.set_param({"nthread": threads[0]})
    metrics = evaluate(params["objective"], y_test, booster.predict(dtest))

    matrix = to_codes_matrix(x_test)
    numpy_predictions = booster.inplace_predict(matrix)
    if not np.allclose(numpy_predictions, booster.predict(dtest), atol=1e-6):
        raise SystemExit("inplace_predict on category codes disagrees with DMatrix predictions")
    rows = len(x_test)
    predict_runs = []
    for nthread in threads:
        log(f"timing batch predictions with nthread={nthread}")
        booster.set_param({"nthread": nthread})
        fresh = [xgb.DMatrix(x_test, enable_categorical=True) for _ in range(args.predict_reps + 1)]
        predict_runs.append(
            {
                "nthread": nthread,
                "dmatrix": time_batch(lambda rep: booster.predict(fresh[rep]), rows, args.predict_reps),
                "inplace_pandas": time_batch(lambda _: booster.inplace_predict(x_test), rows, args.predict_reps),
                "inplace_numpy": time_batch(lambda _: booster.inplace_predict(matrix), rows, args.predict_reps),
            }
        )
    log(f"timing {args.latency_reps} single-row predictions")
    single_row = time_single_rows(booster, x_test, matrix, args.latency_reps)

    model_path = None
    if args.model_out:
        booster.save_model(args.model_out)
        model_path = os.path.abspath(args.model_out)

    result = {
        "library": "xgboost",
        "version": xgb.__version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "data": {
            "train": os.path.abspath(args.train),
            "test": os.path.abspath(args.test),
            "train_rows": int(len(x_train)),
            "test_rows": int(len(x_test)),
            "features": int(x_train.shape[1]),
            "categorical": categorical,
            "csv_read_seconds": read_seconds,
        },
        "params": params,
        "rounds": args.rounds,
        "dmatrix_seconds": dmatrix_seconds,
        "train": train_runs,
        "test_metrics": metrics,
        "predict": predict_runs,
        "single_row": single_row,
        "trees": len(booster.get_dump()),
        "model_path": model_path,
    }
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
