/** What the session list shows about a client. */
export interface ClientClassification {
  platform: string | null;
  browser: string | null;
  device: string | null;
}

const PLATFORMS: [string, string][] = [
  ['iphone', 'iOS'],
  ['ipad', 'iPadOS'],
  ['mac os x', 'macOS'],
  ['macintosh', 'macOS'],
  ['android', 'Android'],
  ['windows nt', 'Windows'],
  ['cros', 'ChromeOS'],
  ['linux', 'Linux'],
];

/** Browser rules in order; `unless` lists substrings that skip the rule. */
const BROWSERS: { needle: string; name: string; unless?: string[] }[] = [
  { needle: 'edg', name: 'Edge' },
  { needle: 'brave', name: 'Brave' },
  { needle: 'arc/', name: 'Arc' },
  { needle: 'chrome', name: 'Chrome', unless: ['edg', 'opr', 'brave'] },
  { needle: 'safari', name: 'Safari', unless: ['chrome', 'crios'] },
  { needle: 'firefox', name: 'Firefox' },
  { needle: 'trident', name: 'Internet Explorer' },
  { needle: 'msie', name: 'Internet Explorer' },
  { needle: 'opr', name: 'Opera' },
];

/** The reference's substring classifier: case-insensitive, first match wins. */
export function classifyUserAgent(userAgent: string | null | undefined): ClientClassification {
  const ua = (userAgent ?? '').trim().toLowerCase();
  if (!ua) return { platform: null, browser: null, device: null };
  const platform = PLATFORMS.find(([needle]) => ua.includes(needle))?.[1] ?? null;
  const browser =
    BROWSERS.find(
      (rule) => ua.includes(rule.needle) && !(rule.unless ?? []).some((skip) => ua.includes(skip)),
    )?.name ?? null;
  return { platform, browser, device: deviceOf(ua) };
}

function deviceOf(ua: string): string {
  if (['bot', 'spider', 'crawl'].some((s) => ua.includes(s))) return 'bot';
  if (['ipad', 'tablet'].some((s) => ua.includes(s))) return 'tablet';
  if (['mobile', 'iphone', 'android'].some((s) => ua.includes(s))) return 'mobile';
  return 'desktop';
}
