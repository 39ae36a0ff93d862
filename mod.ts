/**
 * airbyte-ts: run Airbyte connectors from TypeScript in Deno, Node and the browser, and cache
 * their records in DuckDB-WASM as typed Arrow batches.
 *
 * ```ts ignore
 * import { getSource } from "jsr:@airbyte-ts/airbyte-ts"; // npm: "airbyte-ts"
 * const source = await getSource("source-faker", {
 *   pipUrl: "airbyte-source-faker==7.2.1",
 *   config: { count: 1000, seed: 1 },
 *   streams: ["users"],
 * });
 * const result = await source.read();
 * console.log(await result.get("users").count());
 * ```
 *
 * @module
 */

// Sources and destinations
export { getSource, type GetSourceOptions } from "./src/sources/get_source.ts";
export { type GetRecordsOptions, Source } from "./src/sources/source.ts";
export type { ReadOptions } from "./src/sources/read_options.ts";
export { getDestination, type GetDestinationOptions } from "./src/destinations/get_destination.ts";
export { Destination } from "./src/destinations/destination.ts";
export type { DestinationStatePair, WriteOptions } from "./src/destinations/write_options.ts";
export {
  ConnectorBase,
  type ConnectorBaseOptions,
  type ConnectorConfig,
} from "./src/connectors/connector_base.ts";
export type { RecordLineSink, RunOptions } from "./src/connectors/message_loop.ts";
export type { CatalogChoices } from "./src/sources/configured_catalog.ts";

// Results
export { ReadResult } from "./src/results/read_result.ts";
export { WriteResult } from "./src/results/write_result.ts";

// Caches
export type {
  Cache,
  CachedRecordPage,
  CacheWriteSession,
  StreamPlan,
  StreamTable,
  WriteSessionOptions,
} from "./src/cache/cache.ts";
export { CacheStateWriter } from "./src/cache/cache_state_writer.ts";
export { DuckDBCache, type DuckDBCacheOptions } from "./src/duckdb/duckdb_cache.ts";
export { getDefaultCache } from "./src/duckdb/default_cache.ts";
export type { LockHolder } from "./src/duckdb/cache_lock.ts";
export { PostgresCache, type PostgresCacheOptions } from "./src/postgres/postgres_cache.ts";
export type { PostgresConnectionOptions, PostgresSsl } from "./src/postgres/connection.ts";
export type { LockHolder as PostgresLockHolder } from "./src/postgres/stream_lock.ts";
export { CachedDataset, type DatasetHost } from "./src/cache/cached_dataset.ts";
export type { ResolvedWriteStrategy, WriteStrategy } from "./src/cache/write_strategy.ts";
export { type JsonRow, type JsonValue, toJsonRows } from "./src/arrow/json_rows.ts";

// State
export { JoinedStateProvider, type StateProvider, StaticInputState } from "./src/state/state_provider.ts";
export {
  NoOpStateWriter,
  type StateWriter,
  StateWriterBase,
  StdOutStateWriter,
} from "./src/state/state_writer.ts";

// Executors
export type { ExecuteOptions, Executor } from "./src/executors/executor.ts";
export { SubprocessExecutor, type SubprocessExecutorOptions } from "./src/executors/subprocess.ts";
export { VenvExecutor, type VenvExecutorOptions } from "./src/executors/venv.ts";
export type { ExecutorChoice } from "./src/executors/select_executor.ts";
export {
  type InProcessConnector,
  InProcessExecutor,
  type InProcessMessage,
  type InProcessResult,
} from "./src/executors/in_process.ts";
export {
  DockerExecutor,
  type DockerExecutorOptions,
  type DockerRunOptions,
} from "./src/executors/docker/docker_executor.ts";
export {
  RemoteExecutor,
  type RemoteExecutorOptions,
  type UploadMode,
} from "./src/executors/remote/remote_executor.ts";

// The remote executor server (`airbyte-ts serve`)
export { type RunningServer, serve, type ServeOptions } from "./src/server/serve.ts";
export {
  createServerApp,
  type ServerApp,
  type ServerAppOptions,
  type ServerStats,
} from "./src/server/create_server_app.ts";
export type { ExecutorFactory } from "./src/server/executor_factory.ts";
export {
  type ConnectorEntry,
  type ImageConnectorEntry,
  type ImageDockerOptions,
  loadServerConfig,
  type LocalConnectorEntry,
  parseServerConfig,
  type PipConnectorEntry,
  type ServerConfig,
  type ServerConfigInput,
  type ServerLimits,
} from "./src/server/server_config.ts";

