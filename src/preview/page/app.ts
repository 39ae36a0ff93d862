/**
 * The preview app: a sidebar of streams, and for the stream picked its records (sortable grid),
 * columns, misfit values and records over time; the cache's state; a SQL box; a drawer with the
 * summary of a column or the full value of a cell.
 */
import { type Catalog, type ColumnInfo, loadCatalog, loadState, type StreamInfo } from "./catalog.ts";
import { h, replace } from "./dom.ts";
import { formatCount, formatMs } from "./format.ts";
import { Grid, type GridData, type GridSort, PAGE_ROWS } from "./grid.ts";
import { countMisfits, misfitsView } from "./misfits.ts";
import { ident, type PreviewDb } from "./preview_db.ts";
import { dropSortTables, sortedData, storedOrderData } from "./records.ts";
import { sqlView } from "./sql_view.ts";
import { stateView } from "./state_view.ts";
import { renderSummary, summarize } from "./summary.ts";
import { timelineView } from "./timeline.ts";

type Tab = "records" | "columns" | "misfits" | "timeline";
type Place = { kind: "stream"; stream: string; tab: Tab } | { kind: "state" } | { kind: "sql" };

export interface AppHooks {
  /** Shown in the page (a banner), never only in the console. */
  onError(error: unknown, context: string): void;
}

function parseHash(hash: string): Partial<Place> {
  const parts = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  if (parts[0] === "state") return { kind: "state" };
  if (parts[0] === "sql") return { kind: "sql" };
  if (parts[0] === "stream" && parts[1]) {
    const tab = (["records", "columns", "misfits", "timeline"] as Tab[]).find((t) => t === parts[2]) ??
      "records";
    return { kind: "stream", stream: parts[1], tab };
  }
  return {};
}

function placeHash(place: Place): string {
  if (place.kind === "stream") return `#/stream/${encodeURIComponent(place.stream)}/${place.tab}`;
  return `#/${place.kind}`;
}

export class PreviewApp {
  readonly el: HTMLElement;
  #db: PreviewDb;
  #hooks: AppHooks;
  #catalog!: Catalog;
  #sidebar = h("nav", { class: "sidebar", "aria-label": "streams" });
  #content = h("section", { class: "content" });
  #drawer = h("aside", { class: "drawer", hidden: true });
  #place!: Place;
  #grid: Grid | null = null;
  #firstRowsMarked = false;
  #misfitCounts = new Map<string, number>();
  #state: Promise<void> | null = null;
  /** The first stream's rows, asked for before the page around them is built. */
  #early: { stream: string; data: GridData } | null = null;

