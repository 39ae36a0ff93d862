/**
 * Config, catalog and state files for a connector in a container: one tar (nanotar, a small
 * pure-JS tar library that runs in every runtime), put into the created container with
 * `PUT /containers/{id}/archive`. The tar holds a directory (0700) and the files (0600), all owned
 * by the user the connector runs as, so only that user can read them; writable, as connectors
 * that migrate their config rewrite it. Also reads `/etc/passwd` and `/etc/group` from an image
 * to turn a user name into the numbers a tar header needs.
 *
 * @module
 */
import { createTar, parseTar } from "npm:nanotar@0.3.0";

/** The numeric owner of the files. */
export interface FileOwner {
  uid: number;
  gid: number;
}

/** The directory made in the container for one run's files. */
export const FILES_DIR_NAME = "airbyte-ts-files";

/** A tar of the files and the `flag path` arguments that name them inside the container. */
export interface ContainerFiles {
  tar: Uint8Array;
  args: string[];
}

/** `--config` → `config.json`; anything odd in a flag is replaced so it cannot leave the directory. */
function fileNameFor(flag: string, index: number): string {
  const base = flag.replace(/^-+/, "").replace(/[^A-Za-z0-9_.-]/g, "_") || `file-${index}`;
  return `${base}.json`;
}

/**
 * Build the tar for `files` (flag → content) to extract into `parent` in the container.
 *
 * @param files Content keyed by the flag that names it, e.g. `{ "--config": "{}" }`.
 * @param parent The container directory the tar is extracted into, e.g. `/airbyte`.
 * @param owner The user and group that will own the directory and files.
 * @returns The tar bytes and the arguments to pass to the connector.
 *
 * @example A config file for uid 1000
 * ```ts
 * import { containerFiles } from "./_container_files.ts";
 * const { tar, args } = containerFiles({ "--config": "{}" }, "/airbyte", { uid: 1000, gid: 1000 });
 * if (args.join(" ") !== "--config /airbyte/airbyte-ts-files/config.json") throw new Error(args.join(" "));
 * if (tar.length % 512 !== 0) throw new Error("not a tar");
 * ```
 */
export function containerFiles(
  files: Record<string, string>,
  parent: string,
  owner: FileOwner,
): ContainerFiles {
  const base = parent.replace(/\/+$/, "");
  const attrs = { uid: owner.uid, gid: owner.gid, mtime: Date.now() };
  const entries: { name: string; data?: string; attrs: typeof attrs & { mode: string } }[] = [
    { name: `${FILES_DIR_NAME}/`, attrs: { ...attrs, mode: "700" } },
  ];
  const args: string[] = [];
  let index = 0;
  for (const [flag, content] of Object.entries(files)) {
    const name = `${FILES_DIR_NAME}/${fileNameFor(flag, index++)}`;
    entries.push({ name, data: content, attrs: { ...attrs, mode: "600" } });
    args.push(flag, `${base}/${name}`);
  }
  return { tar: createTar(entries), args };
}

/**
 * The first file in a tar (as `GET /containers/{id}/archive` returns one), as text.
 *
 * @param tar The archive bytes.
 * @returns The file's text, or `undefined` when the archive holds no regular file.
 */
export function firstFileText(tar: Uint8Array): string | undefined {
  const file = parseTar(tar).find((item) => item.type === "file" || item.type === undefined);
  return file?.data ? new TextDecoder().decode(file.data) : undefined;
}

/**
 * Resolve a container user spec (`name`, `uid`, `name:group`, `uid:gid`, or empty for root) to
 * numbers, with the image's `/etc/passwd` and `/etc/group` texts for names. Like the engines: a
 * user without a group gets its passwd entry's group, or 0.
 *
 * @param user The image's `Config.User` (or an override).
 * @param passwd The image's `/etc/passwd`, if it has one.
 * @param group The image's `/etc/group`, if it has one.
 * @returns The owner, or a reason when a name cannot be found.
 *
 * @example Names and numbers
 * ```ts
 * import { resolveOwner } from "./_container_files.ts";
 * const passwd = "root:x:0:0::/root:/bin/sh\nairbyte:x:1000:1001::/airbyte:/bin/sh\n";
 * const owner = resolveOwner("airbyte", passwd, "airbyte:x:1001:\n");
 * if (!("uid" in owner) || owner.uid !== 1000 || owner.gid !== 1001) throw new Error(JSON.stringify(owner));
 * const numeric = resolveOwner("5:6", undefined, undefined);
 * if (!("uid" in numeric) || numeric.gid !== 6) throw new Error();
 * ```
 */
export function resolveOwner(
  user: string | undefined,
  passwd: string | undefined,
  group: string | undefined,
): FileOwner | { missing: string } {
  const spec = (user ?? "").trim();
  if (!spec) return { uid: 0, gid: 0 };
  const [userPart, groupPart] = spec.split(":", 2);
  const users = table(passwd);
  let uid: number;
  let primaryGid: number | undefined;
  if (/^\d+$/.test(userPart)) {
    uid = Number(userPart);
    const entry = users.find((fields) => Number(fields[2]) === uid);
    primaryGid = entry ? Number(entry[3]) : undefined;
  } else {
    const entry = users.find((fields) => fields[0] === userPart);
    if (!entry) return { missing: `user '${userPart}' (not in the image's /etc/passwd)` };
    uid = Number(entry[2]);
    primaryGid = Number(entry[3]);
  }
  if (groupPart === undefined || groupPart === "") return { uid, gid: primaryGid ?? 0 };
  if (/^\d+$/.test(groupPart)) return { uid, gid: Number(groupPart) };
  const groupEntry = table(group).find((fields) => fields[0] === groupPart);
  if (!groupEntry) return { missing: `group '${groupPart}' (not in the image's /etc/group)` };
  return { uid, gid: Number(groupEntry[2]) };
}

function table(text: string | undefined): string[][] {
  return (text ?? "").split("\n").filter((line) => line && !line.startsWith("#")).map((line) =>
    line.split(":")
  );
}
