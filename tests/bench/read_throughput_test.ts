// The read benchmark's output: every line's figures come from the run it names.
import assert from "node:assert/strict";
import { ROOT } from "../_support.ts";

/** `key=value` pairs of one output line. */
function fields(line: string): Record<string, string> {
  return Object.fromEntries([...line.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
}

Deno.test("bench/read_throughput.ts names the run of every figure on its summary line", async () => {
  // Two sizes, compared at the smaller one: the summary must not mix the two runs' figures.
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${ROOT}/bench/read_throughput.ts`,
      "--sizes",
      "2000,5000",
      "--pyairbyte-records",
      "2000",
      "--no-pyairbyte",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const lines = text.trim().split("\n");
  const runs = new Map(
    lines.filter((l) => l.startsWith("airbyte-ts ")).map((l) => [fields(l).records, fields(l)]),
  );
  const summary = fields(lines[lines.length - 1]);
  assert.ok("throughput_ratio_vs_pyairbyte" in summary, lines[lines.length - 1]);
  const run = runs.get(summary.records);
  assert.ok(run, `the summary names a run that printed no line: ${summary.records}`);
  assert.equal(summary.records, "2000");
  assert.equal(summary.records_per_s, run.records_per_s);
  assert.equal(summary.peak_rss_mb, run.peak_rss_mb);
});
