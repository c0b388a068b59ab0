/**
 * unwritten returns what is left of `bufs` after a vectored write (writev) that wrote `written`
 * bytes of them: the buffers not reached, the first one cut where the write stopped. Empty once
 * everything is written.
 */
export function unwritten(bufs: readonly Uint8Array[], written: number): Uint8Array[] {
  let i = 0;
  while (i < bufs.length && written >= bufs[i]!.length) written -= bufs[i++]!.length;
  const rest = bufs.slice(i);
  if (rest.length > 0 && written > 0) rest[0] = rest[0]!.subarray(written);
  return rest;
}
