/**
 * ClickHouseDriver is the little that Vigil's ClickHouse storage needs from a connection, so
 * that the same SQL runs in-process on chDB and over HTTP on a ClickHouse server or cluster.
 * Every method rejects with an Error whose message carries ClickHouse's exception text.
 */
export interface ClickHouseDriver {
  /** description names the backend and location for messages: "chDB at ./data". */
  readonly description: string;
  /** exec runs a statement that returns no rows (DDL, ALTER, SET-less commands). */
  exec(sql: string): Promise<void>;
  /** queryJson runs a SELECT (without a FORMAT clause) and returns its rows as objects. */
  queryJson<T>(sql: string, signal?: AbortSignal): Promise<T[]>;
  /** queryNative runs a SELECT (without a FORMAT clause) and returns its Native-format bytes. */
  queryNative(sql: string, signal?: AbortSignal): Promise<Uint8Array>;
  /**
   * insertNative inserts a Native block, or several in one INSERT, into `table` (columns named
   * in the block). Resolves once ClickHouse has committed the insert. With `dedupToken`, a repeat of an insert with the
   * same token is dropped by tables that deduplicate (insert_deduplication_token).
   */
  insertNative(
    table: string,
    columns: readonly string[],
    block: Uint8Array | readonly Uint8Array[],
    dedupToken?: string,
  ): Promise<void>;
  /** close releases the connection; pending calls may fail afterwards. */
  close(): Promise<void>;
}
