import {
  generateKeyPairSync,
  KeyObject,
  randomUUID,
  sign as cryptoSign,
  verify as cryptoVerify,
} from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import {
  flattenHeaders,
  isJsonObject,
  JsonObject,
  JsonValue,
  parseJson,
  readBody,
  RequestLog,
  sendJson,
  startHttpServer,
} from './http-helpers';

/**
 * A HashiCorp Vault subset over its documented HTTP API: Transit (ed25519 sign/verify, key
 * read/rotate), KV v1 and KV v2, token lookup-self and sys/health.
 *
 * Choices:
 * - Transit keys must exist before signing, as in Vault (`signing key not found`, 400). Create
 *   them with `POST /v1/transit/keys/:name {"type":"ed25519"}`, the `transitKeys` option, or
 *   `createTransitKey()`. Like Vault, a create without `type` makes an `aes256-gcm96` key, which
 *   cannot sign. `autoCreateKeys: true` opts into creating ed25519 keys on first sign instead.
 * - Inputs are decoded as Go's `base64.StdEncoding` does: standard alphabet, padding required,
 *   URL-safe characters rejected with Vault's `unable to decode input as base64: illegal base64
 *   data at input byte N` (400).
 * - Signatures are `vault:v<version>:<standard base64>`; `marshaling_algorithm: "jws"` uses
 *   unpadded base64url instead, as Vault does.
 * - Listing uses `GET ...?list=true` (Vault's documented alternative): Node's HTTP parser rejects
 *   the `LIST` verb before any handler runs, so a client that sends `LIST` gets a 400 here.
 */

export interface VaultFakeOptions {
  token: string;
  /** KV version 1 mounts (e.g. `['secret-v1']`). */
  kvV1Mounts?: string[];
  /** KV version 2 mounts. Default `['secret']`, like `vault server -dev`. */
  kvV2Mounts?: string[];
  transitMount?: string;
  /** ed25519 keys to create at start. */
  transitKeys?: string[];
  autoCreateKeys?: boolean;
  maxRecordedRequests?: number;
}

export interface VaultFakeRequest {
  seq: number;
  method: string;
  /** Path without query, e.g. `/v1/transit/sign/jwt`. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: JsonValue | undefined;
  token: string | undefined;
  status: number | undefined;
  receivedAt: number;
}

export interface VaultPublicKey {
  version: number;
  /** 32 raw Ed25519 public key bytes. */
  raw: Buffer;
  /** What Vault reports as `public_key` for ed25519: standard base64 of the raw bytes. */
  base64: string;
  pem: string;
  jwk: { kty: string; crv: string; x: string };
  keyObject: KeyObject;
}

export interface VaultFakeFailure {
  status: number;
  errors?: string[];
}

export interface VaultKvV2Version {
  data: JsonObject | null;
  createdTime: string;
  deletionTime: string;
  destroyed: boolean;
  version: number;
}

export interface VaultFake {
  url: string;
  /** Alias of `url`, to match `VAULT_ADDR`. */
  addr: string;
  port: number;
  token: string;
  readonly requests: readonly VaultFakeRequest[];
  lastRequest(): VaultFakeRequest | undefined;
  createTransitKey(name: string): VaultPublicKey;
  rotateTransitKey(name: string): VaultPublicKey;
  /** Public key of a transit key version (latest by default), for verifying signatures/JWKS. */
  publicKey(name: string, version?: number): VaultPublicKey;
  publicKeys(name: string): VaultPublicKey[];
  /** Reads a KV v1 secret or the latest live KV v2 version. */
  readSecret(mount: string, path: string): JsonObject | undefined;
  /** Writes directly (KV v2: a new version). */
  writeSecret(mount: string, path: string, data: JsonObject): void;
  kvV2Versions(mount: string, path: string): VaultKvV2Version[];
  /** The next `count` requests (optionally matching method/path) fail with `failure`. */
  failNext(
    count?: number,
    failure?: VaultFakeFailure,
    scope?: { method?: string; path?: string | RegExp },
  ): void;
  /** Sealed: sys/health answers 503 and every other call `Vault is sealed`. */
  setSealed(sealed: boolean): void;
  /** Clears KV data, recordings and rules; transit keys are kept unless `keys` is true. */
  reset(options?: { keys?: boolean }): void;
  close(): Promise<void>;
}

interface TransitKeyVersion {
  version: number;
  privateKey: KeyObject;
  publicKey: KeyObject;
  createdTime: string;
}

