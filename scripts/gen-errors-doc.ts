// Prints docs/errors.md from the error catalogue:
//   node --import tsx scripts/gen-errors-doc.ts > docs/errors.md && npm run format
import { ERROR_CATALOGUE } from "../src/core/errors.ts";

const rows = Object.entries(ERROR_CATALOGUE).map(
  ([code, spec]) =>
    `| \`${code}\` | ${spec.httpStatus} | \`${spec.mlflowCode}\` | ${spec.summary} |`,
);
process.stdout.write(
  [
    "# Error codes",
    "",
    "Every error plinth reports to a caller carries one of these codes (`PlinthError.code`), the",
    "HTTP status it maps to, and a message naming the offending field. Under `/api/2.0` the body is",
    "MLflow's `{error_code, message}` with the MLflow code in the third column, so MLflow clients",
    "behave as against MLflow's own server; plinth's own routes answer `{error_code, message, field}`",
    "with the plinth code. The CLI prints `error [CODE]: message` (or the JSON body with `--json`)",
    "and exits 2 for bad arguments, 1 for other errors, 70 for a bug.",
    "",
    "This file is generated from `src/core/errors.ts` by `scripts/gen-errors-doc.ts`; a test fails",
    "when they differ.",
    "",
    "| code | HTTP | MLflow `error_code` | meaning |",
    "|---|---|---|---|",
    ...rows,
    "",
  ].join("\n"),
);
