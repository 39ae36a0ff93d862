/**
 * The page around the app: the top bar, progress while DuckDB-WASM starts, full-page messages for
 * what stops a cache from opening (missing, not DuckDB, damaged, being written), and banners for
 * errors afterwards. Nothing fails silently or only in the console.
 */
import { h, replace } from "./dom.ts";

export interface Message {
  title: string;
  detail: string;
  /** A code for tests and bug reports: missing, not-duckdb, empty, corrupt, locked, failed. */
  kind: string;
  actions?: { label: string; run: () => void; primary?: boolean }[];
}

export class Shell {
  readonly root: HTMLElement;
  #title = h("div", { class: "db-title" }, "airbyte-ts preview");
  #detail = h("div", { class: "db-detail" });
  #badges = h("div", { class: "badges" });
  #actions = h("div", { class: "top-actions" });
  #banner = h("div", { class: "banners", "aria-live": "polite" });
  #stage = h("main", { class: "stage" });

  constructor(root: HTMLElement) {
    this.root = root;
    replace(
      root,
      h(
        "header",
        { class: "topbar" },
        h(
          "div",
          { class: "brand" },
          h("span", { class: "logo" }, "◧"),
          h("span", null, "airbyte-ts"),
          h("span", { class: "brand-sub" }, "preview"),
        ),
        h("div", { class: "db" }, this.#title, this.#detail),
        this.#badges,
        this.#actions,
      ),
      this.#banner,
      this.#stage,
    );
  }

  setTitle(title: string, detail: string, badges: string[] = []): void {
    this.#title.textContent = title;
    this.#detail.textContent = detail;
    replace(this.#badges, badges.map((b) => h("span", { class: "badge-top" }, b)));
    document.title = `${title} · airbyte-ts preview`;
  }

  setActions(...actions: HTMLElement[]): void {
    replace(this.#actions, actions);
  }

  /** Progress while opening: steps ticked off as they finish. */
  progress(steps: string[], done: number, note = ""): void {
    document.body.dataset.state = "loading";
    replace(
      this.#stage,
      h(
        "div",
        { class: "loading-panel" },
        h("div", { class: "spinner" }),
        h(
          "ol",
          { class: "steps" },
          steps.map((s, i) => h("li", { class: i < done ? "done" : i === done ? "current" : "" }, s)),
        ),
        note ? h("div", { class: "dim" }, note) : null,
      ),
    );
  }

  /** A full-page message in place of the app. */
  message(message: Message): void {
    document.body.dataset.state = "error";
    document.body.dataset.error = message.kind;
    replace(
      this.#stage,
      h(
        "div",
        { class: `message-panel kind-${message.kind}`, role: "alert" },
        h("div", { class: "message-icon" }, message.kind === "welcome" ? "↓" : "!"),
        h("h2", { class: "message-title" }, message.title),
        h("p", { class: "message-detail" }, message.detail),
        message.actions?.length
          ? h(
            "div",
            { class: "message-actions" },
            message.actions.map((a) =>
              h("button", { class: a.primary ? "primary" : "", onclick: a.run }, a.label)
            ),
          )
          : null,
      ),
    );
  }

  /** Show the app. */
  show(el: HTMLElement): void {
    replace(this.#stage, el);
    document.body.dataset.state = "ready";
    delete document.body.dataset.error;
  }

  /** An error banner over the app (query failures and the like); closes on click. */
  banner(text: string, kind: "error" | "info" = "error", action?: { label: string; run: () => void }): void {
    const el = h(
      "div",
      { class: `banner banner-${kind}`, role: kind === "error" ? "alert" : "status" },
      h("span", { class: "banner-text" }, text),
      action ? h("button", { onclick: action.run }, action.label) : null,
      h("button", { class: "icon", title: "Dismiss", onclick: () => el.remove() }, "✕"),
    );
    this.#banner.append(el);
    while (this.#banner.children.length > 3) this.#banner.firstElementChild!.remove();
  }
}

/** DuckDB's error text without the wrapping JSON or stack. */
export function errorText(error: unknown): string {
  let text = String((error as Error)?.message ?? error);
  const json = text.match(/\{"exception_type".*\}/);
  if (json) {
    try {
      const parsed = JSON.parse(json[0]);
      text = `${parsed.exception_type} Error: ${parsed.exception_message}`;
    } catch {
      // keep the text
    }
  }
  return text.replace(/^Error: /, "");
}
