// Renders one `tailor report --html` page in Debian's headless Chromium and checks it as a person
// would use it: the numbers and rows, sorting by a header, filtering, no network request and no
// console error. Usage: node check_report.mjs PAGE.html SCREENSHOT.png EXPECT.json
// EXPECT: {syscalls, calls, warnings: [text...], text: {query: rows}, category: {name: rows},
//          process: {comm: rows}, literal: [text...],
//          full_page: bool}. Prints one JSON line with the load time; exits 1 naming what failed.
import { chromium } from 'playwright-core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [page_file, screenshot, expect_file] = process.argv.slice(2);
const expected = JSON.parse(readFileSync(expect_file, 'utf8'));
const html = readFileSync(page_file, 'utf8');
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };

const profile = mkdtempSync(join(tmpdir(), 'tailor-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = context.pages()[0] ?? await context.newPage();
  const requests = [], errors = [];
  const local = (url) => url.startsWith('data:') || url.startsWith('about:');
  page.on('request', (request) => { if (!local(request.url())) requests.push(request.url()); });
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (local(url)) return route.continue();
    requests.push(url);
    return route.abort();
  });
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('pageerror', (error) => errors.push(error.message));

  const started = performance.now();
  await page.setContent(html, { waitUntil: 'load' });
  const load_ms = Math.round(performance.now() - started);

  const text = async (selector) => (await page.textContent(selector))?.trim();
  check(await text('#syscall-count') === String(expected.syscalls),
        `distinct syscalls ${await text('#syscall-count')}, expected ${expected.syscalls}`);
  check(await text('#call-count') === String(expected.calls),
        `calls ${await text('#call-count')}, expected ${expected.calls}`);
  const rows = () => page.locator('#syscalls tbody tr:not([hidden])').count();
  check(await rows() === expected.syscalls, `${await rows()} table rows, expected ${expected.syscalls}`);
  check(await page.locator('#convergence svg path.line').count() === 1, 'no convergence line');
  check(await page.locator('#categories svg rect').count() === 8, 'not 8 category bars');

  const warning = await page.locator('#warnings').count() ? await text('#warnings') : '';
  for (const line of expected.warnings) check(warning.includes(line), `no warning "${line}"`);
  if (!expected.warnings.length) check(warning === '', `unexpected warning: ${warning}`);
  const body = await page.textContent('body');
  for (const literal of expected.literal ?? []) check(body.includes(literal), `text "${literal}" not shown as text`);
  check(await page.locator('img, iframe, object, embed').count() === 0, 'report data became markup');

  // Sorting: every column header orders the rows ascending, then descending on a second click.
  const headers = await page.locator('#syscalls thead th').count();
  for (let i = 0; i < headers; i++) {
    const header = page.locator('#syscalls thead th').nth(i);
    const numeric = await header.evaluate((th) => th.classList.contains('num'));
    for (const dir of ['ascending', 'descending']) {
      await header.click();
      const keys = await page.$$eval('#syscalls tbody tr', (trs, i) => trs.map((tr) => tr.cells[i].dataset.v), i);
      const sorted = [...keys].sort((a, b) => {
        const [x, y] = numeric ? [Number(a), Number(b)] : [a, b];
        return x < y ? -1 : x > y ? 1 : 0;
      });
      if (dir === 'descending') sorted.reverse();
      check(JSON.stringify(keys) === JSON.stringify(sorted), `column ${i} not sorted ${dir}`);
      check(await header.getAttribute('aria-sort') === dir, `column ${i} not marked ${dir}`);
    }
  }

  // Filtering: the shown rows are exactly the matching ones, and the count says so.
  const shown = async () => Number(await text('#shown'));
  for (const [query, count] of Object.entries(expected.text ?? {})) {
    await page.fill('#filter-text', query);
    const visible = await page.$$eval('#syscalls tbody tr', (trs, q) => trs.filter((tr) => !tr.hidden)
      .every((tr) => tr.textContent.toLowerCase().includes(q.toLowerCase())), query);
    check(visible, `rows not matching "${query}" shown`);
    check(await rows() === count && await shown() === count, `"${query}": ${await rows()} rows, expected ${count}`);
  }
  await page.fill('#filter-text', '');
  for (const [name, count] of Object.entries(expected.category ?? {})) {
    await page.selectOption('#filter-category', name);
    check(await rows() === count && await shown() === count, `category ${name}: ${await rows()} rows, expected ${count}`);
  }
  await page.selectOption('#filter-category', '');
  for (const [comm, count] of Object.entries(expected.process ?? {})) {
    await page.selectOption('#filter-process', comm);
    check(await rows() === count && await shown() === count, `process ${comm}: ${await rows()} rows, expected ${count}`);
  }
  await page.selectOption('#filter-process', '');
  check(await rows() === expected.syscalls, 'clearing the filters does not show every row');

  await page.screenshot({ path: screenshot, fullPage: expected.full_page ?? true });
  check(requests.length === 0, `network requests: ${requests.join(' ')}`);
  check(errors.length === 0, `console errors: ${errors.join(' | ')}`);
  console.log(JSON.stringify({ load_ms, failures }));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failures.length ? 1 : 0);
