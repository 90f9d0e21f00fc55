/**
 * The one catalogue of plinth's error codes. Every error a caller can cause is a
 * `PlinthError` with one of these codes; a plain `Error` means a bug in plinth.
 *
 * `mlflowCode` is the `error_code` the MLflow REST API answers with, so MLflow clients
 * branch on it exactly as they do against MLflow's own server.
 */
export const ERROR_CATALOGUE = {
  INVALID_ARGUMENT: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "A field is missing, has the wrong type, or is out of range.",
  },
  MALFORMED_REQUEST: {
    httpStatus: 400,
    mlflowCode: "MALFORMED_REQUEST",
    summary: "The request body is not valid JSON, or not a JSON object.",
  },
  UNSUPPORTED_MEDIA_TYPE: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "A POST, PATCH or DELETE body was not sent as application/json.",
  },
  PAYLOAD_TOO_LARGE: {
    httpStatus: 413,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "The request body is larger than the server accepts.",
  },
  ENDPOINT_NOT_FOUND: {
    httpStatus: 404,
    mlflowCode: "ENDPOINT_NOT_FOUND",
    summary: "No route answers this method and path.",
  },
  CONFIG_INVALID: {
    httpStatus: 500,
    mlflowCode: "INTERNAL_ERROR",
    summary: "The configuration file or an environment variable has a bad value.",
  },
  METADATA_UNAVAILABLE: {
    httpStatus: 503,
    mlflowCode: "TEMPORARILY_UNAVAILABLE",
    summary: "The metadata store cannot be reached or opened.",
  },
  METADATA_SCHEMA_TOO_NEW: {
    httpStatus: 500,
    mlflowCode: "INTERNAL_ERROR",
    summary: "The metadata store was migrated by a newer plinth than this one.",
  },
  TRACKING_EXPERIMENT_NOT_FOUND: {
    httpStatus: 404,
    mlflowCode: "RESOURCE_DOES_NOT_EXIST",
    summary: "No experiment has this id or name.",
  },
  TRACKING_EXPERIMENT_EXISTS: {
    httpStatus: 400,
    mlflowCode: "RESOURCE_ALREADY_EXISTS",
    summary: "An experiment with this name already exists (possibly deleted).",
  },
  TRACKING_EXPERIMENT_NOT_ACTIVE: {
    httpStatus: 400,
    mlflowCode: "INVALID_STATE",
    summary: "The experiment is deleted (or not deleted, for a restore).",
  },
  TRACKING_RUN_NOT_FOUND: {
    httpStatus: 404,
    mlflowCode: "RESOURCE_DOES_NOT_EXIST",
    summary: "No run has this id.",
  },
  TRACKING_RUN_NOT_ACTIVE: {
    httpStatus: 400,
    mlflowCode: "INVALID_STATE",
    summary: "The run is deleted, so nothing can be logged to it.",
  },
  TRACKING_PARAM_CHANGED: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "A param was logged again with a different value; params are immutable.",
  },
  TRACKING_BATCH_TOO_LARGE: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "A log-batch exceeds 1000 metrics, 100 params, 100 tags or 1000 items.",
  },
  TRACKING_INVALID_FILTER: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "A search filter or order_by clause does not parse.",
  },
  TRACKING_INVALID_PAGE_TOKEN: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "A page token was not issued by this server.",
  },
  TRACKING_SERVER_ERROR: {
    httpStatus: 502,
    mlflowCode: "INTERNAL_ERROR",
    summary:
      "A remote tracking server refused a call or could not be reached; the message has its answer.",
  },
  REGISTRY_MODEL_NOT_FOUND: {
    httpStatus: 404,
    mlflowCode: "RESOURCE_DOES_NOT_EXIST",
    summary: "No registered model has this name.",
  },
  REGISTRY_MODEL_EXISTS: {
    httpStatus: 400,
    mlflowCode: "RESOURCE_ALREADY_EXISTS",
    summary: "A registered model with this name already exists.",
  },
  REGISTRY_VERSION_NOT_FOUND: {
    httpStatus: 404,
    mlflowCode: "RESOURCE_DOES_NOT_EXIST",
    summary: "The registered model has no such version.",
  },
  REGISTRY_ALIAS_NOT_FOUND: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "The registered model has no such alias (MLflow answers 400 here, not 404).",
  },
  ARTIFACTS_INVALID_PATH: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "An artifact path is absolute, escapes its root, or has forbidden characters.",
  },
  ARTIFACTS_NOT_FOUND: {
    httpStatus: 404,
    mlflowCode: "RESOURCE_DOES_NOT_EXIST",
    summary: "No artifact is stored under this path.",
  },
  ARTIFACTS_MULTIPART_UNSUPPORTED: {
    httpStatus: 501,
    mlflowCode: "NOT_IMPLEMENTED",
    summary: "Multipart upload is not supported; MLflow clients fall back to a single PUT.",
  },
  TRAINING_INVALID_DATA: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary:
      "Training data is empty, has mismatched lengths, or a label or column the task cannot use.",
  },
  TRAINING_INVALID_PARAMETER: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "A training hyperparameter is missing, of the wrong type, or out of range.",
  },
  MODELS_INVALID_PACKAGE: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "A model package or imported model file is malformed or inconsistent.",
  },
  MODELS_INVALID_ONNX: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "An ONNX model file is missing, unreadable, or not a model onnxruntime can load.",
  },
  MODELS_INVALID_INPUT: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "Prediction input does not match the model's signature (names, types or width).",
  },
  FEATURES_INVALID_DEFINITION: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary:
      "A feature definition (entity, source, view, on-demand view, service) is malformed or duplicated.",
  },
  FEATURES_DEFINITIONS_LOAD_FAILED: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "The feature definitions module could not be imported, or threw while loading.",
  },
  FEATURES_UNKNOWN_ENTITY: {
    httpStatus: 404,
    mlflowCode: "RESOURCE_DOES_NOT_EXIST",
    summary: "A feature view names an entity that is not defined.",
  },
  FEATURES_UNKNOWN_VIEW: {
    httpStatus: 404,
    mlflowCode: "RESOURCE_DOES_NOT_EXIST",
    summary: "No feature view or on-demand feature view has this name.",
  },
  FEATURES_UNKNOWN_FEATURE: {
    httpStatus: 404,
    mlflowCode: "RESOURCE_DOES_NOT_EXIST",
    summary: "The feature view has no feature with this name.",
  },
  FEATURES_UNKNOWN_SERVICE: {
    httpStatus: 404,
    mlflowCode: "RESOURCE_DOES_NOT_EXIST",
    summary: "No feature service has this name.",
  },
  FEATURES_NAME_COLLISION: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary:
      "Two requested features (or a feature and an entity column) would get the same output column name.",
  },
  FEATURES_INVALID_ENTITY_INPUT: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "The entity rows, file or query cannot be read, or lack a join key or request column.",
  },
  FEATURES_MISSING_TIMESTAMP: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "The entity input or a source has no timestamp column of the expected name.",
  },
  FEATURES_KEY_TYPE_MISMATCH: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "A join key's values are not of the type its entity declares.",
  },
  FEATURES_TIMESTAMP_MISMATCH: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary:
      "Timestamps with and without time zone are mixed, or a timestamp column is not a timestamp.",
  },
  FEATURES_SOURCE_NOT_FOUND: {
    httpStatus: 404,
    mlflowCode: "RESOURCE_DOES_NOT_EXIST",
    summary: "A source's file does not exist, or its query cannot run.",
  },
  FEATURES_SOURCE_SCHEMA: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "A source lacks a column its feature view declares, or has it with another type.",
  },
  FEATURES_TRANSFORM_FAILED: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "An on-demand transform threw, or returned columns of the wrong name, type or length.",
  },
  FEATURES_VIEW_NOT_ONLINE: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary:
      "The feature view is defined with online: false, so it is neither materialized nor served online.",
  },
  FEATURES_UNKNOWN_PUSH_SOURCE: {
    httpStatus: 404,
    mlflowCode: "RESOURCE_DOES_NOT_EXIST",
    summary: "No push source has this name.",
  },
  FEATURES_INVALID_PUSH: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary:
      "Pushed rows lack a column of the push source's schema, carry an unknown one, or hold a value of the wrong type.",
  },
  FEATURES_ONLINE_STORE_UNAVAILABLE: {
    httpStatus: 503,
    mlflowCode: "TEMPORARILY_UNAVAILABLE",
    summary: "The online store (SQLite file or Redis server) cannot be opened, reached or written.",
  },
  FEATURES_NOT_CONFIGURED: {
    httpStatus: 503,
    mlflowCode: "TEMPORARILY_UNAVAILABLE",
    summary:
      "No feature definitions module is configured: set featuresModule in config.json, PLINTH_FEATURES, or --module.",
  },
  FEATURES_BREAKING_CHANGE: {
    httpStatus: 409,
    mlflowCode: "INVALID_STATE",
    summary:
      "An apply would break what is applied (a type or join-key change, a removed feature a service reads); re-run with force to make new versions.",
  },
  FEATURES_REGISTRY_CONFLICT: {
    httpStatus: 409,
    mlflowCode: "INVALID_STATE",
    summary:
      "The feature registry changed since the plan was made (another apply won); plan again.",
  },
  FEATURES_NOT_IN_REGISTRY: {
    httpStatus: 404,
    mlflowCode: "RESOURCE_DOES_NOT_EXIST",
    summary: "No applied registry object (or no such version of one) has this name.",
  },
  FEATURES_DATASET_NOT_FOUND: {
    httpStatus: 404,
    mlflowCode: "RESOURCE_DOES_NOT_EXIST",
    summary: "No saved training dataset has this content hash.",
  },
  PIPELINES_INVALID_DEFINITION: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "A pipeline or step definition is malformed (bad name, option or foreach input).",
  },
  PIPELINES_DUPLICATE_STEP: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "Two steps of one pipeline have the same name.",
  },
  PIPELINES_CYCLE: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "The steps' inputs form a cycle, so no step order exists.",
  },
  PIPELINES_MISSING_INPUT: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "A step input names a step, output or parameter the pipeline does not have.",
  },
  PIPELINES_INVALID_PARAM: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "A pipeline parameter is missing, unknown, or not of its declared type.",
  },
  PIPELINES_UNSERIALISABLE_OUTPUT: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary:
      "A step returned an output that is not JSON, bytes or a path, or lacks a declared output.",
  },
  PIPELINES_STEP_FAILED: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "A step threw on its last attempt; the pipeline run failed.",
  },
  PIPELINES_STEP_TIMEOUT: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "A step attempt ran longer than its timeout.",
  },
  PIPELINES_CANCELLED: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "The pipeline run was cancelled (Ctrl-C or an aborted signal) before it finished.",
  },
  PIPELINES_RUN_NOT_FOUND: {
    httpStatus: 404,
    mlflowCode: "RESOURCE_DOES_NOT_EXIST",
    summary: "No pipeline run has this id.",
  },
  PIPELINES_LOAD_FAILED: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "The pipeline file could not be imported, or exports no pipeline.",
  },
  MONITORING_INVALID_INPUT: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary:
      "Monitoring input is malformed: columns of different lengths or types, an unknown column, or a bad option.",
  },
  MONITORING_INVALID_PROFILE: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "A profile document is not JSON of a known version, or its fields are inconsistent.",
  },
  MONITORING_INCOMPATIBLE_PROFILES: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary:
      "Two profiles cannot be merged: a feature differs in kind, or their sketches differ in settings.",
  },
  PIPELINES_QUEUE_UNAVAILABLE: {
    httpStatus: 503,
    mlflowCode: "TEMPORARILY_UNAVAILABLE",
    summary: "The Redis server of the pipeline queue cannot be reached.",
  },
  PIPELINES_WORKER_FAILED: {
    httpStatus: 500,
    mlflowCode: "INTERNAL_ERROR",
    summary:
      "A queue worker lost a step more often than the stall limit allows (killed mid-step), or the job failed outside the step.",
  },
  PIPELINES_CODE_MISMATCH: {
    httpStatus: 409,
    mlflowCode: "INVALID_STATE",
    summary:
      "A queue worker's copy of the pipeline module has a different step than the run was started with; deploy the same code to workers.",
  },
  PIPELINES_NOT_REGISTERED: {
    httpStatus: 404,
    mlflowCode: "RESOURCE_DOES_NOT_EXIST",
    summary: "No pipeline is registered (or built in) under this name.",
  },
  PIPELINES_NAME_TAKEN: {
    httpStatus: 409,
    mlflowCode: "RESOURCE_ALREADY_EXISTS",
    summary: "The pipeline name belongs to a built-in pipeline or another module.",
  },
  PIPELINES_INVALID_SCHEDULE: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary: "A schedule's cron expression or time zone does not parse.",
  },
  PIPELINES_SCHEDULE_NOT_FOUND: {
    httpStatus: 404,
    mlflowCode: "RESOURCE_DOES_NOT_EXIST",
    summary: "No pipeline schedule has this id.",
  },
  DEPLOYMENT_NOT_FOUND: {
    httpStatus: 404,
    mlflowCode: "RESOURCE_DOES_NOT_EXIST",
    summary: "No deployment has this name.",
  },
  DEPLOYMENT_ALREADY_EXISTS: {
    httpStatus: 409,
    mlflowCode: "RESOURCE_ALREADY_EXISTS",
    summary: "A deployment with this name already exists.",
  },
  DEPLOYMENT_INVALID: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary:
      "A deployment spec is malformed: a bad name, duplicate variants, alias and version both or neither, live weights not summing to 100, or an unknown model.",
  },
  SERVING_INVALID_INPUT: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary:
      "A prediction request is malformed: a missing, extra or wrong-typed field, or a batch over the limit; the message names the field.",
  },
  SERVING_MODEL_NOT_FOUND: {
    httpStatus: 404,
    mlflowCode: "RESOURCE_DOES_NOT_EXIST",
    summary:
      "No served model (Open Inference Protocol) has this name, or it has no such version loaded.",
  },
  SERVING_NOT_READY: {
    httpStatus: 503,
    mlflowCode: "TEMPORARILY_UNAVAILABLE",
    summary: "The deployment's models are not loaded yet, or the last load failed; retry later.",
  },
  PREDICTION_LOG_INVALID_SEGMENT: {
    httpStatus: 500,
    mlflowCode: "INTERNAL_ERROR",
    summary:
      "A prediction log segment in the artifact store is not what plinth writes (edited or damaged by hand); its key and line are named.",
  },
  MONITORING_INVALID_LABEL: {
    httpStatus: 400,
    mlflowCode: "INVALID_PARAMETER_VALUE",
    summary:
      "A delayed label is malformed: no request id or entity, a NaN or infinite label, a bad time; the row is named and nothing is stored.",
  },
  MONITORING_NO_REFERENCE: {
    httpStatus: 404,
    mlflowCode: "RESOURCE_DOES_NOT_EXIST",
    summary:
      "No reference to monitor against: the deployment's champion version has no stored reference profile and no reference file was given.",
  },
  INTERNAL: {
    httpStatus: 500,
    mlflowCode: "INTERNAL_ERROR",
    summary: "A bug in plinth; the server log has the stack.",
  },
} as const satisfies Record<string, ErrorSpec>;

