/**
 * The Movie Nexus reference web app: every call goes through @movienexus/client (typed by
 * the API's OpenAPI document; it attaches and refreshes tokens, carries consistency
 * tokens and revalidates with ETags). Routes live in the URL's hash, except the pages the
 * emails link to (/verify-email?token=…).
 *
 * While someone is logged in the page follows their event stream (GET /me/events, at the
 * origin the page's `movienexus-events-url` meta tag names): a change made elsewhere (in
 * another tab, on another device) redraws the library page without a reload.
 */
import { ApiError, type EventStream, MovieNexus, must, type StreamMessage, webStorageTokenStore,
         type Schemas } from "@movienexus/client";
import { field, formValues, h, poster } from "./dom.js";

type Card = Schemas["MovieCard"];
type View = { title: string; body: HTMLElement };

const eventsUrl = document.querySelector<HTMLMetaElement>('meta[name="movienexus-events-url"]')?.content;
const nexus = new MovieNexus({
  baseUrl: location.origin,
  eventsUrl: eventsUrl || location.origin,
  tokens: webStorageTokenStore(sessionStorage),
  onSessionEnded: () => {
    say("Your session has ended: log in again.", true);
    renderNav();
  },
});
const main = document.getElementById("main") as HTMLElement;
const nav = document.getElementById("nav") as HTMLElement;
const status = document.getElementById("status") as HTMLElement;

function say(message: string, isError = false): void {
  status.textContent = message;
  status.classList.toggle("error", isError);
}

/** The message to show once the next page is there (navigating clears the last one). */
let next: string | null = null;

function goTo(hash: string, message: string): void {
  if (location.hash === hash) {
    say(message);
    void go();
    return;
  }
  next = message;
  location.hash = hash;
}

function problem(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const fields = Object.entries(error.fieldErrors).map(([name, messages]) => `${name}: ${messages.join(" ")}`);
  return [error.message, ...fields].join(" ");
}

// --- pieces ---------------------------------------------------------------------------

function cards(items: Card[]): HTMLElement {
  if (items.length === 0) return h("p", {}, "Nothing here yet.");
  return h("ul", { class: "cards" }, items.map((movie) => h("li", { class: "card" },
    h("a", { href: `#/movie/${movie.tmdb_id}` },
      poster(movie.poster_url, movie.title),
      h("span", { class: "title" }, movie.title),
      h("span", { class: "meta" }, [movie.year ?? "year unknown", `TMDb ${movie.vote_average.toFixed(1)}`].join(" · "))))));
}

function searchForm(value = ""): HTMLElement {
  const input = h("input", { type: "search", name: "q", value, required: true, maxlength: 200,
                             autocomplete: "off" });
  return h("form", { class: "inline", role: "search", onsubmit: (event: Event) => {
    event.preventDefault();
    const q = formValues(event.target as HTMLFormElement).q?.trim() ?? "";
    if (q) location.hash = `#/search?q=${encodeURIComponent(q)}`;
  } }, field("Search movies", input), h("button", { type: "submit" }, "Search"));
}

const PAGE = { params: { query: { page_size: 12 } } };
const CURATED: [string, () => Promise<Schemas["MoviePage"]>][] = [
  ["Popular", () => must(nexus.api.GET("/api/v1/movies/popular", PAGE))],
  ["Top rated", () => must(nexus.api.GET("/api/v1/movies/top-rated", PAGE))],
  ["Now playing", () => must(nexus.api.GET("/api/v1/movies/now-playing", PAGE))],
  ["Upcoming", () => must(nexus.api.GET("/api/v1/movies/upcoming", PAGE))],
];

function section(title: string, load: () => Promise<Schemas["MoviePage"]>): HTMLElement {
  const body = h("div", {}, h("p", {}, "Loading…"));
  load().then((page) => body.replaceChildren(cards(page.items)),
              (error: unknown) => body.replaceChildren(h("p", {}, problem(error))));
  return h("section", { "aria-label": title }, h("h2", {}, title), body);
}

function trending(): HTMLElement {
  const body = h("div");
  const buttons = (["day", "week"] as const).map((window) => h("button", {
    type: "button", class: "secondary", "aria-pressed": "false",
    onclick: () => show(window) }, window === "day" ? "Today" : "This week"));
  function show(window: "day" | "week"): void {
    buttons.forEach((button, index) => button.setAttribute("aria-pressed", String((index === 0) === (window === "day"))));
    body.replaceChildren(h("p", {}, "Loading…"));
    must(nexus.api.GET("/api/v1/movies/trending", { params: { query: { window, page_size: 12 } } }))
      .then((page) => body.replaceChildren(cards(page.items)),
            (error: unknown) => body.replaceChildren(h("p", {}, problem(error))));
  }
  show("day");
  return h("section", { "aria-label": "Trending" }, h("h2", {}, "Trending"),
           h("div", { class: "tabs", role: "group", "aria-label": "Trending window" }, buttons), body);
}

