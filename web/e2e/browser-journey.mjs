// The web app's whole journey in Debian's Chromium, headless, driven by playwright-core
// (no browser download: CHROMIUM names the executable). Run by
// tests/contract/test_web_app.py, which answers on stdin with the verification link the
// SMTP sink received when this script prints `MAIL <address>`.
//
// A second tab, logged in as the same person, shows the first tab's favorite on its
// library page without a reload (the event stream, GET /me/events).
// Posters are refused (as offline, or with the bundled TMDb server): the placeholder shows.
// axe-core checks the main pages; a serious or critical violation fails the run.
// Screenshots go to SCREENSHOTS (var/web-app by default).
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { createInterface } from "node:readline";
import axe from "axe-core";
import { chromium } from "playwright-core";

const BASE = process.env.BASE_URL;
const SHOTS = process.env.SCREENSHOTS ?? "var/web-app";
const PASSWORD = "Popcorn-2026!";
mkdirSync(SHOTS, { recursive: true });
const stdin = createInterface({ input: process.stdin });
const lines = stdin[Symbol.asyncIterator]();

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
});
const problems = [];
const axeFigures = {};
try {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  await context.route(/^https:\/\/image\.tmdb\.org\//, (route) => route.abort());
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on("console", (message) => {
    if (message.type() === "error" && !/Failed to load resource/.test(message.text())) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  await journey(page, context).catch(async (error) => {
    await shot(page, "failure").catch(() => undefined);
    throw error;
  });
  assert.deepEqual(problems, [], "no script error and no CSP violation");
  console.log(`axe (serious+critical / all violations): ${JSON.stringify(axeFigures)}`);
  console.log("journey: ok");
} finally {
  await browser.close();
  stdin.close();
}

async function accessible(page, name) {
  await page.evaluate(axe.source);
  const result = await page.evaluate(() => globalThis.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  axeFigures[name] = `${bad.length}/${result.violations.length}`;
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(" ")})`), [],
                   `accessibility of ${name}`);
}

async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
}

async function status(page, text) {
  await page.getByRole("status").filter({ hasText: text }).waitFor();
}

/** A second tab logged in as the same person, on its library page, its stream open. */
async function secondTab(context, email) {
  const other = await context.newPage();
  other.setDefaultTimeout(30_000);
  other.on("pageerror", (error) => problems.push(`page error (second tab): ${error.message}`));
  await other.goto(`${BASE}/#/login`);
  await other.getByLabel("Email").fill(email);
  await other.getByLabel("Password").fill(PASSWORD);
  await other.getByRole("button", { name: "Log in" }).last().click();
  await other.getByRole("heading", { name: "Your library" }).waitFor();
  await other.getByText("No favorites yet").waitFor();
  await other.locator("body[data-stream=open]").waitFor();
  return other;
}

async function journey(page, context) {
  // Browse: trending and the four curated lists, with placeholders for the posters.
  await page.goto(`${BASE}/`);
  await page.getByRole("heading", { name: "Discover movies" }).waitFor();
  for (const list of ["Trending", "Popular", "Top rated", "Now playing", "Upcoming"]) {
    await page.getByRole("region", { name: list }).waitFor();
  }
  const popular = page.getByRole("region", { name: "Popular" });
  await popular.locator(".card").first().waitFor();
  await page.waitForFunction(() => [...document.images].some((img) => img.complete && img.src.endsWith("/placeholder.svg")));
  const firstTitle = (await popular.locator(".card .title").first().textContent()).trim();
  await page.getByRole("button", { name: "This week" }).click();
  assert.equal(await page.getByRole("button", { name: "This week" }).getAttribute("aria-pressed"), "true");
  await accessible(page, "home");
  await shot(page, "home");

  // Keyboard only: the skip link, then the search box, a typo, Enter.
  await page.goto(`${BASE}/`);
  await page.getByRole("heading", { name: "Discover movies" }).waitFor();
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
  await page.getByLabel("Search movies").focus();
  await page.keyboard.type(typo(firstTitle));
  await page.keyboard.press("Enter");
  await page.getByText(/results for/).waitFor();
  await page.locator(".card .title", { hasText: firstTitle }).first().waitFor();
  await accessible(page, "search");

  // A movie's detail, before logging in.
  await page.locator(".card a", { hasText: firstTitle }).first().click();
  await page.getByRole("heading", { level: 1, name: firstTitle }).waitFor();
  await page.getByText("to keep it as a favorite").waitFor();
  const movieUrl = page.url();
  await accessible(page, "detail");

  // Register, verify through the emailed link, log in.
  const email = `web-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  await page.getByRole("link", { name: "Register" }).first().click();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel(/^Password/).fill(PASSWORD);
  await page.getByLabel("First name (optional)").fill("Ada");
  await accessible(page, "register");
  await page.getByRole("button", { name: "Create account" }).click();
  await status(page, "verification link");
  console.log(`MAIL ${email}`);
  const link = new URL((await lines.next()).value.trim());
  await page.goto(`${BASE}${link.pathname}${link.search}`);
  await page.getByRole("heading", { name: "Your email is verified" }).waitFor();
  await page.getByRole("link", { name: "Log in" }).last().click();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await accessible(page, "login");
  await page.getByRole("button", { name: "Log in" }).last().click();
  await page.getByRole("heading", { name: "Your library" }).waitFor();

  // Favorites with a rating and notes, the watchlist, watched; the second tab follows.
  const other = await secondTab(context, email);
  await page.goto(movieUrl);
  await page.getByLabel("Your rating (1–10)").selectOption("8");
  await page.getByLabel("Notes").fill("Loved the ending.");
  await page.getByRole("button", { name: "Add to favorites" }).click();
  await status(page, "Saved to your favorites.");
  await other.getByText("rating 8 · “Loved the ending.”").waitFor({ timeout: 10_000 });
  const otherStats = other.getByRole("region", { name: "Stats" });
  await otherStats.locator("tr", { hasText: /^Favorites1$/ }).waitFor({ timeout: 10_000 });
  await shot(other, "second-tab");
  await other.close();
  await page.getByRole("heading", { name: "One of your favorites" }).waitFor();
  assert.equal(await page.getByLabel("Your rating (1–10)").inputValue(), "8");
  await page.getByRole("button", { name: "Add to watchlist" }).click();
  await status(page, "Added to your watchlist.");
  await page.getByRole("button", { name: "Mark watched" }).click();
  await page.getByRole("heading", { name: "On your watchlist: watched" }).waitFor();
  await accessible(page, "detail (logged in)");
  await shot(page, "detail");

  // Stats and recommendations with their reasons (they follow within seconds).
  await page.getByRole("link", { name: "My library" }).click();
  await page.getByRole("heading", { name: "Your library" }).waitFor();
  const stats = page.getByRole("region", { name: "Stats" });
  const figure = (name) => stats.locator("tr", { has: page.locator("th", { hasText: new RegExp(`^${name}$`) }) })
    .locator("td").textContent();
  assert.equal(await figure("Favorites"), "1");
  assert.equal(await figure("Watched"), "1");
  await page.getByText("rating 8 · “Loved the ending.”").waitFor();
  await page.getByText(`${firstTitle} · watched`).waitFor();
  for (let tries = 0; !(await page.locator(".reasons li").count()); tries++) {
    assert.ok(tries < 60, "recommendations with reasons appear");
    await page.waitForTimeout(500);
    await page.reload();
    await page.getByRole("heading", { name: "Your library" }).waitFor();
  }
  await accessible(page, "library");
  await shot(page, "library");

  await page.getByRole("button", { name: "Log out" }).click();
  await status(page, "You are logged out.");
  await page.getByRole("link", { name: "Log in" }).first().waitFor();
}

/** The title with one letter of its longest word left out (a typo search must forgive). */
function typo(title) {
  const words = title.split(" ");
  const longest = words.reduce((a, b) => (b.length > a.length ? b : a));
  const at = Math.floor(longest.length / 2);
  return words.map((w) => (w === longest && w.length > 4 ? w.slice(0, at) + w.slice(at + 1) : w)).join(" ");
}
