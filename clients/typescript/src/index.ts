/**
 * The Movie Nexus client: openapi-fetch over the types generated from the API's OpenAPI
 * document (src/schema.ts, `make client`), and the few things every frontend would
 * otherwise write itself:
 *
 * - the access token is attached to every call but login, register and refresh;
 * - a 401 is answered by one refresh (the refresh token is rotated on every use) and the
 *   call is sent again; parallel calls that meet the same expiry share that one refresh,
 *   so they never spend the refresh token twice (the API would take that for a stolen
 *   token and end the session);
 * - the last `X-Consistency-Token` a write answered is sent on the reads that honour it;
 * - GETs are revalidated with their ETag (`If-None-Match`): a 304 is answered from the
 *   body kept for that URL;
 * - `streamEvents` reads GET /me/events (server-sent events, typed by the document's
 *   `StreamMessage`), reopening it with Last-Event-ID after a drop (src/events.ts).
 */
import createClient, { type Client } from "openapi-fetch";
import { type EventStream, openEventStream, type StreamOptions } from "./events.js";
import type { components, paths } from "./schema.js";

export type { components, paths };
export { EVENTS_PATH, SseParser } from "./events.js";
export type { EventStream, MessageOf, StreamEventName, StreamMessage, StreamOptions } from "./events.js";
export type Schemas = components["schemas"];
export type Api = Client<paths>;

export const API_PREFIX = "/api/v1";
export const CONSISTENCY_HEADER = "X-Consistency-Token";

/** The GETs that honour X-Consistency-Token (the document's; a test keeps this true). */
export const CONSISTENT_READS: readonly RegExp[] = [
  /^\/api\/v1\/movies$/,
  /^\/api\/v1\/movies\/\d+$/,
  /^\/api\/v1\/me(\/(favorites|watchlist|stats|recommendations))?$/,
  /^\/api\/v1\/auth\/sessions$/,
];
/** The calls that never carry the access token, and are not retried after a refresh. */
const WITHOUT_ACCESS_TOKEN = new Set(
  ["/auth/login", "/auth/register", "/auth/refresh"].map((path) => API_PREFIX + path));

export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

export interface TokenStore {
  load(): Tokens | null;
  save(tokens: Tokens | null): void;
}

export function memoryTokenStore(): TokenStore {
  let tokens: Tokens | null = null;
  return { load: () => tokens, save: (next) => { tokens = next; } };
}

/** Tokens kept in a Web Storage (the web app uses sessionStorage). */
export function webStorageTokenStore(storage: Storage, key = "movienexus.tokens"): TokenStore {
  return {
    load: () => {
      const text = storage.getItem(key);
      return text === null ? null : (JSON.parse(text) as Tokens);
    },
    save: (tokens) => {
      if (tokens === null) storage.removeItem(key);
      else storage.setItem(key, JSON.stringify(tokens));
    },
  };
}

export interface MovieNexusOptions {
  /** The API's origin, e.g. `http://127.0.0.1:8000` (the paths carry `/api/v1`). */
  baseUrl: string;
  /** The event stream's origin (the server's EVENTS_PUBLIC_URL, e.g.
   *  `http://127.0.0.1:8002`); by default baseUrl (one origin, a proxy in front). */
  eventsUrl?: string;
  tokens?: TokenStore;
  /** The fetch to send requests with (tests count requests through it). */
  fetch?: (request: Request) => Promise<Response>;
  /** How many GET answers are kept for ETag revalidation. */
  etagCacheSize?: number;
  /** Called when the session ended (a refresh was refused): log in again. */
  onSessionEnded?: () => void;
}

/** An error answer of the API, with its documented body. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly body: Schemas["Error"] | undefined) {
    super(body?.message ?? `HTTP ${status}`);
    this.name = "ApiError";
  }

  /** Messages by field, for a form (validation errors only). */
  get fieldErrors(): Record<string, string[]> {
    return this.body?.errors ?? {};
  }
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a successful answer; an error answer throws ApiError. */
export async function must<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(response.status, error as Schemas["Error"] | undefined);
  return data as T;
}

/** Headers of the bytes on the wire, not of the decoded body that is kept. */
const BODY_ENCODING = new Set(["content-encoding", "content-length"]);

interface KeptAnswer {
  etag: string;
  status: number;
  headers: [string, string][];
  body: ArrayBuffer;
}

export class MovieNexus {
  readonly api: Api;
  private readonly tokens: TokenStore;
  private readonly transport: (request: Request) => Promise<Response>;
  private readonly etagCacheSize: number;
  private readonly kept = new Map<string, KeptAnswer>();
  private readonly onSessionEnded: () => void;
  private readonly eventsUrl: string;
  private refreshing: Promise<boolean> | null = null;
  private consistencyToken: string | null = null;

  constructor(options: MovieNexusOptions) {
    this.tokens = options.tokens ?? memoryTokenStore();
    this.transport = options.fetch ?? ((request) => globalThis.fetch(request));
    this.etagCacheSize = options.etagCacheSize ?? 200;
    this.onSessionEnded = options.onSessionEnded ?? (() => undefined);
    this.eventsUrl = (options.eventsUrl ?? options.baseUrl).replace(/\/$/, "");
    this.api = createClient<paths>({
      baseUrl: options.baseUrl.replace(/\/$/, ""),
      fetch: (request) => this.send(request),
    });
  }

