// JSON Schemas shared by the cache tests.

// A stream using every Airbyte type.
export const EVERY_TYPE = {
  type: "object",
  properties: {
    id: { type: "integer" },
    big: { type: "string", airbyte_type: "big_integer" },
    price: { type: "number" },
    exact: { type: "string", airbyte_type: "big_number" },
    active: { type: "boolean" },
    name: { type: ["null", "string"] },
    born: { type: "string", format: "date" },
    seen_at: { type: "string", format: "date-time", airbyte_type: "timestamp_with_timezone" },
    local_at: { type: "string", format: "date-time", airbyte_type: "timestamp_without_timezone" },
    opens: { type: "string", format: "time", airbyte_type: "time_without_timezone" },
    opens_tz: { type: "string", format: "time", airbyte_type: "time_with_timezone" },
    address: { type: "object", properties: { city: { type: "string" } } },
    tags: { type: "array", items: { type: "string" } },
    anything: {},
  },
};
