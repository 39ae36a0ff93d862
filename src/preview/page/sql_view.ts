/** The SQL box: run a query on the cache (read-only), see the rows or DuckDB's error. */
import { h, replace } from "./dom.ts";
import { formatCount, formatMs, tableToTextRows } from "./format.ts";
import { Grid, memoryGridData } from "./grid.ts";
import type { PreviewDb } from "./preview_db.ts";

/** Rows kept from one result (the grid scrolls them; the rest is counted, not held). */
const MAX_RESULT_ROWS = 100_000;

export function sqlView(
  db: PreviewDb,
  initialQuery: string,
  onCell: (column: string, value: string | null) => void,
): HTMLElement {
  const editor = h("textarea", {
    class: "sql-editor",
    spellcheck: false,
    "aria-label": "SQL query",
    rows: 6,
  }) as HTMLTextAreaElement;
  editor.value = initialQuery;
  const status = h("div", { class: "sql-status" });
  const error = h("pre", { class: "sql-error", hidden: true });
  const grid = new Grid({ onCell: ({ column, value }) => onCell(column, value) });
  const run = h("button", { class: "primary", onclick: () => execute() }, "Run ", h("kbd", null, "Ctrl ↵"));
  const view = h(
    "section",
    { class: "sql" },
    h("div", { class: "sql-box" }, editor, h("div", { class: "sql-actions" }, run, status)),
    error,
    h("div", { class: "sql-result" }, grid.el),
  );
  editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      execute();
    }
  });
  async function execute() {
    const query = editor.value.trim();
    if (!query) return;
    view.dataset.state = "running";
    run.disabled = true;
    status.textContent = "Running…";
    error.hidden = true;
    const started = performance.now();
    try {
      const table = await db.query(query);
      const elapsed = performance.now() - started;
      const kept = table.numRows > MAX_RESULT_ROWS ? table.slice(0, MAX_RESULT_ROWS) : table;
      const text = tableToTextRows(kept);
      grid.setData(memoryGridData(
        text.columns.map((name, i) => ({ name, type: String(kept.schema.fields[i].type) })),
        text.rows,
      ));
      status.textContent =
        `${formatCount(table.numRows)} row${table.numRows === 1 ? "" : "s"} in ${formatMs(elapsed)}` +
        (table.numRows > MAX_RESULT_ROWS ? ` (first ${formatCount(MAX_RESULT_ROWS)} shown)` : "");
      view.dataset.state = "done";
      view.dataset.rows = String(table.numRows);
    } catch (e) {
      const message = String((e as Error)?.message ?? e).replace(/^Error: /, "");
      replace(error, message);
      error.hidden = false;
      status.textContent = `Failed after ${formatMs(performance.now() - started)}`;
      view.dataset.state = "error";
    } finally {
      run.disabled = false;
    }
  }
  return view;
}