interface TransitKey {
  name: string;
  type: string;
  versions: TransitKeyVersion[];
}

interface KvV2Secret {
  versions: VaultKvV2Version[];
  createdTime: string;
  updatedTime: string;
}

class VaultError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
    readonly body?: unknown,
  ) {
    super(errors.join('; ') || `status ${status}`);
  }
}

type VaultResult =
  | { status: 200; data: JsonValue; raw?: false }
  | { status: 204 }
  | { status: 200; raw: true; body: JsonValue };

/** Go's base64.StdEncoding.DecodeString, including where it reports the first bad byte. */
export function decodeStdBase64(input: string): { bytes: Buffer } | { error: string } {
  const stripped = input.replace(/[\r\n]/g, '');
  const illegal = (at: number): { error: string } => ({
    error: `illegal base64 data at input byte ${at}`,
  });
  for (let i = 0; i < stripped.length; i += 1) {
    if (!/[A-Za-z0-9+/=]/.test(stripped[i])) return illegal(i);
  }
  const firstPad = stripped.indexOf('=');
  if (firstPad >= 0) {
    const padding = stripped.slice(firstPad);
    if (/[^=]/.test(padding) || padding.length > 2 || stripped.length % 4 !== 0)
      return illegal(firstPad);
  }
  if (stripped.length % 4 !== 0) return illegal(stripped.length - (stripped.length % 4));
  return { bytes: Buffer.from(stripped, 'base64') };
}

function toPublicKey(version: TransitKeyVersion): VaultPublicKey {
  const jwk = version.publicKey.export({ format: 'jwk' });
  const x = typeof jwk.x === 'string' ? jwk.x : '';
  const raw = Buffer.from(x, 'base64url');
  return {
    version: version.version,
    raw,
    base64: raw.toString('base64'),
    pem: version.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    jwk: { kty: 'OKP', crv: 'Ed25519', x },
    keyObject: version.publicKey,
  };
}

