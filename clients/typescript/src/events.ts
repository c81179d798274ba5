/**
 * GET /api/v1/me/events (operation `streamEvents`): your own changes as server-sent
 * events, read with fetch and a ReadableStream (so the access token travels in the
 * Authorization header, which a browser's EventSource cannot send). The stream is
 * reopened after a drop with Last-Event-ID (nothing missed, nothing twice), after one
 * token refresh on a 401, and ends for good on `end` (the session ended) or close().
 */
import type { components } from "./schema.js";

export type StreamMessage = components["schemas"]["StreamMessage"];
export type StreamEventName = StreamMessage["event"];
/** The message of one event name, e.g. `MessageOf<"stats">["data"]` is the stats. */
export type MessageOf<E extends StreamEventName> =
  StreamMessage extends infer M ? M extends { event: infer N } ? E extends N ? M & { event: E }
    : never : never : never;

export const EVENTS_PATH = "/api/v1/me/events";

export interface StreamOptions {
  /** Called with each message, typed by its `event`. */
  onMessage: (message: StreamMessage) => void;
  /** Called each time the stream is (re)opened. */
  onOpen?: () => void;
  /** Called when the stream ends for good: "end" (the session ended), "closed", "refused". */
  onClose?: (why: "end" | "closed" | "refused") => void;
  /** Resume after this event id (else the stream starts from now). */
  lastEventId?: string;
  /** The first wait before reopening a dropped stream (doubled up to 30 s); 1000 ms. */
  retryMs?: number;
}

export interface EventStream {
  /** The id of the last message that had one: where a reopened stream resumes. */
  readonly lastEventId: string | null;
  close(): void;
  /** Settles when the stream has ended for good. */
  readonly done: Promise<void>;
}

/** What the stream needs of the client: its origin, token, refresh and fetch. */
export interface StreamTransport {
  url: string;
  accessToken: () => string | null;
  refresh: () => Promise<boolean>;
  fetch: (request: Request) => Promise<Response>;
}

interface Frame {
  id?: string;
  event: string;
  data: string;
}

/** Splits text/event-stream text into frames, however it arrives in chunks. */
export class SseParser {
  private buffer = "";

  push(text: string): Frame[] {
    this.buffer += text.replace(/\r\n?/g, "\n");
    const frames: Frame[] = [];
    let end: number;
    while ((end = this.buffer.indexOf("\n\n")) >= 0) {
      const frame = parseFrame(this.buffer.slice(0, end));
      this.buffer = this.buffer.slice(end + 2);
      if (frame !== null) frames.push(frame);
    }
    return frames;
  }
}

function parseFrame(block: string): Frame | null {
  const frame: Frame = { event: "message", data: "" };
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line === "" || line.startsWith(":")) continue; // a comment: the heartbeat
    const colon = line.indexOf(":");
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (name === "id") frame.id = value;
    else if (name === "event") frame.event = value;
    else if (name === "data") data.push(value);
  }
  frame.data = data.join("\n");
  return data.length === 0 && frame.id === undefined ? null : frame;
}

const MAX_RETRY_MS = 30_000;

export function openEventStream(transport: StreamTransport, options: StreamOptions): EventStream {
  const abort = new AbortController();
  let lastEventId = options.lastEventId ?? null;
  let wait = options.retryMs ?? 1000;
  let ending: "end" | "closed" | "refused" = "closed";

  async function once(): Promise<"again" | "end" | "refused"> {
    let response = await connect();
    if (response.status === 401) {
      await response.body?.cancel();
      if (!(await transport.refresh())) return "refused";
      response = await connect();
    }
    if (!response.ok || response.body === null) {
      await response.body?.cancel();
      return response.status === 401 ? "refused" : "again";
    }
    options.onOpen?.();
    wait = options.retryMs ?? 1000;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new SseParser();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return "again";
      for (const frame of parser.push(value)) {
        if (frame.id !== undefined) lastEventId = frame.id;
        options.onMessage({ event: frame.event, data: JSON.parse(frame.data || "{}"),
                            ...(frame.id === undefined ? {} : { id: frame.id }) } as StreamMessage);
        if (frame.event === "end") {
          await reader.cancel();
          return "end";
        }
      }
    }
  }

  function connect(): Promise<Response> {
    const headers = new Headers({ Accept: "text/event-stream" });
    const token = transport.accessToken();
    if (token !== null) headers.set("Authorization", `Bearer ${token}`);
    if (lastEventId !== null) headers.set("Last-Event-ID", lastEventId);
    return transport.fetch(new Request(transport.url + EVENTS_PATH,
                                       { headers, signal: abort.signal, cache: "no-store" }));
  }

  async function run(): Promise<void> {
    while (!abort.signal.aborted) {
      const outcome = await once().catch(() => "again" as const);
      if (outcome !== "again") {
        ending = outcome;
        break;
      }
      if (abort.signal.aborted) break;
      await new Promise((resolve) => setTimeout(resolve, wait));
      wait = Math.min(wait * 2, MAX_RETRY_MS);
    }
    options.onClose?.(ending);
  }

  const done = run();
  return {
    get lastEventId() { return lastEventId; },
    close: () => abort.abort(),
    done,
  };
}
