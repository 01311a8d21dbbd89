// Renders one report page (`tailor report --html`, or the aggregator's page of a workload) in
// Debian's headless Chromium and checks it as a person would use it: the numbers and rows,
// sorting by a header, filtering, no network request and no console error.
// Usage: node check_report.mjs PAGE.html SCREENSHOT.png EXPECT.json
// EXPECT: {syscalls, calls, warnings: [text...], text: {query: rows}, category: {name: rows},
//          process: {comm: rows}, literal: [text...],
//          full_page: bool}. Prints one JSON line with the load time; exits 1 naming what failed.
import { check_page_file, text, shown_rows, check_sorting, check_filters } from './browser.mjs';

await check_page_file(async (page, check, expected) => {
  check(await text(page, '#syscall-count') === String(expected.syscalls),
        `distinct syscalls ${await text(page, '#syscall-count')}, expected ${expected.syscalls}`);
  check(await text(page, '#call-count') === String(expected.calls),
        `calls ${await text(page, '#call-count')}, expected ${expected.calls}`);
  const rows = () => shown_rows(page, '#syscalls');
  check(await rows() === expected.syscalls, `${await rows()} table rows, expected ${expected.syscalls}`);
  check(await page.locator('#convergence svg path.line').count() === 1, 'no convergence line');
  check(await page.locator('#categories svg rect').count() === 8, 'not 8 category bars');

  const warning = await page.locator('#warnings').count() ? await text(page, '#warnings') : '';
  for (const line of expected.warnings) check(warning.includes(line), `no warning "${line}"`);
  if (!expected.warnings.length) check(warning === '', `unexpected warning: ${warning}`);
  const body = await page.textContent('body');
  for (const literal of expected.literal ?? []) check(body.includes(literal), `text "${literal}" not shown as text`);
  check(await page.locator('img, iframe, object, embed').count() === 0, 'report data became markup');

  await check_sorting(page, check, '#syscalls');
  await check_filters(page, check, '#syscalls', '#filter-text', '#shown', expected.text,
                      { '#filter-category': expected.category ?? {}, '#filter-process': expected.process ?? {} });
  check(await rows() === expected.syscalls, 'clearing the filters does not show every row');
});