export async function startVaultFake(options: VaultFakeOptions): Promise<VaultFake> {
  const kvV1 = new Set(options.kvV1Mounts ?? []);
  const kvV2 = new Set(options.kvV2Mounts ?? ['secret']);
  const transitMount = options.transitMount ?? 'transit';
  const log = new RequestLog<VaultFakeRequest>(options.maxRecordedRequests ?? 5000);
  const keys = new Map<string, TransitKey>();
  const v1Data = new Map<string, JsonObject>();
  const v2Data = new Map<string, KvV2Secret>();
  let rules: Array<{
    remaining: number;
    failure: VaultFakeFailure;
    method?: string;
    path?: string | RegExp;
  }> = [];
  let sealed = false;
  let seq = 0;

  const newVersion = (version: number): TransitKeyVersion => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    return { version, privateKey, publicKey, createdTime: new Date().toISOString() };
  };
  const createKey = (name: string, type = 'ed25519'): TransitKey => {
    const existing = keys.get(name);
    if (existing) return existing;
    const key: TransitKey = { name, type, versions: type === 'ed25519' ? [newVersion(1)] : [] };
    keys.set(name, key);
    return key;
  };
  const requireKey = (name: string): TransitKey => {
    const key = keys.get(name);
    if (!key) throw new Error(`vault fake: no transit key ${name}`);
    return key;
  };
  for (const name of options.transitKeys ?? []) createKey(name);

  const latestVersion = (key: TransitKey): number =>
    key.type === 'ed25519' ? key.versions.length : 1;

  const keyInfo = (key: TransitKey): JsonObject => {
    const versions: JsonObject = {};
    if (key.type === 'ed25519') {
      for (const v of key.versions) {
        versions[String(v.version)] = {
          certificate_chain: '',
          creation_time: v.createdTime,
          name: 'ed25519',
          public_key: toPublicKey(v).base64,
        };
      }
    } else {
      versions['1'] = Math.floor(Date.now() / 1000);
    }
    const signing = key.type === 'ed25519';
    return {
      allow_plaintext_backup: false,
      auto_rotate_period: 0,
      deletion_allowed: false,
      derived: false,
      exportable: false,
      imported_key: false,
      keys: versions,
      latest_version: latestVersion(key),
      min_available_version: 0,
      min_decryption_version: 1,
      min_encryption_version: 0,
      name: key.name,
      supports_decryption: !signing,
      supports_derivation: true,
      supports_encryption: !signing,
      supports_signing: signing,
      type: key.type,
    };
  };

  const str = (body: JsonObject, field: string): string | undefined => {
    const value = body[field];
    if (typeof value === 'string') return value;
    return typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  };

  const decodeInput = (input: string | undefined): Buffer => {
    const decoded = decodeStdBase64(input ?? '');
    if ('error' in decoded)
      throw new VaultError(400, [`unable to decode input as base64: ${decoded.error}`]);
    return decoded.bytes;
  };

  const signingKey = (name: string, purpose: 'sign' | 'verify'): TransitKey => {
    let key = keys.get(name);
    if (!key && purpose === 'sign' && options.autoCreateKeys) key = createKey(name);
    if (!key) {
      throw new VaultError(400, [
        purpose === 'sign' ? 'signing key not found' : 'signature verification key not found',
      ]);
    }
    if (key.type !== 'ed25519') {
      throw new VaultError(400, [
        purpose === 'sign'
          ? `message signing not supported for key type ${key.type}`
          : `message verification not supported for key type ${key.type}`,
      ]);
    }
    return key;
  };

  const signOne = (key: TransitKey, item: JsonObject, body: JsonObject): JsonObject => {
    const input = decodeInput(str(item, 'input'));
    const requested = Number(str(body, 'key_version') ?? '0');
    const version = requested > 0 ? requested : latestVersion(key);
    const keyVersion = key.versions[version - 1];
    if (!keyVersion) throw new VaultError(400, ['requested version for signing does not exist']);
    const signature = cryptoSign(null, input, keyVersion.privateKey);
    const jws = str(body, 'marshaling_algorithm') === 'jws';
    return {
      signature: `vault:v${version}:${signature.toString(jws ? 'base64url' : 'base64')}`,
      key_version: version,
    };
  };

  const verifyOne = (key: TransitKey, item: JsonObject, body: JsonObject): JsonObject => {
    const input = decodeInput(str(item, 'input'));
    const signature = str(item, 'signature') ?? '';
    if (!signature.startsWith('vault:v'))
      throw new VaultError(400, ['invalid signature: no prefix']);
    const rest = signature.slice('vault:v'.length);
    const colon = rest.indexOf(':');
    if (colon < 0) throw new VaultError(400, ['invalid signature: wrong number of fields']);
    const versionText = rest.slice(0, colon);
    if (!/^-?\d+$/.test(versionText)) {
      throw new VaultError(400, ['invalid signature: version number could not be decoded']);
    }
    const version = Number(versionText);
    if (version > latestVersion(key))
      throw new VaultError(400, ['invalid signature: version is too new']);
    const encoded = rest.slice(colon + 1);
    let sigBytes: Buffer;
    if (str(body, 'marshaling_algorithm') === 'jws') {
      if (!/^[A-Za-z0-9_-]*$/.test(encoded))
        throw new VaultError(400, ['invalid base64 signature value']);
      sigBytes = Buffer.from(encoded, 'base64url');
    } else {
      const decoded = decodeStdBase64(encoded);
      if ('error' in decoded) throw new VaultError(400, ['invalid base64 signature value']);
      sigBytes = decoded.bytes;
    }
    const keyVersion = key.versions[version - 1];
    const valid =
      keyVersion !== undefined && cryptoVerify(null, input, keyVersion.publicKey, sigBytes);
    return { valid };
  };

  /** Single and `batch_input` forms: per-item errors go into `batch_results`, as in Vault. */
  const batch = (body: JsonObject, one: (item: JsonObject) => JsonObject): JsonObject => {
    const items = body.batch_input;
    if (!Array.isArray(items)) return one(body);
    return {
      batch_results: items.map((item) => {
        try {
          return one(isJsonObject(item) ? item : {});
        } catch (error) {
          if (error instanceof VaultError) return { error: error.errors.join('; ') };
          throw error;
        }
      }),
    };
  };

  const transit = (method: string, rest: string[], body: JsonObject): VaultResult => {
    const [op, name, extra] = rest;
    if (op === 'keys' && name) {
      if (extra === 'rotate' && (method === 'POST' || method === 'PUT')) {
        const key = keys.get(name);
        if (!key) throw new VaultError(400, ['key not found']);
        if (key.type === 'ed25519') key.versions.push(newVersion(key.versions.length + 1));
        return { status: 200, data: keyInfo(key) };
      }
      if (extra !== undefined) throw notFound();
      if (method === 'POST' || method === 'PUT') {
        const type = str(body, 'type') ?? 'aes256-gcm96';
        const existing = keys.get(name);
        if (existing) return { status: 200, data: keyInfo(existing) };
        if (!['ed25519', 'aes256-gcm96', 'aes128-gcm96', 'chacha20-poly1305'].includes(type)) {
          throw new VaultError(400, [
            `unknown key type: ${type} (the fake supports ed25519 signing only)`,
          ]);
        }
        return { status: 200, data: keyInfo(createKey(name, type)) };
      }
      if (method === 'GET') {
        const key = keys.get(name);
        if (!key) throw notFound();
        return { status: 200, data: keyInfo(key) };
      }
      if (method === 'DELETE') throw new VaultError(400, ['deletion is not allowed for this key']);
    }
    if ((op === 'sign' || op === 'verify') && name && (method === 'POST' || method === 'PUT')) {
      const key = signingKey(name, op);
      const data = batch(body, (item) =>
        op === 'sign' ? signOne(key, item, body) : verifyOne(key, item, body),
      );
      return { status: 200, data };
    }
    if (op === 'keys' && !name && (method === 'LIST' || method === 'GET')) {
      if (keys.size === 0) throw notFound();
      return { status: 200, data: { keys: [...keys.keys()].sort() } };
    }
    throw notFound();
  };

  const listKeys = (allKeys: Iterable<string>, prefix: string): string[] => {
    const out = new Set<string>();
    for (const key of allKeys) {
      if (!key.startsWith(prefix) || key === prefix) continue;
      const rest = key.slice(prefix.length);
      const slash = rest.indexOf('/');
      out.add(slash >= 0 ? rest.slice(0, slash + 1) : rest);
    }
    return [...out].sort();
  };

  const kv1 = (
    method: string,
    mount: string,
    path: string,
    body: JsonValue | undefined,
    list: boolean,
  ): VaultResult => {
    const key = `${mount}/${path}`;
    if (list) {
      const keysFound = listKeys(
        v1Data.keys(),
        path === '' ? `${mount}/` : `${key.replace(/\/?$/, '/')}`,
      );
      if (keysFound.length === 0) throw notFound();
      return { status: 200, data: { keys: keysFound } };
    }
    if (method === 'GET') {
      const data = v1Data.get(key);
      if (!data) throw notFound();
      return {
        status: 200,
        raw: true,
        body: { ...envelope(data), lease_duration: 2764800 },
      };
    }
    if (method === 'POST' || method === 'PUT') {
      if (!isJsonObject(body)) throw new VaultError(400, ['missing data']);
      v1Data.set(key, structuredClone(body));
      return { status: 204 };
    }
    if (method === 'DELETE') {
      v1Data.delete(key);
      return { status: 204 };
    }
    throw new VaultError(405, ['unsupported operation']);
  };

  const versionMetadata = (v: VaultKvV2Version): JsonObject => ({
    created_time: v.createdTime,
    custom_metadata: null,
    deletion_time: v.deletionTime,
    destroyed: v.destroyed,
    version: v.version,
  });

  const writeV2 = (key: string, data: JsonObject, cas: number | undefined): VaultKvV2Version => {
    const now = new Date().toISOString();
    const secret = v2Data.get(key) ?? { versions: [], createdTime: now, updatedTime: now };
    if (cas !== undefined && cas !== secret.versions.length) {
      throw new VaultError(400, ['check-and-set parameter did not match the current version']);
    }
    const version: VaultKvV2Version = {
      data: structuredClone(data),
      createdTime: now,
      deletionTime: '',
      destroyed: false,
      version: secret.versions.length + 1,
    };
    secret.versions.push(version);
    secret.updatedTime = now;
    v2Data.set(key, secret);
    return version;
  };

  const kv2 = (
    method: string,
    mount: string,
    rest: string[],
    body: JsonValue | undefined,
    query: Record<string, string>,
    list: boolean,
  ): VaultResult => {
    const [section, ...pathParts] = rest;
    const path = pathParts.join('/');
    const key = `${mount}/${path}`;
    const secret = v2Data.get(key);
    if (section === 'data') {
      if (method === 'GET') {
        if (!secret) throw notFound();
        const wanted = Number(query.version ?? '0');
        const version =
          wanted > 0 ? secret.versions[wanted - 1] : secret.versions[secret.versions.length - 1];
        if (!version) throw notFound();
        if (version.deletionTime !== '' || version.destroyed) {
          // Vault answers 404 but still tells which version was deleted and when.
          throw new VaultError(
            404,
            [],
            envelope({ data: null, metadata: versionMetadata(version) }),
          );
        }
        return { status: 200, data: { data: version.data, metadata: versionMetadata(version) } };
      }
      if (method === 'POST' || method === 'PUT') {
        if (!isJsonObject(body) || !isJsonObject(body.data))
          throw new VaultError(400, ['no data provided']);
        const optionsField = body.options;
        const cas =
          isJsonObject(optionsField) && typeof optionsField.cas === 'number'
            ? optionsField.cas
            : undefined;
        return { status: 200, data: versionMetadata(writeV2(key, body.data, cas)) };
      }
      if (method === 'DELETE') {
        const latest = secret?.versions[secret.versions.length - 1];
        if (latest && latest.deletionTime === '') latest.deletionTime = new Date().toISOString();
        return { status: 204 };
      }
    }
    if (section === 'metadata') {
      if (list) {
        const found = listKeys(
          v2Data.keys(),
          path === '' ? `${mount}/` : `${key.replace(/\/?$/, '/')}`,
        );
        if (found.length === 0) throw notFound();
        return { status: 200, data: { keys: found } };
      }
      if (method === 'GET') {
        if (!secret) throw notFound();
        const versions: JsonObject = {};
        for (const v of secret.versions) {
          versions[String(v.version)] = {
            created_time: v.createdTime,
            deletion_time: v.deletionTime,
            destroyed: v.destroyed,
          };
        }
        return {
          status: 200,
          data: {
            cas_required: false,
            created_time: secret.createdTime,
            current_version: secret.versions.length,
            custom_metadata: null,
            delete_version_after: '0s',
            max_versions: 0,
            oldest_version: 0,
            updated_time: secret.updatedTime,
            versions,
          },
        };
      }
      if (method === 'DELETE') {
        v2Data.delete(key);
        return { status: 204 };
      }
    }
    throw notFound();
  };

  const notFound = (): VaultError => new VaultError(404, []);

  const envelope = (data: JsonValue): JsonObject => ({
    request_id: randomUUID(),
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data,
    wrap_info: null,
    warnings: null,
    auth: null,
  });

  const health = (): { status: number; body: JsonObject } => ({
    status: sealed ? 503 : 200,
    body: {
      initialized: true,
      sealed,
      standby: false,
      performance_standby: false,
      replication_performance_mode: 'disabled',
      replication_dr_mode: 'disabled',
      server_time_utc: Math.floor(Date.now() / 1000),
      version: '1.17.0+fake',
      cluster_name: 'vault-fake',
      cluster_id: 'fake-cluster',
    },
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const query = Object.fromEntries(url.searchParams.entries());
    const headers = flattenHeaders(req);
    const rawBody = await readBody(req);
    const parsed = parseJson(rawBody);
    const bearer = headers.authorization?.startsWith('Bearer ')
      ? headers.authorization.slice(7)
      : undefined;
    const token = headers['x-vault-token'] ?? bearer;
    const method = (req.method ?? 'GET').toUpperCase();
    seq += 1;
    const record: VaultFakeRequest = {
      seq,
      method,
      path,
      query,
      headers,
      body: parsed.value,
      token,
      status: undefined,
      receivedAt: Date.now(),
    };
    log.push(record);
    const reply = (status: number, body?: unknown): void => {
      record.status = status;
      if (status === 204 || body === undefined) {
        res.writeHead(status, { 'Cache-Control': 'no-store' });
        res.end();
      } else {
        sendJson(res, status, body, { 'Cache-Control': 'no-store' });
      }
    };
    const fail = (status: number, errors: string[]): void => reply(status, { errors });

    if (path === '/v1/sys/health' && (method === 'GET' || method === 'HEAD')) {
      const { status, body } = health();
      reply(status, method === 'HEAD' ? undefined : body);
      return;
    }
    const rule = rules.find(
      (r) =>
        r.remaining > 0 &&
        (r.method === undefined || r.method.toUpperCase() === method) &&
        (r.path === undefined ||
          (typeof r.path === 'string' ? r.path === path : r.path.test(path))),
    );
    if (rule) {
      rule.remaining -= 1;
      rules = rules.filter((r) => r.remaining > 0);
      fail(rule.failure.status, rule.failure.errors ?? ['internal error (injected by vault fake)']);
      return;
    }
    if (sealed) {
      fail(503, ['Vault is sealed']);
      return;
    }
    if (token !== options.token) {
      fail(403, ['permission denied']);
      return;
    }
    if (parsed.error !== undefined) {
      fail(400, [`failed to parse JSON input: ${parsed.error}`]);
      return;
    }
    const list = method === 'LIST' || (method === 'GET' && query.list === 'true');
    const body = parsed.value;
    const bodyObject = isJsonObject(body) ? body : {};
    const parts = path.split('/').filter(Boolean);

    try {
      if (parts[0] !== 'v1') throw notFound();
      const [, mount, ...rest] = parts;
      let result: VaultResult;
      if (mount === 'auth' && rest.join('/') === 'token/lookup-self' && method === 'GET') {
        result = {
          status: 200,
          data: {
            accessor: 'fake-accessor',
            creation_time: 0,
            creation_ttl: 0,
            display_name: 'token',
            entity_id: '',
            expire_time: null,
            explicit_max_ttl: 0,
            id: options.token,
            meta: null,
            num_uses: 0,
            orphan: true,
            path: 'auth/token/create',
            policies: ['root'],
            renewable: false,
            ttl: 0,
            type: 'service',
          },
        };
      } else if (mount === transitMount) {
        result = transit(method, rest, bodyObject);
      } else if (mount !== undefined && kvV1.has(mount)) {
        result = kv1(method, mount, rest.join('/'), body, list);
      } else if (mount !== undefined && kvV2.has(mount)) {
        result = kv2(method, mount, rest, body, query, list);
      } else {
        throw new VaultError(404, [
          `no handler for route "${parts.slice(1).join('/')}". route entry not found.`,
        ]);
      }
      if (result.status === 204) reply(204);
      else if (result.raw) reply(200, result.body);
      else reply(200, envelope(result.data));
    } catch (error) {
      if (!(error instanceof VaultError)) throw error;
      if (error.body !== undefined) reply(error.status, error.body);
      else fail(error.status, error.errors);
    }
  };

  const started = await startHttpServer(handle);
  const url = `http://127.0.0.1:${started.port}`;
  const kvKey = (mount: string, path: string): string =>
    `${mount}/${path.replace(/^\/+|\/+$/g, '')}`;

  return {
    url,
    addr: url,
    port: started.port,
    token: options.token,
    get requests() {
      return log.all();
    },
    lastRequest: () => log.all()[log.all().length - 1],
    createTransitKey: (name) => {
      const key = createKey(name);
      return toPublicKey(key.versions[key.versions.length - 1]);
    },
    rotateTransitKey: (name) => {
      const key = requireKey(name);
      key.versions.push(newVersion(key.versions.length + 1));
      return toPublicKey(key.versions[key.versions.length - 1]);
    },
    publicKey: (name, version) => {
      const key = requireKey(name);
      const found = key.versions[(version ?? key.versions.length) - 1];
      if (!found) throw new Error(`vault fake: key ${name} has no version ${version}`);
      return toPublicKey(found);
    },
    publicKeys: (name) => requireKey(name).versions.map(toPublicKey),
    readSecret: (mount, path) => {
      const key = kvKey(mount, path);
      if (kvV1.has(mount)) return v1Data.get(key);
      const versions = v2Data.get(key)?.versions ?? [];
      const latest = versions[versions.length - 1];
      return latest && latest.deletionTime === '' && latest.data ? latest.data : undefined;
    },
    writeSecret: (mount, path, data) => {
      const key = kvKey(mount, path);
      if (kvV1.has(mount)) v1Data.set(key, structuredClone(data));
      else if (kvV2.has(mount)) writeV2(key, data, undefined);
      else throw new Error(`vault fake: ${mount} is not a configured KV mount`);
    },
    kvV2Versions: (mount, path) => v2Data.get(kvKey(mount, path))?.versions ?? [],
    failNext: (count = 1, failure = { status: 500 }, scope = {}) => {
      rules.push({ remaining: count, failure, ...scope });
    },
    setSealed: (value) => {
      sealed = value;
    },
    reset: (resetOptions = {}) => {
      v1Data.clear();
      v2Data.clear();
      rules = [];
      sealed = false;
      log.clear();
      if (resetOptions.keys) {
        keys.clear();
        for (const name of options.transitKeys ?? []) createKey(name);
      }
    },
    close: () => started.close(),
  };
}
