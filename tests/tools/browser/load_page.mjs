// The load time of one page in Debian's headless Chromium, as check_report.mjs measures it
// (setContent until the load event), for bench/. Usage: node load_page.mjs PAGE.html
// Prints {"load_ms": N, "failures": []}; a request or console error is a failure.
import { readFileSync } from 'node:fs';
import { run } from './browser.mjs';

const html = readFileSync(process.argv[2], 'utf8');
await run(() => false, async (page) => {
  const started = performance.now();
  await page.setContent(html, { waitUntil: 'load' });
  return { load_ms: Math.round(performance.now() - started) };
});
