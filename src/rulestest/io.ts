/** Io is where a command writes: out is standard output, err standard error. */
export interface Io {
  out(s: string): void;
  err(s: string): void;
}

/** BufferIo collects what a command writes, for tests and for comparing with promtool. */
export class BufferIo implements Io {
  stdout = "";
  stderr = "";
  out = (s: string): void => {
    this.stdout += s;
  };
  err = (s: string): void => {
    this.stderr += s;
  };
}
