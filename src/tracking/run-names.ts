import { randomInt } from "node:crypto";

const ADJECTIVES = [
  "amber",
  "brave",
  "calm",
  "crisp",
  "daring",
  "eager",
  "fleet",
  "gentle",
  "hardy",
  "keen",
  "lucid",
  "mellow",
  "nimble",
  "patient",
  "quiet",
  "rapid",
  "steady",
  "tidy",
  "vivid",
  "wise",
];
const NOUNS = [
  "badger",
  "cedar",
  "comet",
  "delta",
  "falcon",
  "fjord",
  "gecko",
  "harbor",
  "heron",
  "lynx",
  "maple",
  "orca",
  "otter",
  "pine",
  "quartz",
  "raven",
  "river",
  "summit",
  "tern",
  "willow",
];

/** A readable name for a run created without one, like MLflow's `bold-owl-123`. */
export function generateRunName(): string {
  const adjective = ADJECTIVES[randomInt(ADJECTIVES.length)]!;
  const noun = NOUNS[randomInt(NOUNS.length)]!;
  return `${adjective}-${noun}-${randomInt(1000)}`;
}
