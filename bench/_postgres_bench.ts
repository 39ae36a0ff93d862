// Shared by the PostgreSQL benchmarks: the read benchmark's record shape (as bench/replay_source.py
// declares it and bench/make_replay_data.py writes it) and a PostgreSQL server to measure against.
const ROOT = new URL("..", import.meta.url).pathname;

/** The JSON Schema of `bench_records` (bench/replay_source.py). */
export const BENCH_SCHEMA = {
  type: "object",
  properties: {
    id: { type: "integer" },
    updated_at: { type: "string", format: "date-time", airbyte_type: "timestamp_with_timezone" },
    name: { type: "string" },
    email: { type: ["null", "string"] },
    age: { type: ["null", "number"], airbyte_type: "integer" },
    score: { type: "number" },
    balance: { type: ["null", "number"] },
    is_active: { type: "boolean" },
    category: { type: "string" },
    note: { type: ["null", "string"] },
    address: { type: ["null", "object"], properties: { city: { type: "string" }, zip: { type: "string" } } },
    visits: { type: "integer" },
  },
};

const FIRST = ["Ada", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Edsger", "Radia"];
const LAST = [
  "Lovelace",
  "Hopper",
  "Torvalds",
  "Hamilton",
  "Ritchie",
  "Liskov",
  "Thompson",
  "Allen",
  "Dijkstra",
];
const CATEGORIES = ["books", "games", "tools", "music", "garden", "toys", "food"];
const CITIES = [
  "Berlin",
  "Lisbon",
  "Nairobi",
  "Osaka",
  "Quito",
  "Toronto",
  "Wellington",
  "Oslo",
  "Austin",
  "Pune",
];
const NOTES = ["call back re renewal", "invoice by email", "upgraded in Q3"];

/** Record `i` as bench/make_replay_data.py writes it. */
export function benchRecord(i: number): Record<string, unknown> {
  const first = FIRST[i % FIRST.length];
  return {
    id: i,
    updated_at: new Date((1_700_000_000 + i) * 1000).toISOString().replace(".000Z", "Z"),
    name: `${first} ${LAST[i % LAST.length][0]}.`,
    email: `${first.toLowerCase()}${i}@ex.com`,
    age: i % 7 === 0 ? null : 18 + i % 60,
    score: (i * 7919 % 100000) / 1000,
    balance: i % 11 === 0 ? null : Math.round((i * 104729 % 10000000) - 2_000_000) / 100,
    is_active: i % 3 !== 0,
    category: CATEGORIES[i % CATEGORIES.length],
    note: i % 5 === 0 ? null : NOTES[i % NOTES.length],
    address: { city: CITIES[i % CITIES.length], zip: String(i * 37 % 100000).padStart(5, "0") },
    visits: i * 13 % 1000,
  };
}

/** A server to measure against: `url` (or AIRBYTE_TS_TEST_PG_URL), else a private durable cluster. */
export async function startBenchPostgres(url?: string): Promise<{ url: string; stop(): Promise<void> }> {
  const given = url ?? Deno.env.get("AIRBYTE_TS_TEST_PG_URL");
  if (given) return { url: given, stop: () => Promise.resolve() };
  const out = await new Deno.Command("bash", {
    args: [`${ROOT}scripts/services/postgres.sh`, "start", "--durable", "--watch", String(Deno.pid)],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (out.code !== 0) throw new Error("scripts/services/postgres.sh start failed");
  const text = new TextDecoder().decode(out.stdout);
  const value = (name: string) => new RegExp(`^${name}='([^']*)'$`, "m").exec(text)![1];
  const dir = value("AIRBYTE_TS_TEST_PG_DIR");
  return {
    url: value("AIRBYTE_TS_TEST_PG_URL"),
    async stop() {
      await new Deno.Command("bash", { args: [`${ROOT}scripts/services/postgres.sh`, "stop", dir] }).output();
    },
  };
}
