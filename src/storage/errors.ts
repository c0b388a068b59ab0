/**
 * StorageError wraps a failure of the storage backend (unreachable server, failed insert,
 * corrupted data directory). Its message names the backend and what failed; `cause` keeps the
 * underlying error.
 */
export class StorageError extends Error {
  override readonly name = "StorageError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** StorageClosedError is raised by appenders and queriers used after `Storage.close`. */
export class StorageClosedError extends StorageError {
  constructor() {
    super("storage is closed");
  }
}