// --- views ----------------------------------------------------------------------------

function home(): View {
  return { title: "Discover movies", body: h("div", {}, h("h1", {}, "Discover movies"), searchForm(),
    trending(), CURATED.map(([title, load]) => section(title, load))) };
}

async function search(q: string): Promise<View> {
  const page = q ? await must(nexus.api.GET("/api/v1/movies/search", { params: { query: { q, page_size: 24 } } })) : null;
  return { title: q ? `Search: ${q}` : "Search", body: h("div", {}, h("h1", {}, "Search"), searchForm(q),
    page === null ? null : h("p", { class: "meta" }, `${page.total} results for “${q}”`),
    page === null ? null : cards(page.items)) };
}

async function detail(tmdbId: number): Promise<View> {
  const movie = await must(nexus.api.GET("/api/v1/movies/{tmdb_id}", { params: { path: { tmdb_id: tmdbId } } }));
  const facts = [movie.year, movie.runtime ? `${movie.runtime} min` : null,
                 movie.genres.map((genre) => genre.name).filter(Boolean).join(", ")].filter(Boolean).join(" · ");
  return { title: movie.title, body: h("article", { class: "detail" },
    poster(movie.poster_url, movie.title),
    h("div", {},
      h("h1", {}, movie.title), movie.tagline ? h("p", {}, h("em", {}, movie.tagline)) : null,
      h("p", { class: "meta" }, facts),
      h("p", {}, movie.overview || "No overview yet."),
      h("p", { class: "meta" }, `TMDb ${movie.vote_average.toFixed(1)} (${movie.vote_count} votes) · `
        + `${movie.favorite_count} favorites here`
        + (movie.average_user_rating === null ? "" : ` · rated ${movie.average_user_rating} here`)),
      movie.me ? libraryPanel(movie.tmdb_id, movie.me)
        : h("p", {}, h("a", { href: "#/login" }, "Log in"), " to keep it as a favorite or on your watchlist."))) };
}

function libraryPanel(tmdbId: number, me: Schemas["MeBlock"]): HTMLElement {
  const path = { params: { path: { tmdb_id: tmdbId } } };
  const rating = h("select", { name: "rating" }, h("option", { value: "" }, "No rating"),
    Array.from({ length: 10 }, (_, index) => h("option", { value: index + 1, selected: me.rating === index + 1 }, String(index + 1))));
  const notes = h("textarea", { name: "notes", rows: 3, maxlength: 1000 }, me.notes ?? "");
  const act = (done: string, call: () => Promise<unknown>) => async () => {
    try { await call(); say(done); await go(); } catch (error) { say(problem(error), true); }
  };
  const favoriteForm = h("form", { class: "stack", "aria-label": "Favorite", onsubmit: (event: Event) => {
    event.preventDefault();
    const values = formValues(event.target as HTMLFormElement);
    void act("Saved to your favorites.", () => must(nexus.api.PUT("/api/v1/me/favorites/{tmdb_id}", {
      ...path, body: { rating: values.rating ? Number(values.rating) : null, notes: values.notes || null } })))();
  } }, field("Your rating (1–10)", rating), field("Notes", notes),
    h("div", { class: "row" }, h("button", { type: "submit" }, me.favorite ? "Update favorite" : "Add to favorites"),
      me.favorite ? h("button", { type: "button", class: "secondary", onclick: act("Removed from your favorites.",
        () => must(nexus.api.DELETE("/api/v1/me/favorites/{tmdb_id}", path))) }, "Remove from favorites") : null));
  const watchlist = me.in_watchlist
    ? [h("button", { type: "button", onclick: act(me.watched ? "Marked unwatched." : "Marked watched.",
          () => must(nexus.api.PUT("/api/v1/me/watchlist/{tmdb_id}", { ...path, body: { watched: !me.watched } }))) },
         me.watched ? "Mark unwatched" : "Mark watched"),
       h("button", { type: "button", class: "secondary", onclick: act("Removed from your watchlist.",
          () => must(nexus.api.DELETE("/api/v1/me/watchlist/{tmdb_id}", path))) }, "Remove from watchlist")]
    : [h("button", { type: "button", onclick: act("Added to your watchlist.",
          () => must(nexus.api.PUT("/api/v1/me/watchlist/{tmdb_id}", { ...path, body: {} }))) }, "Add to watchlist")];
  return h("section", { class: "panel", "aria-label": "Your library" },
    h("h2", {}, me.favorite ? "One of your favorites" : "Your favorite?"), favoriteForm,
    h("h2", {}, me.in_watchlist ? (me.watched ? "On your watchlist: watched" : "On your watchlist") : "Watchlist"),
    h("div", { class: "row" }, watchlist));
}

