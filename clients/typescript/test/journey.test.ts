/**
 * The client against the live stack (tests/contract/test_typescript_client.py starts it,
 * with 3-second access tokens, and passes its URL in MOVIENEXUS_API_URL): the journey a
 * frontend writes, parallel calls across an access-token expiry, consistency tokens and
 * ETag revalidation, the event stream (its process's origin in MOVIENEXUS_EVENTS_URL).
 * `tsc --strict` checks this file too (the generator tier).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import { CONSISTENCY_HEADER, CONSISTENT_READS, type MessageOf, MovieNexus, must, SseParser,
         type StreamMessage } from "../src/index.js";

const BASE_URL = process.env.MOVIENEXUS_API_URL ?? "";
const EVENTS_URL = process.env.MOVIENEXUS_EVENTS_URL ?? BASE_URL;
const PASSWORD = "Popcorn-2026!";

interface Sent {
  method: string;
  path: string;
  status: number;
  request: Headers;
  response: Headers;
}

/** A fetch that records what was sent and answered. */
function recordingFetch() {
  const sent: Sent[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    const headers = new Headers(request.headers);
    const response = await globalThis.fetch(request);
    sent.push({ method: request.method, path: new URL(request.url).pathname,
                status: response.status, request: headers, response: response.headers });
    return response;
  };
  return { sent, fetch };
}

function client() {
  const recorder = recordingFetch();
  return { recorder, nexus: new MovieNexus({ baseUrl: BASE_URL, fetch: recorder.fetch }) };
}

async function registered(nexus: MovieNexus): Promise<string> {
  const email = `ts-client-${randomUUID().slice(0, 12)}@example.com`;
  const user = await must(nexus.api.POST("/api/v1/auth/register", {
    body: { email, password: PASSWORD, first_name: "Ada" } }));
  assert.equal(user.email, email);
  assert.equal(user.email_verified, false);
  return email;
}

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  for (const start = Date.now(); !condition(); await sleep(50)) {
    assert.ok(Date.now() - start < timeoutMs, "in time");
  }
}

async function aPopularMovie(nexus: MovieNexus): Promise<number> {
  const page = await must(nexus.api.GET("/api/v1/movies/popular", {
    params: { query: { page_size: 5 } } }));
  const first = page.items[0];
  assert.ok(first, "the catalog has popular movies");
  return first.tmdb_id;
}