// Protocol
export type {
  AirbyteAnalyticsTraceMessage,
  AirbyteCatalog,
  AirbyteConnectionStatus,
  AirbyteControlConnectorConfigMessage,
  AirbyteControlMessage,
  AirbyteErrorTraceMessage,
  AirbyteEstimateTraceMessage,
  AirbyteGlobalState,
  AirbyteLogMessage,
  AirbyteMessage,
  AirbyteMessageOf,
  AirbyteMessageType,
  AirbyteRecordMessage,
  AirbyteRecordMessageMeta,
  AirbyteRecordMessageMetaChange,
  AirbyteStateMessage,
  AirbyteStateStats,
  AirbyteStateType,
  AirbyteStream,
  AirbyteStreamState,
  AirbyteStreamStatus,
  AirbyteStreamStatusRateLimited,
  AirbyteStreamStatusReason,
  AirbyteStreamStatusTraceMessage,
  AirbyteTraceMessage,
  ConnectorSpecification,
  DestinationCatalog,
  DestinationOperation,
  DestinationSyncMode,
  JsonObject,
  StreamDescriptor,
  SyncMode,
} from "./src/protocol/messages.ts";
export {
  AirbyteCatalogSchema,
  AirbyteMessageSchema,
  AirbyteRecordMessageSchema,
  AirbyteStateMessageSchema,
  ConnectorSpecificationSchema,
  type ProtocolValidator,
  type StandardValidationResult,
  type ValidationIssue,
  type ValidationResult,
} from "./src/protocol/validators.ts";
export type { ConfiguredAirbyteCatalog, ConfiguredAirbyteStream } from "./src/protocol/catalog.ts";
export {
  AirbyteMessageIterator,
  type AirbyteMessageIteratorOptions,
  type ReadStreamOpener,
} from "./src/protocol/message_iterator.ts";
export {
  type ParseFailure,
  type ParseFailureReason,
  parseMessageLine,
  type ParseOutcome,
} from "./src/protocol/message_parser.ts";
export {
  type ByteSource,
  type LineSplitterOptions,
  type OversizedLineInfo,
  splitLines,
} from "./src/protocol/line_splitter.ts";

// Preview: a browser page for a cache
export {
  type PreviewServer,
  type PreviewServerOptions,
  startPreviewServer,
} from "./src/preview/preview_server.ts";

// Progress
export type {
  ProgressCallback,
  ProgressEvent,
  ProgressEventKind,
  ProgressJob,
  ProgressOption,
  StreamProgress,
} from "./src/progress/progress_event.ts";
export {
  type ProgressEstimate,
  ProgressTracker,
  type ProgressTrackerOptions,
} from "./src/progress/progress_tracker.ts";
export type { Clock, ProgressRenderer } from "./src/progress/progress_renderer.ts";
export { printAboveProgress } from "./src/progress/print_above_progress.ts";

// Errors
export {
  AirbyteError,
  type AirbyteErrorOptions,
  CacheConnectionError,
  type CacheConnectionFailure,
  CacheError,
  CacheLockedError,
  CachePermissionError,
  type ConfigIssue,
  ConfigValidationError,
  ConnectorCheckFailedError,
  ConnectorFailedError,
  ConnectorInstallError,
  DestinationFailedError,
  type ErrorCode,
  type ErrorContext,
  ExecutorUnavailableError,
  InvalidArgumentError,
  NoStreamsSelectedError,
  ProtocolError,
  type RemoteRefusalReason,
  RemoteRefusedError,
  RuntimeCapabilityError,
  StreamNotFoundError,
  SubprocessFailedError,
} from "./src/errors.ts";

// Logging and runtime
export { consoleLogger, type Logger, memoryLogger } from "./src/logger.ts";
export { getRuntime, setRuntime } from "./src/runtime/detect.ts";
export type {
  AppendFile,
  ByteRange,
  ChildProcess,
  FetchHandler,
  FileInfo,
  HttpServerHandle,
  ProcessStatus,
  Runtime,
  ServeHttpOptions,
  SocketAddress,
  SocketConnection,
  SocketHttpRequest,
  SocketHttpResponse,
  SpawnOptions,
  TerminationSignal,
  WriteFileOptions,
} from "./src/runtime/runtime.ts";
