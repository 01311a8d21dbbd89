// What the page checks share: Debian's headless Chromium through playwright-core, a page that
// records every request beyond itself and every console error, and the table checks.
import { chromium } from 'playwright-core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Runs `body(page, check)` in a fresh browser; `allowed(url)` says which requests are the
// page's own (a served page's navigations). Prints one JSON line {load_ms, failures, ...extra}
// and exits 1 when anything failed.
export async function run(allowed, body) {
  const failures = [];
  const check = (ok, what) => { if (!ok) failures.push(what); };
  const profile = mkdtempSync(join(tmpdir(), 'tailor-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  let extra = {};
  try {
    const page = context.pages()[0] ?? await context.newPage();
    const requests = [], errors = [];
    const local = (url) => url.startsWith('data:') || url.startsWith('about:') || allowed(url);
    page.on('request', (request) => { if (!local(request.url())) requests.push(request.url()); });
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (local(url)) return route.continue();
      requests.push(url);
      return route.abort();
    });
    page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
    page.on('pageerror', (error) => errors.push(error.message));
    extra = await body(page, check) ?? {};
    check(requests.length === 0, `network requests: ${requests.join(' ')}`);
    check(errors.length === 0, `console errors: ${errors.join(' | ')}`);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  console.log(JSON.stringify({ ...extra, failures }));
  process.exit(failures.length ? 1 : 0);
}

// The scripts that check one saved page: `node SCRIPT PAGE.html SCREENSHOT.png EXPECT.json`.
// Loads the page, runs `checks(page, check, expected)`, takes the full-page screenshot (unless
// EXPECT says full_page: false) and prints the load time.
export async function check_page_file(checks) {
  const [page_file, screenshot, expect_file] = process.argv.slice(2);
  const expected = JSON.parse(readFileSync(expect_file, 'utf8'));
  const html = readFileSync(page_file, 'utf8');
  await run(() => false, async (page, check) => {
    const started = performance.now();
    await page.setContent(html, { waitUntil: 'load' });
    const load_ms = Math.round(performance.now() - started);
    await checks(page, check, expected);
    await page.screenshot({ path: screenshot, fullPage: expected.full_page ?? true });
    return { load_ms };
  });
}

export const text = async (page, selector) => (await page.textContent(selector))?.trim();

// The rows of `table` (a selector) not hidden by a filter.
export const shown_rows = (page, table) => page.locator(`${table} tbody tr:not([hidden])`).count();

// Every column header orders the rows ascending, then descending on a second click.
export async function check_sorting(page, check, table) {
  const headers = await page.locator(`${table} thead th`).count();
  for (let i = 0; i < headers; i++) {
    const header = page.locator(`${table} thead th`).nth(i);
    const numeric = await header.evaluate((th) => th.classList.contains('num'));
    for (const dir of ['ascending', 'descending']) {
      await header.click();
      const keys = await page.$$eval(`${table} tbody tr`, (trs, i) => trs.map((tr) => tr.cells[i].dataset.v), i);
      const sorted = [...keys].sort((a, b) => {
        const [x, y] = numeric ? [Number(a), Number(b)] : [a, b];
        return x < y ? -1 : x > y ? 1 : 0;
      });
      if (dir === 'descending') sorted.reverse();
      check(JSON.stringify(keys) === JSON.stringify(sorted), `${table} column ${i} not sorted ${dir}`);
      check(await header.getAttribute('aria-sort') === dir, `${table} column ${i} not marked ${dir}`);
    }
  }
}

// Searching for each query shows exactly the rows holding it, and the count says so; each
// drop-down value of `selects` ({select selector: {value: rows}}) shows its rows.
export async function check_filters(page, check, table, search, shown, queries, selects) {
  const rows = () => shown_rows(page, table);
  const count = async () => Number(await text(page, shown));
  for (const [query, n] of Object.entries(queries ?? {})) {
    await page.fill(search, query);
    const matching = await page.$$eval(`${table} tbody tr`, (trs, q) => trs.filter((tr) => !tr.hidden)
      .every((tr) => tr.textContent.toLowerCase().includes(q.toLowerCase())), query);
    check(matching, `rows not matching "${query}" shown`);
    check(await rows() === n && await count() === n, `"${query}": ${await rows()} rows, expected ${n}`);
  }
  await page.fill(search, '');
  for (const [select, values] of Object.entries(selects ?? {})) {
    for (const [value, n] of Object.entries(values)) {
      await page.selectOption(select, value);
      check(await rows() === n && await count() === n, `${select} ${value}: ${await rows()} rows, expected ${n}`);
    }
    await page.selectOption(select, '');
  }
}