  get loggedIn(): boolean {
    return this.tokens.load() !== null;
  }

  /** The last X-Consistency-Token a write answered (sent on consistent reads). */
  get lastConsistencyToken(): string | null {
    return this.consistencyToken;
  }

  async login(email: string, password: string): Promise<Schemas["LoginResult"]> {
    const result = await must(this.api.POST("/api/v1/auth/login", { body: { email, password } }));
    this.tokens.save({ accessToken: result.access_token, refreshToken: result.refresh_token });
    return result;
  }

  /** Ends this session on the server (when it is still live) and forgets its tokens. */
  async logout(): Promise<void> {
    if (this.loggedIn) await this.api.POST("/api/v1/auth/logout");
    this.forget();
  }

  /** Your changes as they are applied (GET /me/events), until close() or the session
   *  ends; reopened with Last-Event-ID after a drop, after one refresh on a 401. */
  streamEvents(options: StreamOptions): EventStream {
    return openEventStream({
      url: this.eventsUrl,
      accessToken: () => this.tokens.load()?.accessToken ?? null,
      refresh: () => this.refresh(),
      fetch: this.transport,
    }, options);
  }

  /** Trades the refresh token for a new pair: one call at a time, shared by every caller
   *  that asks while it runs. False when there is no session (or it has ended). */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.rotate().finally(() => { this.refreshing = null; });
    return this.refreshing;
  }

  private async rotate(): Promise<boolean> {
    const tokens = this.tokens.load();
    if (tokens === null) return false;
    const { data, response } = await this.api.POST("/api/v1/auth/refresh", {
      body: { refresh_token: tokens.refreshToken },
    });
    if (data !== undefined) {
      this.tokens.save({ accessToken: data.access_token, refreshToken: data.refresh_token });
      return true;
    }
    if (response.status === 401) {
      this.forget();
      this.onSessionEnded();
    }
    return false;
  }

  private forget(): void {
    this.tokens.save(null);
    this.consistencyToken = null;
    this.kept.clear();
  }

  /** openapi-fetch's fetch: one attempt, and after a 401 one refresh and one more. */
  private async send(template: Request): Promise<Response> {
    const path = new URL(template.url).pathname;
    const first = await this.attempt(template.clone(), path);
    if (first.status !== 401 || first.accessToken === null || WITHOUT_ACCESS_TOKEN.has(path)) {
      return first.response;
    }
    if (!(await this.refreshedSince(first.accessToken))) return first.response;
    return (await this.attempt(template, path)).response;
  }

  /** True when a newer access token than `used` is there (refreshing once if need be). */
  private async refreshedSince(used: string): Promise<boolean> {
    const current = this.tokens.load();
    if (current === null) return false;
    if (current.accessToken !== used) return true;
    return this.refresh();
  }

  private async attempt(request: Request, path: string) {
    const accessToken = WITHOUT_ACCESS_TOKEN.has(path) ? null : this.tokens.load()?.accessToken ?? null;
    if (accessToken !== null && !request.headers.has("Authorization")) {
      request.headers.set("Authorization", `Bearer ${accessToken}`);
    }
    const isRead = request.method === "GET";
    if (isRead && this.consistencyToken !== null && CONSISTENT_READS.some((re) => re.test(path))) {
      request.headers.set(CONSISTENCY_HEADER, this.consistencyToken);
    }
    const key = `${request.url}\n${request.headers.get("Authorization") ?? ""}`;
    const kept = isRead ? this.kept.get(key) : undefined;
    if (kept !== undefined) request.headers.set("If-None-Match", kept.etag);
    const response = await this.transport(request);
    const written = response.headers.get(CONSISTENCY_HEADER);
    if (!isRead && response.ok && written) this.consistencyToken = written;
    return { response: await this.revalidated(key, response, kept), status: response.status,
             accessToken };
  }

  private async revalidated(key: string, response: Response, kept: KeptAnswer | undefined) {
    if (response.status === 304 && kept !== undefined) {
      this.keep(key, kept);
      const headers = new Headers(kept.headers);
      response.headers.forEach((value, name) => headers.set(name, value));
      return new Response(kept.body.slice(0), { status: kept.status, headers });
    }
    const etag = response.headers.get("ETag");
    if (response.status === 200 && etag !== null && key.length < 8192) {
      const body = await response.clone().arrayBuffer();
      const headers = [...response.headers].filter(([name]) => !BODY_ENCODING.has(name));
      this.keep(key, { etag, status: 200, headers, body });
    }
    return response;
  }

  private keep(key: string, answer: KeptAnswer): void {
    this.kept.delete(key);
    this.kept.set(key, answer);
    if (this.kept.size > this.etagCacheSize) {
      const oldest = this.kept.keys().next().value;
      if (oldest !== undefined) this.kept.delete(oldest);
    }
  }
}

export function createMovieNexus(options: MovieNexusOptions): MovieNexus {
  return new MovieNexus(options);
}
