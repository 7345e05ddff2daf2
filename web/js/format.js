// Dates in UTC, as the API's monthly archives count them (an article of 23:30 UTC on 31 October is October's).

const DAY = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
const MONTH_NAME = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "long", timeZone: "UTC" });

export function day(iso) {
  const date = iso ? new Date(iso) : null;
  return date && !Number.isNaN(date.getTime()) ? DAY.format(date) : "";
}

/** "2026-11" -> "November 2026" */
export function monthName(yyyyMm) {
  const [year, month] = String(yyyyMm).split("-").map(Number);
  return year && month ? MONTH_NAME.format(new Date(Date.UTC(year, month - 1, 1))) : String(yyyyMm);
}

/** "2026-11" -> ["2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"] (the API's `to` is exclusive). */
export function monthRange(yyyyMm) {
  const [year, month] = String(yyyyMm).split("-").map(Number);
  const start = new Date(Date.UTC(year, month - 1, 1));
  const end = new Date(Date.UTC(year, month, 1));
  const iso = (d) => d.toISOString().replace(".000Z", "Z");
  return [iso(start), iso(end)];
}

export function readingTime(minutes) {
  const n = Math.max(1, Number(minutes) || 1);
  return `${n} min read`;
}

export function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}
