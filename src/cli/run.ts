#!/usr/bin/env node
// The process entry of the CLI: bin/plinth.js loads the compiled copy of this file.
import { main } from "./main.ts";

process.exitCode = await main(process.argv.slice(2));
