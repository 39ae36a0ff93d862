/**
 * Misfit values: rows whose `_airbyte_meta.changes` is not empty, that is values that did not fit
 * their column (stored as NULL, the raw value kept in the meta) or were stored with less
 * precision. Each change is one line: the row, the field, what happened and the raw value.
 */
import { misfitCondition, type StreamInfo } from "./catalog.ts";
import { h, replace } from "./dom.ts";
import { formatCount, toJson } from "./format.ts";
import { ident, type PreviewDb, rows, tableRef } from "./preview_db.ts";
import { normalizeName } from "../../arrow/column_names.ts";

const LIMIT = 500;

interface Change {
  field: string;
  change: string;
  reason: string;
  raw: unknown;
}

/** Count misfit rows (the tab's badge). */
export async function countMisfits(db: PreviewDb, stream: StreamInfo): Promise<number> {
  if (!stream.hasMeta) return 0;
  const [r] = await rows<{ n: number }>(
    db,
    `SELECT count(*) AS n FROM ${tableRef(stream.schema, stream.table)} WHERE ${misfitCondition()}`,
  );
  return Number(r.n);
}

/** The misfits view. */
export function misfitsView(db: PreviewDb, stream: StreamInfo, onError: (e: unknown) => void): HTMLElement {
  const view = h(
    "section",
    { class: "misfits", "data-state": "loading" },
    h("div", { class: "empty" }, "Looking for misfit values…"),
  );
  if (!stream.hasMeta) {
    replace(view, h("div", { class: "empty" }, "This table has no _airbyte_meta column."));
    view.dataset.state = "ready";
    return view;
  }
  (async () => {
    const from = tableRef(stream.schema, stream.table);
    const total = await countMisfits(db, stream);
    // The primary key says which record it is (the row id says which row).
    const keys = stream.primaryKey.map((path) => path[0]).filter((k) =>
      stream.columns.some((c) => c.name === k)
    );
    const keySelect = keys.map((k, i) => `, CAST(${ident(k)} AS VARCHAR) AS k${i}`).join("");
    const found = await rows<Record<string, string | null> & { raw_id: string | null; meta: string }>(
      db,
      `SELECT CAST(_airbyte_raw_id AS VARCHAR) AS raw_id, _airbyte_meta AS meta${keySelect} FROM ${from} ` +
        `WHERE ${misfitCondition()} ORDER BY rowid LIMIT ${LIMIT}`,
    );
    const lines: HTMLElement[] = [];
    for (const row of found) {
      let changes: Change[] = [];
      try {
        changes = JSON.parse(row.meta).changes ?? [];
      } catch {
        changes = [{ field: "?", change: "?", reason: "unreadable _airbyte_meta", raw: row.meta }];
      }
      for (const change of changes) {
        const column = stream.columns.find((c) => c.name === change.field) ??
          stream.columns.find((c) => c.name === normalizeName(String(change.field)));
        lines.push(h(
          "tr",
          null,
          keys.map((_, i) => h("td", { class: "mono" }, row[`k${i}`] ?? "null")),
          h("td", { class: "mono dim" }, row.raw_id ?? ""),
          h("td", { class: "mono" }, change.field),
          h("td", null, column ? column.type : ""),
          h(
            "td",
            null,
            h(
              "span",
              { class: `pill ${change.change === "NULLED" ? "pill-bad" : "pill-warn"}` },
              change.change,
            ),
          ),
          h("td", { class: "dim" }, change.reason),
          h("td", { class: "mono raw" }, toJson(change.raw)),
        ));
      }
    }
    view.dataset.state = "ready";
    view.dataset.count = String(total);
    if (total === 0) {
      replace(
        view,
        h("div", { class: "empty ok" }, "Every value fit its column: no row has changes in _airbyte_meta."),
      );
      return;
    }
    replace(
      view,
      h(
        "div",
        { class: "caption" },
        `${formatCount(total)} row${total === 1 ? "" : "s"} with values that did not fit their column` +
          (total > LIMIT ? ` (first ${LIMIT} shown)` : "") + ". The raw value is what the source sent.",
      ),
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "plain" },
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              [...keys, "_airbyte_raw_id", "field", "column type", "change", "reason", "raw value"].map((t) =>
                h("th", null, t)
              ),
            ),
          ),
          h("tbody", null, lines),
        ),
      ),
    );
  })().catch((error) => {
    view.dataset.state = "error";
    replace(view, h("div", { class: "empty" }, "Could not list misfit values."));
    onError(error);
  });
  return view;
}

export { ident };
