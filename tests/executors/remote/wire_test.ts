// The error half of the wire protocol: every typed error a server can end a run with comes back
// on the client as the same class, code, message, guidance and fields.
import assert from "node:assert/strict";
import {
  type AirbyteError,
  CacheError,
  CacheLockedError,
  ConfigValidationError,
  ConnectorFailedError,
  ConnectorInstallError,
  RemoteRefusedError,
  StreamNotFoundError,
  SubprocessFailedError,
} from "../../../mod.ts";
import { errorFromWire, errorToWire } from "../../../src/executors/remote/_wire.ts";

function roundTrip<T extends AirbyteError>(error: T): AirbyteError {
  return errorFromWire(JSON.parse(JSON.stringify(errorToWire(error))));
}

Deno.test("errorToWire/errorFromWire give back the same typed error with its fields", () => {
  const cases: AirbyteError[] = [
    new SubprocessFailedError("Connector 'x' exited with code 3 while running 'read'.", {
      guidance: "See the log.",
      context: { connector: "x", exitCode: 3, logTail: ["a", "b"] },
    }),
    new ConnectorFailedError("boom", {
      failureType: "config_error",
      internalMessage: "401",
      context: { exitCode: 1 },
    }),
    new ConfigValidationError("source-x", [{ path: "$.count", message: "must be integer" }]),
    new StreamNotFoundError("userz", ["users", "purchases"], {
      context: { connector: "source-x", stream: "userz" },
    }),
    new ConnectorInstallError("Cannot install 'x'", { guidance: "Check the pip URL." }),
    new RemoteRefusedError(504, "run_timeout", "The run was ended after 1 s, the server's limit.", {
      guidance: "Raise it.",
    }),
    new CacheError("Cannot open the cache."),
  ];
  for (const error of cases) {
    const back = roundTrip(error);
    assert.equal(back.constructor, error.constructor, error.name);
    assert.equal(back.code, error.code);
    assert.equal(back.message, error.message, error.name);
    assert.equal(back.guidance, error.guidance);
    assert.deepEqual(back.context, error.context);
  }
  assert.equal((roundTrip(cases[1]) as ConnectorFailedError).failureType, "config_error");
  assert.deepEqual((roundTrip(cases[2]) as ConfigValidationError).issues, [{
    path: "$.count",
    message: "must be integer",
  }]);
  assert.deepEqual((roundTrip(cases[3]) as StreamNotFoundError).availableStreams, ["users", "purchases"]);
  const refusal = roundTrip(cases[5]) as RemoteRefusedError;
  assert.deepEqual([refusal.status, refusal.reason], [504, "run_timeout"]);
});

Deno.test("an error without a class of its own keeps its code; a non-Airbyte error travels as a 500 without internals", () => {
  const locked = new CacheLockedError("/tmp/x.duckdb", { pid: 42, hostname: "h", startedAt: "t" });
  const back = roundTrip(locked);
  assert.equal(back.code, "CACHE_LOCKED");
  assert.equal(back.message, locked.message);
  const bug = errorFromWire(errorToWire(new TypeError("x is undefined at /srv/app/secret_path.ts:12")));
  assert.ok(bug instanceof RemoteRefusedError);
  assert.equal(bug.status, 500);
  assert.ok(!bug.message.includes("secret_path"));
});