async function library(): Promise<View> {
  if (!nexus.loggedIn) return login("Log in to see your library.");
  const [stats, favorites, watchlist, recommendations] = await Promise.all([
    must(nexus.api.GET("/api/v1/me/stats")), must(nexus.api.GET("/api/v1/me/favorites")),
    must(nexus.api.GET("/api/v1/me/watchlist")),
    must(nexus.api.GET("/api/v1/me/recommendations", PAGE))]);
  return { title: "Your library", body: h("div", {}, h("h1", {}, "Your library"),
    h("section", { class: "panel", "aria-label": "Stats" }, h("h2", {}, "Stats"), statsTable(stats)),
    h("h2", {}, "Favorites"),
    favorites.items.length === 0 ? h("p", {}, "No favorites yet: open a movie to add one.")
      : h("ul", {}, favorites.items.map((item) => h("li", {},
          h("a", { href: `#/movie/${item.movie.tmdb_id}` }, item.movie.title),
          ` · rating ${item.rating ?? "none"}`, item.notes ? ` · “${item.notes}”` : ""))),
    h("h2", {}, "Watchlist"),
    watchlist.items.length === 0 ? h("p", {}, "Your watchlist is empty.")
      : h("ul", {}, watchlist.items.map((item) => h("li", {},
          h("a", { href: `#/movie/${item.movie.tmdb_id}` }, item.movie.title),
          item.watched ? " · watched" : " · not watched yet"))),
    h("h2", {}, "Recommended for you"),
    recommendations.items.length === 0 ? h("p", {}, "Add a few favorites to get recommendations.")
      : h("ul", { class: "cards" }, recommendations.items.map((item) => h("li", { class: "card" },
          h("a", { href: `#/movie/${item.movie.tmdb_id}` }, poster(item.movie.poster_url, item.movie.title),
            h("span", { class: "title" }, item.movie.title)),
          h("ul", { class: "reasons", "aria-label": `Why ${item.movie.title}` },
            item.reasons.map((reason) => h("li", {}, reason))))))) };
}

function statsTable(stats: Schemas["Stats"]): HTMLElement {
  const rows: [string, string | number][] = [
    ["Favorites", stats.total_favorites], ["Rated", stats.rated_count],
    ["Average rating", stats.average_rating ?? "–"], ["On the watchlist", stats.watchlist_count],
    ["Watched", stats.watched_count], ["Favorites in the last 30 days", stats.recent_count],
    ["Top genres", stats.top_genres.map((genre) => `${genre.name} (${genre.count})`).join(", ") || "–"],
  ];
  return h("table", {}, h("tbody", {}, rows.map(([name, value]) => h("tr", {}, h("th", { scope: "row" }, name), h("td", {}, String(value))))));
}

function form(label: string, submit: string, controls: HTMLElement[],
              send: (values: Record<string, string>) => Promise<void>): HTMLElement {
  return h("form", { class: "stack", "aria-label": label, onsubmit: (event: Event) => {
    event.preventDefault();
    send(formValues(event.target as HTMLFormElement)).catch((error: unknown) => say(problem(error), true));
  } }, controls, h("button", { type: "submit" }, submit));
}

function login(message = ""): View {
  if (message) say(message);
  return { title: "Log in", body: h("div", {}, h("h1", {}, "Log in"), form("Log in", "Log in", [
    field("Email", h("input", { type: "email", name: "email", required: true, autocomplete: "username" })),
    field("Password", h("input", { type: "password", name: "password", required: true, autocomplete: "current-password" })),
  ], async ({ email = "", password = "" }) => {
    const result = await nexus.login(email, password);
    renderNav();
    goTo("#/library", `Welcome, ${result.user.first_name || result.user.email}.`);
  }), h("p", {}, "No account yet? ", h("a", { href: "#/register" }, "Register"), ".")) };
}

