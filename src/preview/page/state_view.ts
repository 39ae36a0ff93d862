/** The stored state: per source, the state messages the next incremental read resumes from. */
import type { Catalog, StateEntry } from "./catalog.ts";
import { h } from "./dom.ts";

/** The stream a state entry is about (STREAM state), or "global"/"legacy". */
export function stateSubject(entry: StateEntry): string {
  try {
    const message = JSON.parse(entry.json);
    const name = message?.stream?.stream_descriptor?.name;
    if (name) {
      const ns = message.stream.stream_descriptor.namespace;
      return ns ? `${ns}.${name}` : name;
    }
  } catch {
    // fall through to the key
  }
  return entry.type === "GLOBAL" ? "(global)" : entry.key;
}

/** The part of a state message worth reading: the stream state, the global state, or all of it. */
function stateBody(entry: StateEntry): string {
  try {
    const message = JSON.parse(entry.json);
    const body = message?.stream?.stream_state ?? message?.global ?? message?.data ?? message;
    return JSON.stringify(body, null, 2);
  } catch {
    return entry.json;
  }
}

function entryCard(entry: StateEntry): HTMLElement {
  return h(
    "article",
    { class: "state-card", "data-source": entry.source, "data-subject": stateSubject(entry) },
    h(
      "header",
      null,
      h("span", { class: "state-subject" }, stateSubject(entry)),
      h("span", { class: "pill" }, entry.type || "STATE"),
      entry.destination ? h("span", { class: "dim" }, `confirmed by ${entry.destination}`) : null,
      h("span", { class: "dim right" }, entry.updatedAt ? `updated ${entry.updatedAt} UTC` : ""),
    ),
    h("pre", { class: "json" }, stateBody(entry)),
    h(
      "details",
      null,
      h("summary", null, "stored message"),
      h("pre", { class: "json dim" }, JSON.stringify(JSON.parse(entry.json || "null"), null, 2)),
    ),
  );
}

/** The state view: source state, then destination state. */
export function stateView(catalog: Catalog): HTMLElement {
  const bySource = (entries: StateEntry[]) => {
    const sources = [...new Set(entries.map((e) => e.source))];
    return sources.map((source) =>
      h(
        "div",
        { class: "state-source" },
        h("h3", null, source),
        entries.filter((e) => e.source === source).map(entryCard),
      )
    );
  };
  return h(
    "section",
    { class: "state" },
    h("h2", null, "Source state"),
    catalog.state.length === 0
      ? h(
        "div",
        { class: "empty" },
        catalog.layout === "none"
          ? "This database is not an airbyte-ts cache: it keeps no state."
          : "No state stored: the next read is a full refresh.",
      )
      : bySource(catalog.state),
    catalog.destinationState.length > 0
      ? [h("h2", null, "Destination state"), bySource(catalog.destinationState)]
      : null,
  );
}