interface ErrorSpec {
  httpStatus: number;
  mlflowCode: string;
  summary: string;
}

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/**
 * An error the caller can act on: a catalogued code, the HTTP status it maps to, and a
 * message that names the offending field.
 *
 * @example
 * throw new PlinthError("INVALID_ARGUMENT", "Field 'max_results' must be at most 50000", {
 *   field: "max_results",
 * });
 */
/**
 * Marks plinth's errors. A user module that tsx imports in its own namespace (see
 * importUserModule) brings its own copy of plinth, whose PlinthError is another class; the
 * brand lets `instanceof PlinthError` recognise errors from either copy.
 */
const BRAND: unique symbol = Symbol.for("plinth.PlinthError");

export class PlinthError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && BRAND in value;
  }

  readonly [BRAND] = true;
  override readonly name = "PlinthError";
  readonly code: ErrorCode;
  readonly httpStatus: number;
  /** The request or config field at fault, when there is one. */
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.httpStatus = ERROR_CATALOGUE[code].httpStatus;
    this.field = options.field;
  }

  /** The MLflow REST `error_code` for this error. */
  get mlflowCode(): string {
    return ERROR_CATALOGUE[this.code].mlflowCode;
  }
}

/** True when `value` is a PlinthError, optionally with the given code. */
export function isPlinthError(value: unknown, code?: ErrorCode): value is PlinthError {
  return value instanceof PlinthError && (code === undefined || value.code === code);
}

/** Shorthand for the most common error: a named field with a bad value. */
export function invalidArgument(field: string, problem: string): PlinthError {
  return new PlinthError("INVALID_ARGUMENT", `Invalid value for '${field}': ${problem}`, {
    field,
  });
}
