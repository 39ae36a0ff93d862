// Chromium for the preview tests: Debian's /usr/bin/chromium driven by playwright-core.
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "../_browser_page.ts";

export const VIEWPORT = { width: 1440, height: 860 };

/** A browser with one page; what the page logs is kept for failure messages. */
export interface PageSession extends AsyncDisposable {
  browser?: Browser;
  context: BrowserContext;
  page: Page;
  log: string[];
}

function watch(page: Page, log: string[]): void {
  page.on("console", (m) => log.push(`[console.${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => log.push(`[pageerror] ${e.stack ?? e.message}`));
}

export async function openBrowser(): Promise<PageSession> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  const log: string[] = [];
  watch(page, log);
  return { browser, context, page, log, [Symbol.asyncDispose]: () => browser.close() };
}

/** A browser profile on disk, so OPFS survives reloads (and the profile is removed afterwards). */
export async function openPersistentBrowser(profileDir: string): Promise<PageSession> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    viewport: VIEWPORT,
  });
  const page = context.pages()[0] ?? await context.newPage();
  const log: string[] = [];
  watch(page, log);
  return { context, page, log, [Symbol.asyncDispose]: () => context.close() };
}

/** Wait until the page has opened what it shows (`ready`) or shows a message (`error`, `empty`). */
export async function settled(page: Page, timeout = 120_000): Promise<string> {
  await page.waitForFunction(
    () => ["ready", "error", "empty"].includes(document.body.dataset.state ?? ""),
    undefined,
    { timeout },
  );
  return await page.evaluate(() => document.body.dataset.state!);
}

let screenshots: Promise<string> | undefined;

/**
 * Where a test's screenshot goes: one directory per test process, kept after the run (the views
 * are worth looking at), its path printed once.
 */
export async function screenshotPath(name: string): Promise<string> {
  screenshots ??= Deno.makeTempDir({ prefix: "airbyte-ts-preview-screenshots-" }).then((dir) => {
    console.log(`preview screenshots: ${dir}`);
    return dir;
  });
  return `${await screenshots}/${name}.png`;
}
