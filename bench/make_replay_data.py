#!/usr/bin/env python3
"""Writes N Airbyte RECORD lines (stream `bench_records`, ~300 bytes each) and one final STATE line.

    python3 bench/make_replay_data.py --records 1000000 --out /tmp/bench_records.jsonl

The data is deterministic (a function of the row number only) and written in bounded batches, so
memory stays flat however large N is. Each record has 12 fields: integers, floats, strings, an ISO
8601 UTC timestamp, a nested object and nullable fields; bench/replay_source.py declares the
matching JSON schema. Prints one summary line: records, bytes, seconds, MB/s.
"""

import argparse
import os
import sys
import time

STREAM = "bench_records"
EMITTED_AT = 1700000000000
BASE_EPOCH_SECONDS = 1700000000  # 2023-11-14T22:13:20Z
BATCH = 10_000

FIRST_NAMES = ["Ada", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Edsger", "Radia"]
LAST_NAMES = ["Lovelace", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Allen", "Dijkstra"]
CATEGORIES = ["books", "games", "tools", "music", "garden", "toys", "food"]
CITIES = ["Berlin", "Lisbon", "Nairobi", "Osaka", "Quito", "Toronto", "Wellington", "Oslo", "Austin", "Pune"]
NOTES = ['"call back re renewal"', '"invoice by email"', '"upgraded in Q3"']

# One record; %-formatting is several times faster than json.dumps and yields the same JSON.
TEMPLATE = (
    '{"type":"RECORD","record":{"stream":"' + STREAM + '","emitted_at":' + str(EMITTED_AT) + ',"data":{'
    '"id":%d,"updated_at":"%sT%02d:%02d:%02dZ","name":"%s %s.","email":"%s%d@ex.com",'
    '"age":%s,"score":%.3f,"balance":%s,"is_active":%s,"category":"%s","note":%s,'
    '"address":{"city":"%s","zip":"%05d"},"visits":%d}}}\n'
)


_day_cache = {}


def day_string(day_number):
    """The YYYY-MM-DD of a day since the epoch; cached because it changes once per 86,400 rows."""
    text = _day_cache.get(day_number)
    if text is None:
        _day_cache.clear()
        text = time.strftime("%Y-%m-%d", time.gmtime(day_number * 86400))
        _day_cache[day_number] = text
    return text


def record_line(i):
    seconds = BASE_EPOCH_SECONDS + i
    second_of_day = seconds % 86400
    first = FIRST_NAMES[i % len(FIRST_NAMES)]
    last = LAST_NAMES[i % len(LAST_NAMES)]
    return TEMPLATE % (
        i,
        day_string(seconds // 86400),
        second_of_day // 3600,
        second_of_day // 60 % 60,
        second_of_day % 60,
        first,
        last[0],
        first.lower(),
        i,
        "null" if i % 7 == 0 else str(18 + i % 60),
        (i * 7919 % 100000) / 1000.0,
        "null" if i % 11 == 0 else "%.2f" % ((i * 104729 % 10000000) / 100.0 - 20000.0),
        "true" if i % 3 else "false",
        CATEGORIES[i % len(CATEGORIES)],
        "null" if i % 5 == 0 else NOTES[i % len(NOTES)],
        CITIES[i % len(CITIES)],
        i * 37 % 100000,
        i * 13 % 1000,
    )


def last_timestamp(records):
    seconds = BASE_EPOCH_SECONDS + records
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def write_replay_file(path, records):
    """Writes `records` RECORD lines with ids 1..records and a final STATE; returns bytes written."""
    with open(path, "w", encoding="utf-8", buffering=1 << 20) as out:
        for batch_start in range(1, records + 1, BATCH):
            batch_end = min(batch_start + BATCH, records + 1)
            out.write("".join([record_line(i) for i in range(batch_start, batch_end)]))
        out.write(
            '{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"%s"},'
            '"stream_state":{"updated_at":"%s"}},"sourceStats":{"recordCount":%d.0}}}\n'
            % (STREAM, last_timestamp(records), records)
        )
    return os.path.getsize(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, required=True, help="How many RECORD lines to write.")
    parser.add_argument("--out", required=True, help="The file to write (overwritten).")
    args = parser.parse_args()
    started = time.perf_counter()
    size = write_replay_file(args.out, args.records)
    elapsed = time.perf_counter() - started
    print(
        "wrote %d records, %d bytes (%.0f bytes/record) to %s in %.2f s (%.1f MB/s)"
        % (args.records, size, size / max(1, args.records), args.out, elapsed, size / 1e6 / max(elapsed, 1e-9)),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
