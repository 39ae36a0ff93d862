"""PyAirbyte on the same replay input, into its PostgresCache on the same server: the replay script
as a local-executable source. Prints one JSON line with the figures.

    python bench/_pyairbyte_postgres_read.py DATA.jsonl bench/replay_source.py POSTGRES_URL SCHEMA
"""
import json
import resource
import sys
import time
from urllib.parse import unquote, urlparse

import airbyte as ab
from airbyte.caches import PostgresCache

data_path, replay, url, schema = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
parsed = urlparse(url)
cache = PostgresCache(
    host=parsed.hostname,
    port=parsed.port or 5432,
    username=unquote(parsed.username or "postgres"),
    password=unquote(parsed.password or ""),
    database=parsed.path.lstrip("/") or "postgres",
    schema_name=schema,
)
source = ab.get_source("source-replay", local_executable=replay, config={"path": data_path})
source.select_streams(["bench_records"])
started = time.perf_counter()
result = source.read(cache=cache)
seconds = time.perf_counter() - started
with cache.get_sql_engine().connect() as connection:
    rows = connection.exec_driver_sql(f'SELECT count(*) FROM "{schema}".bench_records').scalar()
print(json.dumps({
    "records": result.processed_records,
    "rows": rows,
    "readSeconds": seconds,
    "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
