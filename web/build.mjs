// Builds the web app into dist/: one bundled script (esbuild), the page, the style and
// the images, copied as they are. The API process serves dist/ (api/web_app.py).
import { build } from "esbuild";
import { cpSync, mkdirSync, rmSync } from "node:fs";

const here = new URL(".", import.meta.url).pathname;
rmSync(`${here}dist`, { recursive: true, force: true });
mkdirSync(`${here}dist`);
cpSync(`${here}static`, `${here}dist`, { recursive: true });
await build({
  entryPoints: [`${here}src/main.ts`],
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: true,
  outfile: `${here}dist/app.js`,
  logLevel: "warning",
});
console.log("web app built into web/dist");