function register(): View {
  return { title: "Register", body: h("div", {}, h("h1", {}, "Register"), form("Register", "Create account", [
    field("Email", h("input", { type: "email", name: "email", required: true, autocomplete: "email" })),
    field("Password (at least 10 characters, not all one kind)", h("input", {
      type: "password", name: "password", required: true, minlength: 10, autocomplete: "new-password" })),
    field("First name (optional)", h("input", { type: "text", name: "first_name", autocomplete: "given-name" })),
  ], async ({ email = "", password = "", first_name = "" }) => {
    const user = await must(nexus.api.POST("/api/v1/auth/register", { body: { email, password, first_name } }));
    goTo("#/login", `Welcome! We sent a verification link to ${user.email}: open it, then log in.`);
  })) };
}

async function verify(): Promise<View> {
  const token = new URLSearchParams(location.search).get("token") ?? "";
  await must(nexus.api.POST("/api/v1/auth/verify-email", { body: { token } }));
  return { title: "Email verified", body: h("div", {}, h("h1", {}, "Your email is verified"),
    h("p", {}, "Thank you. ", h("a", { href: "/#/login" }, "Log in"), " to keep favorites and a watchlist.")) };
}

function resetPassword(): View {
  const token = new URLSearchParams(location.search).get("token") ?? "";
  return { title: "Choose a new password", body: h("div", {}, h("h1", {}, "Choose a new password"),
    form("New password", "Set the new password", [
      field("New password (at least 10 characters, not all one kind)", h("input", {
        type: "password", name: "new_password", required: true, minlength: 10, autocomplete: "new-password" })),
    ], async ({ new_password = "" }) => {
      await must(nexus.api.POST("/api/v1/auth/password/reset/confirm", { body: { token, new_password } }));
      say("Your password is changed: log in with it.");
      history.replaceState(null, "", "/#/login");
      void go();
    })) };
}

// --- the event stream -----------------------------------------------------------------

/** The redraw comes once a burst of messages (an event, then the stats) is over. */
const REDRAW_AFTER_MS = 150;
let stream: EventStream | null = null;
let redraw: ReturnType<typeof setTimeout> | undefined;

/** Follows the stream while logged in (opened at login, closed at logout). */
function followChanges(): void {
  if (nexus.loggedIn && stream === null) {
    stream = nexus.streamEvents({
      onOpen: () => { document.body.dataset.stream = "open"; redrawLibrary(); },
      onMessage: changed,
      onClose: () => { delete document.body.dataset.stream; stream = null; },
    });
  } else if (!nexus.loggedIn && stream !== null) {
    stream.close();
  }
}

function changed(message: StreamMessage): void {
  const library = "aggregate" in message.data && message.data.aggregate === "library";
  if (library || message.event === "stats" || message.event === "reset") redrawLibrary();
}

/** Redraws the library page (when it is the one shown) with what changed. */
function redrawLibrary(): void {
  clearTimeout(redraw);
  redraw = setTimeout(() => {
    if (location.hash.startsWith("#/library")) void go();
  }, REDRAW_AFTER_MS);
}

// --- navigation -----------------------------------------------------------------------

function renderNav(): void {
  const links: [string, string][] = [["#/", "Discover"], ["#/search", "Search"]];
  const items = links.map(([href, text]) => h("li", {}, h("a", { href }, text)));
  if (nexus.loggedIn) {
    items.push(h("li", {}, h("a", { href: "#/library" }, "My library")),
               h("li", {}, h("button", { type: "button", onclick: () => {
                 void nexus.logout().then(() => { renderNav(); goTo("#/", "You are logged out."); });
               } }, "Log out")));
  } else {
    items.push(h("li", {}, h("a", { href: "#/login" }, "Log in")), h("li", {}, h("a", { href: "#/register" }, "Register")));
  }
  nav.replaceChildren(h("ul", {}, items));
}

function view(): View | Promise<View> {
  if (location.pathname === "/verify-email") return verify();
  if (location.pathname === "/reset-password") return resetPassword();
  const [path = "", query = ""] = location.hash.replace(/^#/, "").split("?");
  const movie = /^\/movie\/(\d+)$/.exec(path);
  if (movie?.[1]) return detail(Number(movie[1]));
  switch (path) {
    case "/search": return search(new URLSearchParams(query).get("q") ?? "");
    case "/library": return library();
    case "/login": return login();
    case "/register": return register();
    default: return home();
  }
}

async function go(): Promise<void> {
  renderNav();
  followChanges();
  try {
    const { title, body } = await view();
    document.title = `${title} · Movie Nexus`;
    main.replaceChildren(body);
  } catch (error) {
    say(problem(error), true);
    main.replaceChildren(h("h1", {}, "Something went wrong"), h("p", {}, problem(error)));
  }
}

window.addEventListener("hashchange", () => {
  say(next ?? "");
  next = null;
  void go().then(() => main.focus());
});
void go();
