// Number and time formatting shared by the chat view and the routing panel. Pure: no DOM.

/** USD with enough digits to see sub-cent costs: 0 → "$0.00", 0.0042 → "$0.0042", 0.5 → "$0.50", 12.5 → "$12.50". */
export function formatUsd(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  if (abs === 0) return '$0.00';
  if (abs < 0.0001) return `${sign}<$0.0001`;
  if (abs < 1) return `${sign}$${abs.toFixed(4).replace(/(\.\d\d\d?)0+$/, '$1').replace(/(\.\d\d)0$/, '$1')}`;
  if (abs < 1000) return `${sign}$${abs.toFixed(2)}`;
  return `${sign}$${Math.round(abs).toLocaleString('en-US')}`;
}

/** Milliseconds as "850 ms" or "2.4 s"; null → "—". */
export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value < 1000) return `${Math.round(value)} ms`;
  return `${(value / 1000).toFixed(1)} s`;
}

/** Token counts: 950 → "950", 12_345 → "12.3k", 2_500_000 → "2.5M". */
export function formatTokens(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (value < 1000) return String(Math.round(value));
  if (value < 1_000_000) return `${(value / 1000).toFixed(1)}k`;
  return `${(value / 1_000_000).toFixed(1)}M`;
}

/** Bytes: 512 → "512 B", 2048 → "2.0 KB". */
export function formatBytes(value: number): string {
  if (value < 1024) return `${value} B`;
  if (value < 1024 * 1024) return `${(value / 1024).toFixed(1)} KB`;
  return `${(value / 1024 / 1024).toFixed(1)} MB`;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Local calendar day of an ISO time: "2026-11-21". */
export function dayKey(time: string | Date): string {
  const d = typeof time === 'string' ? new Date(time) : time;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** "14:05:09" for today, "Nov 19 14:05" for other days. */
export function formatTime(time: string, now: Date = new Date()): string {
  const d = new Date(time);
  if (Number.isNaN(d.getTime())) return time;
  const clock = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (dayKey(d) === dayKey(now)) return `${clock}:${pad(d.getSeconds())}`;
  const month = d.toLocaleString('en-US', { month: 'short' });
  return `${month} ${d.getDate()} ${clock}`;
}

/** Last path segment of a URI or path, decoded. */
export function baseName(uri: string): string {
  const path = uri.replace(/[?#].*$/, '').replace(/\/+$/, '');
  const name = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}