describe("the Movie Nexus client against the live stack", { skip: BASE_URL === "" }, () => {
  test("the journey: register, login, me, browse, favorite, stats, refresh, logout", async () => {
    const { nexus } = client();
    const email = await registered(nexus);
    const login = await nexus.login(email, PASSWORD);
    assert.equal(login.token_type, "Bearer");
    assert.equal(login.user.role, "user");

    const me = await must(nexus.api.GET("/api/v1/me"));
    assert.equal(me.email, email);
    assert.equal(me.profile.privacy, "private");
    assert.ok(!Number.isNaN(Date.parse(me.created_at)));

    const tmdbId = await aPopularMovie(nexus);
    const detail = await must(nexus.api.GET("/api/v1/movies/{tmdb_id}", {
      params: { path: { tmdb_id: tmdbId } } }));
    assert.equal(detail.tmdb_id, tmdbId);
    assert.equal(detail.me?.favorite, false, "with a token the detail has the me block");

    const favorite = await must(nexus.api.PUT("/api/v1/me/favorites/{tmdb_id}", {
      params: { path: { tmdb_id: tmdbId } }, body: { rating: 8, notes: "again soon" } }));
    assert.equal(favorite.rating, 8);
    assert.equal(favorite.movie.tmdb_id, tmdbId);

    const favorites = await must(nexus.api.GET("/api/v1/me/favorites"));
    assert.deepEqual(favorites.items.map((item) => item.movie.tmdb_id), [tmdbId]);
    const stats = await must(nexus.api.GET("/api/v1/me/stats"));
    assert.equal(stats.total_favorites, 1);
    assert.equal(stats.rating_histogram["8"], 1);
    const recommendations = await must(nexus.api.GET("/api/v1/me/recommendations"));
    assert.ok(recommendations.items.every((item) => item.movie.tmdb_id !== tmdbId));

    assert.equal(await nexus.refresh(), true);
    const sessions = await must(nexus.api.GET("/api/v1/auth/sessions"));
    assert.equal(sessions.items.length, 1);
    assert.equal(sessions.items[0]?.current, true);

    await nexus.logout();
    assert.equal(nexus.loggedIn, false);
    const { response } = await nexus.api.GET("/api/v1/me");
    assert.equal(response.status, 401);
  });

  test("parallel calls across an access-token expiry share one refresh", async () => {
    const { nexus, recorder } = client();
    const email = await registered(nexus);
    const login = await nexus.login(email, PASSWORD);
    // Wait until the access token has really expired (the stack's tokens live 3 s).
    for (let tries = 0; ; tries++) {
      const probe = await fetch(`${BASE_URL}/api/v1/me`, {
        headers: { Authorization: `Bearer ${login.access_token}` } });
      if (probe.status === 401) break;
      assert.ok(tries < 120, "the access token never expired");
      await sleep(250);
    }
    recorder.sent.length = 0;
    const answers = await Promise.all([
      nexus.api.GET("/api/v1/me"), nexus.api.GET("/api/v1/me/favorites"),
      nexus.api.GET("/api/v1/me/watchlist"), nexus.api.GET("/api/v1/me/stats"),
      nexus.api.GET("/api/v1/me/recommendations"), nexus.api.GET("/api/v1/auth/sessions"),
    ]);
    assert.deepEqual(answers.map((answer) => answer.response.status), [200, 200, 200, 200, 200, 200]);
    const refreshes = recorder.sent.filter((sent) => sent.path === "/api/v1/auth/refresh");
    assert.equal(refreshes.length, 1, "one refresh served every call");
    assert.equal(refreshes[0]?.status, 200);
    assert.equal(recorder.sent.filter((sent) => sent.status === 401).length, 6,
                 "every call met the expired token first");
    // The session is still live: no refresh token was spent twice.
    const sessions = await must(nexus.api.GET("/api/v1/auth/sessions"));
    assert.equal(sessions.items.length, 1);
  });

  test("the last write's consistency token goes with the reads that honour it", async () => {
    const { nexus, recorder } = client();
    await nexus.login(await registered(nexus), PASSWORD);
    const tmdbId = await aPopularMovie(nexus);
    await must(nexus.api.PUT("/api/v1/me/watchlist/{tmdb_id}", {
      params: { path: { tmdb_id: tmdbId } }, body: { watched: true } }));
    const token = nexus.lastConsistencyToken;
    assert.ok(token, "the write answered a consistency token");

    recorder.sent.length = 0;
    const detail = await must(nexus.api.GET("/api/v1/movies/{tmdb_id}", {
      params: { path: { tmdb_id: tmdbId } } }));
    assert.equal(detail.me?.watched, true);
    await must(nexus.api.GET("/api/v1/movies/popular"));
    const [read, list] = recorder.sent;
    assert.equal(read?.request.get(CONSISTENCY_HEADER), token);
    assert.equal(read?.response.get("X-Consistency"), "fresh");
    assert.equal(list?.request.get(CONSISTENCY_HEADER), null, "not on a read that ignores it");
  });

  test("a GET is revalidated with its ETag and a 304 answers the kept body", async () => {
    const { nexus, recorder } = client();
    const tmdbId = await aPopularMovie(nexus);
    const path = { params: { path: { tmdb_id: tmdbId } } };
    const first = await must(nexus.api.GET("/api/v1/movies/{tmdb_id}", path));
    const second = await must(nexus.api.GET("/api/v1/movies/{tmdb_id}", path));
    assert.deepEqual(second, first);
    const detailReads = recorder.sent.filter((sent) => sent.path === `/api/v1/movies/${tmdbId}`);
    assert.equal(detailReads.length, 2);
    assert.equal(detailReads[1]?.request.get("If-None-Match"), detailReads[0]?.response.get("ETag"));
    assert.equal(detailReads[1]?.status, 304);
  });

  test("streamEvents: a change arrives typed, then the stats; a reopened stream resumes", async () => {
    const nexus = new MovieNexus({ baseUrl: BASE_URL, eventsUrl: EVENTS_URL });
    await nexus.login(await registered(nexus), PASSWORD);
    const path = { params: { path: { tmdb_id: await aPopularMovie(nexus) } } };
    const got: StreamMessage[] = [];
    let opened = false;
    const first = nexus.streamEvents({ onOpen: () => { opened = true; }, onMessage: (m) => got.push(m) });
    await until(() => opened);
    await must(nexus.api.PUT("/api/v1/me/favorites/{tmdb_id}", { ...path, body: { rating: 7 } }));
    await until(() => got.some((m) => m.event === "stats"));
    const added = got.find((m): m is MessageOf<"FavoriteAdded"> => m.event === "FavoriteAdded");
    assert.equal(added?.data.data["tmdb_id"], path.params.path.tmdb_id);
    assert.equal(added?.data.version, 1);
    const stats = got.find((m): m is MessageOf<"stats"> => m.event === "stats");
    assert.equal(stats?.data.total_favorites, 1);
    first.close();
    await first.done;

    await must(nexus.api.PUT("/api/v1/me/watchlist/{tmdb_id}", { ...path, body: {} }));
    const again: StreamMessage[] = [];
    const second = nexus.streamEvents({ lastEventId: first.lastEventId ?? "0", onMessage: (m) => again.push(m) });
    await until(() => again.some((m) => m.event === "WatchlistItemAdded"));
    assert.ok(!again.some((m) => m.event === "FavoriteAdded"), "nothing twice after Last-Event-ID");
    second.close();
    await second.done;
  });
});

test("SseParser reads frames split anywhere, skipping heartbeats", () => {
  const parser = new SseParser();
  const text = ': heartbeat\r\n\r\nid: 7\nevent: FavoriteAdded\ndata: {"a":\ndata: 1}\n\nevent: stats\ndata: {}\n\n';
  const frames = [...text].flatMap((character) => parser.push(character));
  assert.deepEqual(frames, [{ id: "7", event: "FavoriteAdded", data: '{"a":\n1}' },
                            { event: "stats", data: "{}" }]);
});

test("CONSISTENT_READS names exactly the document's reads that take X-Consistency-Token", () => {
  const document = JSON.parse(readFileSync(new URL("../../openapi.json", import.meta.url), "utf8")) as {
    paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
  };
  for (const [path, item] of Object.entries(document.paths)) {
    const get = item.get;
    if (get === undefined) continue;
    const sample = path.replace(/\{[a-z_]+\}/g, "42");
    const takesToken = (get.parameters ?? []).some((p) => p.name === CONSISTENCY_HEADER);
    assert.equal(CONSISTENT_READS.some((re) => re.test(sample)), takesToken, path);
  }
});
