"""PyAirbyte on the same replay input: the replay script as a local-executable source, read into
PyAirbyte's DuckDB cache. Prints one JSON line with the figures."""
import json
import resource
import sys
import time

import airbyte as ab
from airbyte.caches import DuckDBCache

data_path, cache_path, replay = sys.argv[1], sys.argv[2], sys.argv[3]
source = ab.get_source("source-replay", local_executable=replay, config={"path": data_path})
source.select_streams(["bench_records"])
cache = DuckDBCache(db_path=cache_path)
started = time.perf_counter()
result = source.read(cache=cache)
seconds = time.perf_counter() - started
rows = cache.get_sql_engine().connect().exec_driver_sql(
    "SELECT count(*) FROM main.bench_records").scalar()
print(json.dumps({
    "records": result.processed_records,
    "rows": rows,
    "readSeconds": seconds,
    "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
