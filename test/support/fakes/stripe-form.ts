/**
 * Stripe's `application/x-www-form-urlencoded` dialect: nested brackets (`metadata[plan]=pro`),
 * indexed arrays (`items[0][price]=...`, what stripe-node sends) and pushed arrays
 * (`expand[]=customer`, what curl examples use). Values stay strings, as Stripe receives them.
 */

export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

function decode(component: string): string {
  try {
    return decodeURIComponent(component.replace(/\+/g, ' '));
  } catch {
    return component;
  }
}

function keySegments(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0 || !key.endsWith(']')) return [key];
  const segments = [key.slice(0, open)];
  const re = /\[([^\]]*)\]/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(key.slice(open))) !== null) segments.push(match[1]);
  return segments;
}

function assign(root: FormObject, segments: string[], value: string): void {
  let container: FormObject = root;
  for (let i = 0; i < segments.length; i += 1) {
    const segment = segments[i] === '' ? String(Object.keys(container).length) : segments[i];
    if (i === segments.length - 1) {
      container[segment] = value;
      return;
    }
    const next = container[segment];
    if (typeof next === 'object' && !Array.isArray(next)) {
      container = next;
    } else {
      const created: FormObject = {};
      container[segment] = created;
      container = created;
    }
  }
}

/** Objects whose keys are all array indexes become arrays, ordered by index. */
function normalize(value: FormValue): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  for (const key of keys) value[key] = normalize(value[key]);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((k) => value[String(k)]);
  }
  return value;
}

export function parseStripeForm(encoded: string): FormObject {
  const root: FormObject = {};
  for (const pair of encoded.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq >= 0 ? pair.slice(0, eq) : pair);
    const value = decode(eq >= 0 ? pair.slice(eq + 1) : '');
    assign(root, keySegments(key), value);
  }
  const normalized = normalize(root);
  return typeof normalized === 'object' && !Array.isArray(normalized) ? normalized : {};
}

/** Key-order-independent serialisation, for comparing the params of idempotent retries. */
export function canonicalForm(value: FormValue | undefined): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalForm).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalForm(value[k])}`).join(',')}}`;
}
