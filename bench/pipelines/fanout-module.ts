// The fan-out pipeline as a module's default export, for `plinth worker` to import.
import { fanout } from "./noop-pipelines.ts";

export default fanout;