  constructor(db: PreviewDb, hooks: AppHooks) {
    this.#db = db;
    this.#hooks = hooks;
    this.el = h("div", { class: "workspace" }, this.#sidebar, this.#content, this.#drawer);
    addEventListener("hashchange", () => {
      const wanted = parseHash(location.hash);
      if (wanted.kind && placeHash(wanted as Place) !== placeHash(this.#place)) {
        this.#go(wanted as Place, false);
      }
    });
  }

  get catalog(): Catalog {
    return this.#catalog;
  }

  /** Read the catalog and show the first stream (or the one in the URL). */
  async start(): Promise<void> {
    performance.mark("airbyte-preview:catalog-start");
    this.#catalog = await loadCatalog(this.#db);
    performance.mark("airbyte-preview:catalog-done");
    const wanted = parseHash(location.hash);
    const known = (name?: string) => this.#catalog.streams.some((s) => s.stream === name);
    const place: Place = wanted.kind === "stream" && known(wanted.stream)
      ? wanted as Place
      : wanted.kind === "state" || wanted.kind === "sql"
      ? wanted as Place
      : this.#catalog.streams.length > 0
      ? { kind: "stream", stream: this.#catalog.streams[0].stream, tab: "records" }
      : { kind: "sql" };
    if (place.kind === "stream" && place.tab === "records") {
      const stream = this.#catalog.streams.find((s) => s.stream === place.stream)!;
      const data = storedOrderData(this.#db, stream);
      data.fetch(0, Math.min(PAGE_ROWS, stream.rows)).catch(() => {});
      this.#early = { stream: stream.stream, data };
    }
    this.#go(place, true);
    // State and misfit counts come after the first rows are on screen, not before.
    const later = () => {
      this.#loadState();
      this.#countMisfits();
    };
    if (this.#grid) this.#grid.el.addEventListener("grid-rows", later, { once: true });
    else later();
  }

  #loadState(): Promise<void> {
    this.#state ??= loadState(this.#db, this.#catalog).then(
      () => this.#renderSidebar(),
      (e) => this.#hooks.onError(e, "reading the stored state"),
    );
    return this.#state;
  }

  async #countMisfits(): Promise<void> {
    for (const stream of this.#catalog.streams) {
      try {
        this.#misfitCounts.set(stream.table, await countMisfits(this.#db, stream));
      } catch {
        // the tab shows the error when opened
      }
    }
    this.#renderSidebar();
    if (this.#place.kind === "stream") {
      const n = this.#misfitCounts.get(this.#stream()!.table);
      const badge = this.#content.querySelector(".tab[data-tab=misfits] .badge");
      if (badge && n !== undefined) badge.textContent = formatCount(n);
    }
  }

  #stream(): StreamInfo | undefined {
    const place = this.#place;
    return place.kind === "stream" ? this.#catalog.streams.find((s) => s.stream === place.stream) : undefined;
  }

  #go(place: Place, replaceHistory: boolean): void {
    const leavingStream = this.#place?.kind === "stream" &&
      (place.kind !== "stream" || place.stream !== this.#place.stream);
    this.#place = place;
    const hash = placeHash(place);
    if (location.hash !== hash) {
      if (replaceHistory) history.replaceState(null, "", hash);
      else location.hash = hash;
    }
    if (leavingStream) dropSortTables(this.#db).catch(() => {});
    this.#closeDrawer();
    this.#renderSidebar();
    this.#renderContent();
  }

  #renderSidebar(): void {
    const streams = this.#catalog.streams;
    const active = (p: Place) =>
      placeHash(p) === placeHash(this.#place) ||
      (p.kind === "stream" && this.#place.kind === "stream" && p.stream === this.#place.stream);
    const item = (
      place: Place,
      label: HTMLElement | string,
      extra: HTMLElement | string | null,
      data: Record<string, string>,
    ) =>
      h(
        "a",
        {
          class: `nav-item${active(place) ? " active" : ""}`,
          href: placeHash(place),
          dataset: data,
          onclick: (e: Event) => {
            e.preventDefault();
            this.#go(place, false);
          },
        },
        label,
        extra,
      );
    const sources = [...new Set(streams.map((s) => s.source))];
    replace(
      this.#sidebar,
      h("div", { class: "nav-title" }, `Streams`, h("span", { class: "count" }, String(streams.length))),
      streams.length === 0 ? h("div", { class: "nav-empty" }, "No stream tables.") : null,
      sources.map((source) => [
        sources.length > 1 || source === ""
          ? h("div", { class: "nav-group" }, source || "other tables")
          : null,
        streams.filter((s) => s.source === source).map((s) => {
          const misfits = this.#misfitCounts.get(s.table) ?? 0;
          return item(
            { kind: "stream", stream: s.stream, tab: "records" },
            h("span", { class: "nav-name" }, s.stream),
            h(
              "span",
              { class: "nav-meta" },
              misfits > 0
                ? h("span", { class: "dot-warn", title: `${formatCount(misfits)} rows with misfit values` })
                : null,
              formatCount(s.rows),
            ),
            { stream: s.stream, rows: String(s.rows) },
          );
        }),
      ]),
      h("div", { class: "nav-title" }, "Cache"),
      item(
        { kind: "state" },
        h("span", { class: "nav-name" }, "State"),
        h("span", { class: "nav-meta" }, this.#state ? String(this.#catalog.state.length) : ""),
        { view: "state" },
      ),
      item({ kind: "sql" }, h("span", { class: "nav-name" }, "SQL"), null, { view: "sql" }),
      h(
        "div",
        { class: "nav-foot" },
        `${formatCount(streams.reduce((a, s) => a + s.rows, 0))} rows in ${streams.length} tables`,
      ),
    );
  }

  #renderContent(): void {
    this.#grid = null;
    const place = this.#place;
    if (place.kind === "state") {
      this.#content.dataset.view = "state";
      replace(this.#content, h("div", { class: "empty" }, "Reading the stored state…"));
      this.#loadState().then(() => {
        if (this.#place === place) replace(this.#content, stateView(this.#catalog));
      });
      return;
    }
    if (place.kind === "sql") {
      const first = this.#catalog.streams[0];
      const query = first
        ? `SELECT *\nFROM ${ident(first.schema)}.${ident(first.table)}\nLIMIT 100`
        : "SELECT 42 AS answer";
      replace(this.#content, sqlView(this.#db, query, (column, value) => this.#showCell(column, value)));
      this.#content.dataset.view = "sql";
      return;
    }
    const stream = this.#stream()!;
    const tabs: [Tab, string][] = [["records", "Records"], ["columns", "Columns"], ["misfits", "Misfits"], [
      "timeline",
      "Timeline",
    ]];
    const misfits = this.#misfitCounts.get(stream.table);
    const body = h("div", { class: "tab-body" });
    replace(
      this.#content,
      h(
        "div",
        { class: "stream-head" },
        h("h1", null, stream.stream),
        h(
          "div",
          { class: "facts" },
          stream.source ? h("span", { class: "fact" }, h("b", null, "source "), stream.source) : null,
          h("span", { class: "fact" }, h("b", null, "table "), `${stream.schema}.${stream.table}`),
          h("span", { class: "fact", "data-fact": "rows" }, h("b", null, "rows "), formatCount(stream.rows)),
          h("span", { class: "fact" }, h("b", null, "columns "), String(stream.columns.length)),
          stream.primaryKey.length
            ? h(
              "span",
              { class: "fact" },
              h("b", null, "primary key "),
              stream.primaryKey.map((k) => k.join(".")).join(", "),
            )
            : null,
          stream.cursor.length
            ? h("span", { class: "fact" }, h("b", null, "cursor "), stream.cursor.join("."))
            : null,
        ),
      ),
      h(
        "div",
        { class: "tabs", role: "tablist" },
        tabs.map(([tab, label]) =>
          h(
            "a",
            {
              class: `tab${place.tab === tab ? " active" : ""}`,
              role: "tab",
              href: placeHash({ ...place, tab }),
              dataset: { tab },
              onclick: (e: Event) => {
                e.preventDefault();
                this.#go({ ...place, tab }, false);
              },
            },
            label,
            tab === "misfits" && stream.hasMeta
              ? h(
                "span",
                { class: `badge${misfits ? " warn" : ""}` },
                misfits === undefined ? "…" : formatCount(misfits),
              )
              : null,
          )
        ),
      ),
      body,
    );
    this.#content.dataset.view = place.tab;
    const onError = (e: unknown) => this.#hooks.onError(e, stream.stream);
    if (place.tab === "records") this.#showRecords(body, stream);
    else if (place.tab === "columns") body.append(this.#columnsView(stream));
    else if (place.tab === "misfits") body.append(misfitsView(this.#db, stream, onError));
    else body.append(timelineView(this.#db, stream, onError));
  }

  #showRecords(body: HTMLElement, stream: StreamInfo): void {
    const note = h("div", { class: "grid-note" });
    const grid = new Grid({
      onSort: (sort) => this.#sort(stream, grid, note, sort),
      onSummary: (column) => this.#summary(stream, column),
      onCell: ({ column, value }) => this.#showCell(column, value),
      onError: (e) => this.#hooks.onError(e, stream.stream),
    });
    this.#grid = grid;
    grid.el.addEventListener("grid-rows", () => {
      if (this.#firstRowsMarked) return;
      this.#firstRowsMarked = true;
      performance.mark("airbyte-preview:first-rows");
    });
    body.append(note, grid.el);
    const early = this.#early?.stream === stream.stream ? this.#early.data : null;
    this.#early = null;
    grid.setData(early ?? storedOrderData(this.#db, stream));
  }

  async #sort(stream: StreamInfo, grid: Grid, note: HTMLElement, sort: GridSort | null): Promise<void> {
    grid.el.dataset.sorting = "true";
    delete grid.el.dataset.sortMs;
    delete grid.el.dataset.sortCompleteMs;
    note.textContent = sort ? `Sorting by ${sort.column}…` : "";
    const started = performance.now();
    try {
      if (!sort) {
        grid.setData(storedOrderData(this.#db, stream));
        note.textContent = "";
        grid.el.dataset.sort = "";
        return;
      }
      const data = await sortedData(this.#db, stream, sort);
      if (this.#grid !== grid) return;
      const label = `Sorted by ${sort.column} ${sort.descending ? "descending" : "ascending"}`;
      const key = `${sort.column}:${sort.descending ? "desc" : "asc"}`;
      grid.setData(data, sort);
      grid.el.dataset.sort = key;
      grid.el.addEventListener("grid-rows", () => {
        const shown = performance.now() - started;
        grid.el.dataset.sortMs = String(Math.round(shown));
        note.textContent = `${label}: first rows in ${formatMs(shown)}, storing the full order…`;
        data.complete.then(() => {
          if (grid.el.dataset.sort !== key) return;
          const all = performance.now() - started;
          grid.el.dataset.sortCompleteMs = String(Math.round(all));
          note.textContent = `${label}: first rows in ${formatMs(shown)}, full order in ${formatMs(all)}`;
        }, (e) => this.#hooks.onError(e, `sort by ${sort.column}`));
      }, { once: true });
    } catch (e) {
      note.textContent = "";
      this.#hooks.onError(e, `sort by ${sort?.column}`);
    } finally {
      delete grid.el.dataset.sorting;
    }
  }

  #columnsView(stream: StreamInfo): HTMLElement {
    return h(
      "section",
      { class: "columns" },
      h(
        "div",
        { class: "caption" },
        "Pick a column to see its nulls, distinct values, range and distribution.",
      ),
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "plain clickable" },
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              h("th", null, "#"),
              h("th", null, "column"),
              h("th", null, "type"),
              h("th", null, ""),
            ),
          ),
          h(
            "tbody",
            null,
            stream.columns.map((c, i) =>
              h(
                "tr",
                { dataset: { column: c.name }, onclick: () => this.#summary(stream, c.name) },
                h("td", { class: "dim" }, String(i + 1)),
                h("td", { class: `mono${c.name.startsWith("_airbyte_") ? " dim" : ""}` }, c.name),
                h("td", null, h("span", { class: "type-pill" }, c.type)),
                h("td", { class: "dim right" }, "summary ›"),
              )
            ),
          ),
        ),
      ),
    );
  }

  async #summary(stream: StreamInfo, columnName: string): Promise<void> {
    const column = stream.columns.find((c) => c.name === columnName) as ColumnInfo;
    const panel = h(
      "div",
      { class: "summary", "data-state": "loading" },
      h("div", { class: "empty" }, `Summarizing ${columnName}…`),
    );
    this.#openDrawer("Column summary", panel);
    try {
      const summary = await summarize(this.#db, stream, column);
      renderSummary(panel, column, summary);
      panel.dataset.state = "ready";
      panel.dataset.nulls = String(summary.nulls);
      panel.dataset.distinct = String(summary.distinct);
    } catch (e) {
      panel.dataset.state = "error";
      replace(panel, h("div", { class: "empty" }, `Could not summarize ${columnName}.`));
      this.#hooks.onError(e, `summary of ${columnName}`);
    }
  }

  #showCell(column: string, value: string | null): void {
    let pretty = value;
    if (value && /^[[{]/.test(value)) {
      try {
        pretty = JSON.stringify(JSON.parse(value), null, 2);
      } catch {
        // not JSON: show as is
      }
    }
    this.#openDrawer(
      "Value",
      h(
        "div",
        { class: "cell-value" },
        h("h3", null, column),
        value === null ? h("div", { class: "null" }, "null") : h("pre", { class: "json" }, pretty),
        value === null ? null : h("button", {
          class: "copy",
          onclick: (e: Event) => {
            const button = e.currentTarget as HTMLButtonElement;
            navigator.clipboard.writeText(value).then(
              () => button.textContent = "Copied",
              () => button.textContent = "Cannot copy here",
            );
          },
        }, "Copy value"),
      ),
    );
  }

  #openDrawer(title: string, body: HTMLElement): void {
    replace(
      this.#drawer,
      h(
        "div",
        { class: "drawer-head" },
        h("span", null, title),
        h("button", { class: "icon", title: "Close", onclick: () => this.#closeDrawer() }, "✕"),
      ),
      body,
    );
    this.#drawer.hidden = false;
    this.el.classList.add("with-drawer");
  }

  #closeDrawer(): void {
    this.#drawer.hidden = true;
    this.el.classList.remove("with-drawer");
  }
}
