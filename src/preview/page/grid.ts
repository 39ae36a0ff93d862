/**
 * A records grid for tables of any size. Only the rows in view exist in the DOM, and only the
 * pages of rows near the view are kept in memory (a bounded cache); the rest are fetched as the
 * user scrolls. Rows have one fixed height, so the scroll position maps straight to a row index;
 * past the height a browser can lay out (about 33 million pixels), the scrollbar is scaled, so
 * ten million rows scroll like ten thousand.
 */
import { h } from "./dom.ts";

export interface GridColumn {
  name: string;
  /** Shown under the name (DuckDB's type). */
  type: string;
}

/** What the grid shows: a row count and a way to fetch rows as text cells. */
export interface GridData {
  columns: GridColumn[];
  count: number;
  /** Rows per fetch. @default 100 */
  pageRows?: number;
  /**
   * Also fetch the pages before and after the view, so short scrolls find rows ready. Off where a
   * page is costly (sorted rows lie all over the table): a far jump would wait for it. @default true
   */
  prefetch?: boolean;
  /** Rows `[start, start + n)`, in order; a cell is null for SQL NULL. */
  fetch(start: number, n: number): Promise<(string | null)[][]>;
}

export interface GridSort {
  column: string;
  descending: boolean;
}

export interface GridOptions {
  /** Header clicks cycle ascending → descending → none; without it the grid does not sort. */
  onSort?(sort: GridSort | null): void;
  /** The ∑ button of a header. */
  onSummary?(column: string): void;
  /** A click on a cell. */
  onCell?(cell: { row: number; column: string; value: string | null }): void;
  /** A fetch failed (shown in the grid too). */
  onError?(error: unknown): void;
}

const ROW_HEIGHT = 26;
const HEADER_HEIGHT = 44;
/** Rows per fetch unless the data says otherwise. */
export const PAGE_ROWS = 100;
/** Widest a column grows to fit its values (wider values are cut with an ellipsis; a click shows them). */
const MAX_FITTED_WIDTH = 360;
/** Rows kept in memory: bounded whatever the table's size. */
const MAX_ROWS = 4000;
/** Scroll heights past this are scaled (browsers stop laying out at about 33.5M px). */
const MAX_SCROLL_PX = 8_000_000;

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;",
  );
}

function columnWidth(column: GridColumn): number {
  if (/^TIMESTAMP/i.test(column.type)) return 212;
  if (/^UUID/i.test(column.type)) return 290;
  const chars = Math.max(column.name.length + 3, Math.min(column.type.length, 18));
  return Math.max(96, Math.min(340, Math.round(chars * 7.6 + 28)));
}

function isNumeric(type: string): boolean {
  return /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL|REAL)/
    .test(type);
}

export class Grid {
  readonly el: HTMLElement;
  #scroll: HTMLElement;
  #view: HTMLElement;
  #spacer: HTMLElement;
  #header: HTMLElement;
  #body: HTMLElement;
  #status: HTMLElement;
  #options: GridOptions;
  #data: GridData = { columns: [], count: 0, fetch: () => Promise.resolve([]) };
  #sort: GridSort | null = null;
  #widths: number[] = [];
  #numberWidth = 64;
  #pages = new Map<number, (string | null)[][]>();
  #pageRows = PAGE_ROWS;
  #inFlight = new Set<number>();
  #failed: unknown;
  #generation = 0;
  #frame = 0;
  #first = 0;
  #selected: { row: number; col: number } | null = null;
  /** Column widths fitted to the first rows fetched (once per data). */
  #fitted = false;

