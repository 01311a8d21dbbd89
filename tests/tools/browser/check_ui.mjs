// Opens a running tailor-aggregator's web view (/ui) in Debian's headless Chromium and checks
// its rows and cells, sorting, filtering, that each row links to its workload's report page,
// no request beyond the view's own pages and no console error.
// Usage: node check_ui.mjs URL SCREENSHOT.png EXPECT.json
// EXPECT: {rows: [[namespace, workload, container, syscalls, replicas, nodes]...],
//          namespace: {ns: rows}, kind: {kind: rows}, text: {query: rows},
//          open: {workload, syscalls, screenshot}}
import { readFileSync } from 'node:fs';
import { run, text, shown_rows, check_sorting, check_filters } from './browser.mjs';

const [url, screenshot, expect_file] = process.argv.slice(2);
const expected = JSON.parse(readFileSync(expect_file, 'utf8'));
const origin = new URL(url).origin;

// The view's own pages are navigations to its origin; anything else, or any subresource, is not.
await run((u) => u.startsWith(origin + '/ui'), async (page, check) => {
  const subresources = [];
  page.on('request', (request) => { if (request.resourceType() !== 'document') subresources.push(request.url()); });
  const started = performance.now();
  await page.goto(url, { waitUntil: 'load' });
  const load_ms = Math.round(performance.now() - started);

  const table = '#workload-table';
  const cells = await page.$$eval(`${table} tbody tr`, (trs) => trs.map((tr) =>
    [...tr.cells].slice(0, 6).map((td) => td.textContent.trim())));
  check(JSON.stringify(cells) === JSON.stringify(expected.rows),
        `rows ${JSON.stringify(cells)}, expected ${JSON.stringify(expected.rows)}`);
  const lines = await page.locator(`${table} svg.spark path.line`).count();
  check(lines === expected.rows.length, `${lines} sparklines, expected ${expected.rows.length}`);

  await check_sorting(page, check, table);
  await check_filters(page, check, table, '#filter-text', '#shown', expected.text,
                      { '#filter-namespace': expected.namespace ?? {}, '#filter-kind': expected.kind ?? {} });
  check(await shown_rows(page, table) === expected.rows.length, 'clearing the filters does not show every row');
  await page.screenshot({ path: screenshot, fullPage: true });

  // A row opens its workload's report page.
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }),
                     page.click(`${table} a:text-is("${expected.open.workload}")`)]);
  check(await text(page, '#syscall-count') === String(expected.open.syscalls),
        `the report page shows ${await text(page, '#syscall-count')} syscalls, expected ${expected.open.syscalls}`);
  check(await shown_rows(page, '#syscalls') === expected.open.syscalls, 'the report page\'s table rows');
  await page.screenshot({ path: expected.open.screenshot, fullPage: true });
  check(subresources.length === 0, `subresource requests: ${subresources.join(' ')}`);
  return { load_ms };
});
