import { useEffect, useState } from "react";

/** useNow returns Date.now(), refreshed every intervalMs (for "3s ago" style labels). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}
