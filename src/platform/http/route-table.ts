import { match, type MatchFunction } from 'path-to-regexp';

interface RouteEntry {
  path: string;
  matcher: MatchFunction<Partial<Record<string, string | string[]>>>;
  methods: Set<string>;
}

/** One served route: its Express path template (`/api/v1/x/:id`) and methods. */
export interface RouteInfo {
  path: string;
  methods: string[];
}

/** Minimal shape of an Express 5 router layer that carries a route. */
interface RouterLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
}

/**
 * Every route the app serves, collected once after bootstrap. It answers two framework
 * questions Express leaves to us: "is this a known path with another method?" (405 + Allow)
 * and "does the path without its trailing slash exist?" (307 redirect, reference behaviour).
 */
export class RouteTable {
  private readonly entries: RouteEntry[] = [];

  static fromExpressStack(stack: RouterLayer[]): RouteTable {
    const table = new RouteTable();
    for (const layer of stack) {
      if (!layer.route) continue;
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      const methods = Object.keys(layer.route.methods)
        .filter((m) => layer.route?.methods[m] && m !== '_all')
        .map((m) => m.toUpperCase());
      for (const path of paths) table.add(path, methods);
    }
    return table;
  }

  add(path: string, methods: string[]): void {
    this.entries.push({
      path,
      matcher: match(path, { decode: decodeURIComponent }),
      methods: new Set(methods),
    });
  }

  /** Methods allowed on `path` (HEAD implied by GET), empty when no route matches. */
  allowedMethods(path: string): string[] {
    const methods = new Set<string>();
    for (const entry of this.entries) {
      if (entry.matcher(path) === false) continue;
      for (const method of entry.methods) methods.add(method);
    }
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  }

  has(path: string): boolean {
    return this.allowedMethods(path).length > 0;
  }

  /** Every route with its methods, in registration order (route-driven tests, tooling). */
  list(): RouteInfo[] {
    return this.entries.map((entry) => ({ path: entry.path, methods: [...entry.methods].sort() }));
  }
}
