// Process-tree checks for the signal tests: real processes, read from `ps`.

/** One process as `ps` shows it. */
export interface ProcessRow {
  pid: number;
  ppid: number;
  pgid: number;
  stat: string;
  args: string;
}

/** Every live (non-zombie) process. */
export async function processTable(): Promise<ProcessRow[]> {
  const out = await new Deno.Command("ps", { args: ["-eo", "pid=,ppid=,pgid=,stat=,args="], stdout: "piped" })
    .output();
  return new TextDecoder().decode(out.stdout).split("\n").map((line) => {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    return m && { pid: +m[1], ppid: +m[2], pgid: +m[3], stat: m[4], args: m[5] };
  }).filter((row): row is ProcessRow => row !== null && !row.stat.startsWith("Z"));
}

/** Live members of process group `pgid`. */
export async function groupMembers(pgid: number): Promise<ProcessRow[]> {
  return (await processTable()).filter((p) => p.pgid === pgid);
}

/** Polls `probe` every 50 ms until it returns a value (not undefined), or fails after `ms`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Waits until a process (a descendant of `ancestor`, whose command line contains `needle`) leads a
 * process group of at least `members` live processes; returns that group's id and the leader's
 * command line. Name the verb in `needle` (`"x.py read"`): a pyenv shim briefly gives any run of
 * a script (its `spec`, say) a group of several processes.
 */
export function connectorGroup(
  ancestor: number,
  needle: string,
  members: number,
): Promise<{ pgid: number; args: string }> {
  return waitFor(`a '${needle}' process group of ${members} under pid ${ancestor}`, async () => {
    const table = await processTable();
    const descends = (p: ProcessRow): boolean => {
      for (let at: ProcessRow | undefined = p, hops = 0; at && hops < 20; hops++) {
        if (at.ppid === ancestor) return true;
        at = table.find((q) => q.pid === at!.ppid);
      }
      return false;
    };
    const leader = table.find((p) => p.pid === p.pgid && p.args.includes(needle) && descends(p));
    if (!leader) return undefined;
    return table.filter((p) => p.pgid === leader.pgid).length >= members
      ? { pgid: leader.pgid, args: leader.args }
      : undefined;
  });
}

/** The path after `--config` in a connector's command line (its private temp file). */
export function configPathOf(args: string): string {
  const m = /--config (\S+)/.exec(args);
  if (!m) throw new Error(`no --config in: ${args}`);
  return m[1];
}
