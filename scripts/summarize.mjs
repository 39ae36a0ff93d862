// Test-run bookkeeping for scripts/test.sh, in plain Node so that it works even when Deno does not.
//
//   node scripts/summarize.mjs deno-counts LOG   → "PASSED FAILED" from `deno test` output in LOG
//                                                  (its last "ok | N passed | N failed" summary line;
//                                                  "0 1" when there is none, e.g. a type error)
//   node scripts/summarize.mjs report RESULTS    → a table of the stages in RESULTS (lines of
//                                                  "name<TAB>passed<TAB>failed<TAB>seconds") and,
//                                                  as the very last line, "N passed, N failed"
import { readFileSync } from "node:fs";
import process from "node:process";

// deno colours its output unless NO_COLOR is set; strip SGR sequences before matching.
const ANSI_SGR = new RegExp(String.fromCharCode(27) + "\\[[0-9;]*m", "g");
const stripAnsi = (text) => text.replace(ANSI_SGR, "");

function denoCounts(logPath) {
  const lines = stripAnsi(readFileSync(logPath, "utf8")).split("\n");
  const summaries = lines
    .map((line) => /^(ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/.exec(line.trim()))
    .filter(Boolean);
  if (summaries.length === 0) return { passed: 0, failed: 1 };
  // One summary per `deno test` invocation; a log may hold several.
  return summaries.reduce(
    (sum, m) => ({ passed: sum.passed + Number(m[2]), failed: sum.failed + Number(m[3]) }),
    { passed: 0, failed: 0 },
  );
}

function report(resultsPath) {
  const rows = readFileSync(resultsPath, "utf8").split("\n").filter(Boolean).map((line) => {
    const [name, passed, failed, seconds] = line.split("\t");
    return { name, passed: Number(passed), failed: Number(failed), seconds: Number(seconds) };
  });
  const width = Math.max(5, ...rows.map((r) => r.name.length));
  console.log("");
  console.log(`${"stage".padEnd(width)}  result  passed  failed  time`);
  for (const r of rows) {
    const result = r.failed > 0 ? "FAIL" : "ok";
    console.log(
      `${r.name.padEnd(width)}  ${result.padEnd(6)}  ${String(r.passed).padStart(6)}  ${
        String(r.failed).padStart(6)
      }  ${r.seconds.toFixed(0).padStart(4)}s`,
    );
  }
  const passed = rows.reduce((sum, r) => sum + r.passed, 0);
  const failed = rows.reduce((sum, r) => sum + r.failed, 0);
  console.log("");
  console.log(`${passed} passed, ${failed} failed`);
  return failed;
}

const [command, path] = process.argv.slice(2);
if (command === "deno-counts" && path) {
  const { passed, failed } = denoCounts(path);
  console.log(`${passed} ${failed}`);
} else if (command === "report" && path) {
  process.exitCode = report(path) > 0 ? 1 : 0;
} else {
  console.error("usage: node scripts/summarize.mjs deno-counts LOG | report RESULTS");
  process.exitCode = 2;
}
