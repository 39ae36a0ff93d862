// TLS to a real server: the test cluster is given a self-signed certificate (turning TLS on takes a
// reload, and leaves plain connections as they were), then PostgresCache connects with sslmode
// require, is refused with verify-full (an untrusted certificate), and verifies it with `ssl.ca`.
import assert from "node:assert/strict";
import { CacheConnectionError, PostgresCache } from "../../mod.ts";
import { adminPool, testDatabase } from "../_services/postgres.ts";

/** A self-signed certificate for "localhost", readable by the server. */
async function selfSigned(): Promise<{ dir: string; cert: string; key: string }> {
  const dir = await Deno.makeTempDir({ prefix: "airbyte-ts-tls-" });
  await Deno.chmod(dir, 0o755);
  const [cert, key] = [`${dir}/server.crt`, `${dir}/server.key`];
  const out = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
    ],
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  await Deno.chmod(key, 0o600);
  await Deno.chmod(cert, 0o644);
  // The server runs as `postgres` when the tests run as root; it must own its key.
  if (Deno.uid() === 0) {
    const id = await new Deno.Command("id", { args: ["-u", "postgres"], stdout: "piped" }).output();
    const uid = Number(new TextDecoder().decode(id.stdout).trim());
    await Deno.chown(key, uid, null);
  }
  return { dir, cert, key };
}

async function setTls(on: { cert: string; key: string } | undefined) {
  const admin = await adminPool();
  try {
    if (on) {
      await admin.query(`ALTER SYSTEM SET ssl_cert_file = '${on.cert}'`);
      await admin.query(`ALTER SYSTEM SET ssl_key_file = '${on.key}'`);
      await admin.query("ALTER SYSTEM SET ssl = on");
    } else {
      for (const name of ["ssl", "ssl_cert_file", "ssl_key_file"]) {
        await admin.query(`ALTER SYSTEM RESET ${name}`);
      }
    }
    await admin.query("SELECT pg_reload_conf()");
  } finally {
    await admin.end();
  }
  // New connections see the reloaded settings once the postmaster has read them.
  for (;;) {
    const probe = await adminPool();
    const { rows } = await probe.query("SHOW ssl");
    await probe.end();
    if (rows[0].ssl === (on ? "on" : "off")) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

Deno.test("PostgresCache connects over TLS with sslmode=require, refuses an untrusted certificate with verify-full, trusts it with ssl.ca", async () => {
  await using db = await testDatabase("tls");
  const tls = await selfSigned();
  await setTls(tls);
  try {
    const url = new URL(db.url);
    const encrypted = async (cache: PostgresCache) => {
      try {
        return (await cache.sql("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).get(0)?.ssl;
      } finally {
        await cache.close();
      }
    };
    url.searchParams.set("sslmode", "require");
    assert.equal(await encrypted(new PostgresCache({ url: url.toString() })), true, "sslmode=require: TLS");
    url.searchParams.set("sslmode", "disable");
    assert.equal(
      await encrypted(new PostgresCache({ url: url.toString() })),
      false,
      "sslmode=disable: plain",
    );

    url.searchParams.set("sslmode", "verify-full");
    const refused = new PostgresCache({ url: url.toString() });
    const error = await refused.open().catch((e) => e);
    await refused.close();
    assert.ok(error instanceof CacheConnectionError, String(error));
    assert.equal(error.reason, "tls");
    assert.match(error.message, /TLS handshake failed .*self.signed/i);
    assert.ok(!error.message.includes(url.password));

    url.searchParams.delete("sslmode");
    const ca = await Deno.readTextFile(tls.cert);
    const trusted = new PostgresCache({ url: url.toString(), ssl: { ca, servername: "localhost" } });
    assert.equal(await encrypted(trusted), true, "verified against the given CA");
  } finally {
    await setTls(undefined);
    await Deno.remove(tls.dir, { recursive: true });
  }
});
