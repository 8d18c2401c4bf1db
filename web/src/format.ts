const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

export function bytes(n: number | undefined): string {
  if (n === undefined || n === null || Number.isNaN(n)) return "";
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

export function rate(bytesPerSecond: number): string {
  return `${bytes(Math.round(bytesPerSecond))}/s`;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function time(unixSeconds: number | undefined): string {
  if (!unixSeconds) return "";
  return dateFormat.format(new Date(unixSeconds * 1000));
}

export function isoTime(unixSeconds: number | undefined): string {
  return unixSeconds ? new Date(unixSeconds * 1000).toISOString() : "";
}