  constructor(options: GridOptions = {}) {
    this.#options = options;
    this.#header = h("div", { class: "grid-header", role: "row" });
    this.#body = h("div", { class: "grid-body", role: "rowgroup" });
    this.#view = h("div", { class: "grid-view" }, this.#header, this.#body);
    this.#spacer = h("div", { class: "grid-spacer" });
    this.#scroll = h("div", { class: "grid-scroll", tabindex: 0 }, this.#view, this.#spacer);
    this.#status = h("div", { class: "grid-status" });
    this.el = h("div", { class: "grid", role: "grid" }, this.#scroll, this.#status);
    this.#scroll.addEventListener("scroll", () => this.#schedule(), { passive: true });
    new ResizeObserver(() => this.#schedule()).observe(this.#scroll);
    this.#header.addEventListener("click", (event) => this.#onHeaderClick(event));
    this.#body.addEventListener("click", (event) => this.#onBodyClick(event));
  }

  /** Show new data (a new table, or the same one sorted anew): back to the top. */
  setData(data: GridData, sort: GridSort | null = null): void {
    this.#data = data;
    this.#sort = sort;
    this.#generation++;
    this.#pages.clear();
    this.#inFlight.clear();
    this.#failed = undefined;
    this.#selected = null;
    this.#pageRows = data.pageRows ?? PAGE_ROWS;
    this.#fitted = false;
    this.#widths = data.columns.map(columnWidth);
    this.#numberWidth = Math.max(56, String(data.count).length * 8 + 24);
    this.#renderHeader();
    this.#scroll.scrollTop = 0;
    this.#schedule();
  }

  /** The index of the first row in view. */
  get firstVisibleRow(): number {
    return this.#first;
  }

  /** Scroll so that `row` is the first row in view. */
  scrollToRow(row: number): void {
    const { virtualHeight, scale } = this.#geometry();
    const target = Math.max(0, Math.min(row, this.#data.count - 1)) * ROW_HEIGHT;
    this.#scroll.scrollTop = Math.min(target, virtualHeight) / scale;
    this.#schedule();
  }

  /** Rows held in memory now (bounded by MAX_ROWS). */
  get cachedRows(): number {
    let n = 0;
    for (const page of this.#pages.values()) n += page.length;
    return n;
  }

  #geometry() {
    const viewport = Math.max(0, this.#scroll.clientHeight - HEADER_HEIGHT);
    const virtualHeight = Math.max(0, this.#data.count * ROW_HEIGHT - viewport);
    const physical = Math.min(virtualHeight, MAX_SCROLL_PX);
    const scale = virtualHeight === 0 || physical === virtualHeight ? 1 : physical / virtualHeight;
    return { viewport, virtualHeight, physical, scale };
  }

  #renderHeader(): void {
    const cells = this.#data.columns.map((column, i) => {
      const sorted = this.#sort?.column === column.name;
      return `<div class="th${sorted ? " sorted" : ""}${
        isNumeric(column.type) ? " num" : ""
      }" role="columnheader" ` +
        `data-col="${i}" style="width:${this.#widths[i]}px" title="${
          escapeHtml(`${column.name} · ${column.type}`)
        }">` +
        `<span class="th-name" data-sort="${i}">${escapeHtml(column.name)}` +
        `${sorted ? `<span class="sort-arrow">${this.#sort!.descending ? "▼" : "▲"}</span>` : ""}</span>` +
        `<span class="th-type">${escapeHtml(column.type.toLowerCase())}</span>` +
        (this.#options.onSummary
          ? `<button class="th-summary" data-summary="${i}" title="Summarize ${
            escapeHtml(column.name)
          }">∑</button>`
          : "") +
        `</div>`;
    });
    this.#header.innerHTML = `<div class="th rownum" style="width:${this.#numberWidth}px">#</div>${
      cells.join("")
    }`;
    const width = this.#numberWidth + this.#widths.reduce((a, b) => a + b, 0);
    this.#view.style.width = `${width}px`;
    this.#spacer.style.width = `${width}px`;
  }

  #schedule(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#render();
    });
  }

  #render(): void {
    const { viewport, virtualHeight, physical, scale } = this.#geometry();
    this.#view.style.height = `${this.#scroll.clientHeight}px`;
    this.#spacer.style.height = `${physical}px`;
    const offset = Math.min(this.#scroll.scrollTop / scale, virtualHeight);
    const first = Math.min(Math.floor(offset / ROW_HEIGHT), Math.max(0, this.#data.count - 1));
    const shift = offset - first * ROW_HEIGHT;
    const visible = Math.min(Math.ceil(viewport / ROW_HEIGHT) + 2, this.#data.count - first);
    this.#first = first;
    this.el.dataset.firstRow = String(first);
    const html: string[] = [];
    let missing = false;
    for (let r = first; r < first + visible; r++) {
      const page = this.#pages.get(Math.floor(r / this.#pageRows));
      const cells = page?.[r % this.#pageRows];
      if (!cells) missing = true;
      const top = (r - first) * ROW_HEIGHT - shift;
      const selectedRow = this.#selected?.row === r;
      html.push(
        `<div class="tr${cells ? "" : " loading"}${r % 2 ? " odd" : ""}" role="row" data-row="${r}" ` +
          `style="transform:translateY(${top}px)"><div class="td rownum" style="width:${this.#numberWidth}px">${
            r + 1
          }</div>`,
      );
      this.#data.columns.forEach((column, c) => {
        const value = cells?.[c];
        const classes = `td${isNumeric(column.type) ? " num" : ""}${value === null ? " null" : ""}${
          selectedRow && this.#selected?.col === c ? " selected" : ""
        }`;
        const text = !cells || value === undefined
          ? ""
          : value === null
          ? "null"
          : escapeHtml(value.length > 300 ? `${value.slice(0, 300)}…` : value);
        html.push(
          `<div class="${classes}" role="gridcell" data-col="${c}" style="width:${
            this.#widths[c]
          }px">${text}</div>`,
        );
      });
      html.push("</div>");
    }
    this.#body.innerHTML = html.join("");
    this.#body.style.height = `${viewport}px`;
    this.el.classList.toggle("is-loading", missing);
    this.el.dataset.loaded = String(!missing);
    if (!missing && visible > 0) this.el.dispatchEvent(new Event("grid-rows"));
    this.#status.textContent = this.#failed
      ? `Could not load rows: ${(this.#failed as Error)?.message ?? this.#failed}`
      : this.#data.count === 0
      ? "No rows."
      : `Rows ${(first + 1).toLocaleString("en-US")}–${(first + visible).toLocaleString("en-US")} of ${
        this.#data.count.toLocaleString("en-US")
      }`;
    this.#status.classList.toggle("error", Boolean(this.#failed));
    this.#load(first, visible);
  }

  /** Fetch the pages around the view, nearest first, one at a time (the engine runs one query at a time). */
  #load(first: number, visible: number): void {
    if (this.#failed || this.#inFlight.size > 0 || this.#data.count === 0) return;
    const firstPage = Math.floor(first / this.#pageRows);
    const lastPage = Math.floor(Math.max(first, first + visible - 1) / this.#pageRows);
    const wanted: number[] = [];
    for (let p = firstPage; p <= lastPage; p++) wanted.push(p);
    // One page ahead and one behind, so short scrolls find rows ready.
    if (this.#data.prefetch !== false) wanted.push(lastPage + 1, firstPage - 1);
    const next = wanted.find((p) => p >= 0 && p * this.#pageRows < this.#data.count && !this.#pages.has(p));
    if (next === undefined) return;
    // The visible pages missing after it come in the same fetch: one query, not one per page.
    let last = next;
    while (last + 1 <= lastPage && !this.#pages.has(last + 1)) last++;
    const generation = this.#generation;
    const pages: number[] = [];
    for (let p = next; p <= last; p++) {
      pages.push(p);
      this.#inFlight.add(p);
    }
    const start = next * this.#pageRows;
    const count = Math.min(pages.length * this.#pageRows, this.#data.count - start);
    performance.mark("airbyte-preview:fetch-start");
    this.#data.fetch(start, count).then((rows) => {
      performance.mark("airbyte-preview:fetch-done");
      if (generation !== this.#generation) return;
      pages.forEach((p, i) => this.#pages.set(p, rows.slice(i * this.#pageRows, (i + 1) * this.#pageRows)));
      if (!this.#fitted) this.#fitWidths(rows);
      this.#evict(firstPage);
    }, (error) => {
      if (generation !== this.#generation) return;
      this.#failed = error;
      this.#options.onError?.(error);
    }).finally(() => {
      if (generation !== this.#generation) return;
      for (const p of pages) this.#inFlight.delete(p);
      this.#schedule();
    });
  }

  /** Widen columns whose first values are longer than their header (up to a limit). */
  #fitWidths(rows: (string | null)[][]): void {
    this.#fitted = true;
    let changed = false;
    this.#data.columns.forEach((_column, c) => {
      let longest = 0;
      for (const row of rows) longest = Math.max(longest, Math.min(row[c]?.length ?? 0, 60));
      const wanted = Math.min(MAX_FITTED_WIDTH, Math.round(longest * 7.3 + 24));
      if (wanted > this.#widths[c]) {
        this.#widths[c] = wanted;
        changed = true;
      }
    });
    if (changed) this.#renderHeader();
  }

  /** Drop the pages farthest from the view beyond MAX_ROWS rows. */
  #evict(around: number): void {
    const maxPages = Math.max(4, Math.floor(MAX_ROWS / this.#pageRows));
    if (this.#pages.size <= maxPages) return;
    const byDistance = [...this.#pages.keys()].sort((a, b) => Math.abs(b - around) - Math.abs(a - around));
    for (const page of byDistance.slice(0, this.#pages.size - maxPages)) this.#pages.delete(page);
  }

  #onHeaderClick(event: Event): void {
    const target = event.target as HTMLElement;
    const summary = target.closest("[data-summary]") as HTMLElement | null;
    if (summary) {
      this.#options.onSummary?.(this.#data.columns[Number(summary.dataset.summary)].name);
      return;
    }
    const th = target.closest("[data-col]") as HTMLElement | null;
    if (!th || !this.#options.onSort) return;
    const column = this.#data.columns[Number(th.dataset.col)].name;
    const current = this.#sort?.column === column ? this.#sort : null;
    const next = !current
      ? { column, descending: false }
      : !current.descending
      ? { column, descending: true }
      : null;
    this.#options.onSort(next);
  }

  #onBodyClick(event: Event): void {
    const cell = (event.target as HTMLElement).closest(".td[data-col]") as HTMLElement | null;
    const row = cell?.closest("[data-row]") as HTMLElement | null;
    if (!cell || !row) return;
    const r = Number(row.dataset.row);
    const c = Number(cell.dataset.col);
    const value = this.#pages.get(Math.floor(r / this.#pageRows))?.[r % this.#pageRows]?.[c];
    if (value === undefined) return;
    this.#selected = { row: r, col: c };
    this.#schedule();
    this.#options.onCell?.({ row: r, column: this.#data.columns[c].name, value });
  }
}

/** Grid data held in memory (SQL results). */
export function memoryGridData(columns: GridColumn[], rows: (string | null)[][]): GridData {
  return { columns, count: rows.length, fetch: (start, n) => Promise.resolve(rows.slice(start, start + n)) };
}
