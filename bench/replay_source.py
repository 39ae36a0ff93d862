#!/usr/bin/env python3
"""A source connector that replays a file of Airbyte messages to stdout as fast as the OS allows.

    bench/replay_source.py spec
    bench/replay_source.py check    --config c.json            # {"path": "/tmp/bench_records.jsonl"}
    bench/replay_source.py discover --config c.json
    bench/replay_source.py read     --config c.json --catalog cat.json [--state s.json]

The file comes from bench/make_replay_data.py; `read` copies its bytes unchanged, so the benchmark
measures the reader, not this script. Works as a PyAirbyte local-executable source too. `--state` is
accepted and ignored: a replay is always the whole file. Dependency-free on purpose.
"""

import argparse
import json
import os
import shutil
import sys

STREAM = "bench_records"
COPY_BUFFER_BYTES = 4 << 20

SPEC = {
    "documentationUrl": "https://example.invalid/source-replay",
    "connectionSpecification": {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Replay Source Spec",
        "type": "object",
        "required": ["path"],
        "additionalProperties": True,
        "properties": {
            "path": {"type": "string", "description": "A file written by bench/make_replay_data.py."},
        },
    },
}

SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "additionalProperties": True,
    "properties": {
        "id": {"type": "integer"},
        "updated_at": {"type": "string", "format": "date-time", "airbyte_type": "timestamp_with_timezone"},
        "name": {"type": "string"},
        "email": {"type": ["null", "string"]},
        "age": {"type": ["null", "number"], "airbyte_type": "integer"},
        "score": {"type": "number"},
        "balance": {"type": ["null", "number"]},
        "is_active": {"type": "boolean"},
        "category": {"type": "string"},
        "note": {"type": ["null", "string"]},
        "address": {
            "type": ["null", "object"],
            "properties": {"city": {"type": "string"}, "zip": {"type": "string"}},
        },
        "visits": {"type": "integer"},
    },
}

CATALOG_STREAM = {
    "name": STREAM,
    "json_schema": SCHEMA,
    "supported_sync_modes": ["full_refresh", "incremental"],
    "source_defined_cursor": True,
    "default_cursor_field": ["updated_at"],
    "source_defined_primary_key": [["id"]],
}


def emit(message):
    sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def load_json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def main():
    parser = argparse.ArgumentParser(prog="source-replay")
    parser.add_argument("verb", choices=["spec", "check", "discover", "read"])
    parser.add_argument("--config")
    parser.add_argument("--catalog")
    parser.add_argument("--state")
    args = parser.parse_args()

    if args.verb == "spec":
        emit({"type": "SPEC", "spec": SPEC})
        return 0
    if args.config is None:
        parser.error("--config is required for %s" % args.verb)
    path = load_json(args.config).get("path")
    if args.verb == "check":
        if isinstance(path, str) and os.path.isfile(path) and os.access(path, os.R_OK):
            status = {"status": "SUCCEEDED"}
        else:
            status = {"status": "FAILED", "message": "Cannot read replay file '%s'" % path}
        emit({"type": "CONNECTION_STATUS", "connectionStatus": status})
    elif args.verb == "discover":
        emit({"type": "CATALOG", "catalog": {"streams": [CATALOG_STREAM]}})
    else:
        if args.catalog is None:
            parser.error("--catalog is required for read")
        catalog = load_json(args.catalog)
        if any(s["stream"]["name"] == STREAM for s in catalog.get("streams", [])):
            with open(path, "rb") as replay:
                shutil.copyfileobj(replay, sys.stdout.buffer, COPY_BUFFER_BYTES)
            sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
