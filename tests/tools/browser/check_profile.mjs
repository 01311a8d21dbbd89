// Renders one `tailor profile --html` page in Debian's headless Chromium and checks its
// numbers and rows, the removed security-sensitive calls, sorting, filtering, no network
// request and no console error.
// Usage: node check_profile.mjs PAGE.html SCREENSHOT.png EXPECT.json
// EXPECT: {allowed, recorded, added, rows, row: {name: {reason, arguments}},
//          removed: [name...], not_removed: [name...], reason: {value: rows}, category: {name: rows},
//          text: {query: rows}, warnings: [text...]}
import { check_page_file, text, shown_rows, check_sorting, check_filters } from './browser.mjs';

await check_page_file(async (page, check, expected) => {
  for (const id of ['allowed', 'recorded', 'added']) {
    const shown = await text(page, `#${id}-count`);
    check(shown === String(expected[id]), `${id} ${shown}, expected ${expected[id]}`);
  }
  const table = '#profile-syscalls';
  check(await shown_rows(page, table) === expected.rows, `${await shown_rows(page, table)} rows, expected ${expected.rows}`);
  const cells = await page.$$eval(`${table} tbody tr`, (trs) => Object.fromEntries(trs.map((tr) =>
    [tr.cells[0].dataset.v, { reason: tr.dataset.reason, arguments: tr.cells[5].textContent }])));
  for (const [name, want] of Object.entries(expected.row ?? {})) {
    const got = cells[name];
    check(got && got.reason === want.reason && (want.arguments === undefined || got.arguments === want.arguments),
          `row ${name}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  }
  const removed = await page.$$eval('#removed-calls tbody tr', (trs) => trs.map((tr) => tr.cells[0].dataset.v));
  for (const name of expected.removed) check(removed.includes(name), `${name} not among the removed calls`);
  for (const name of expected.not_removed ?? []) check(!removed.includes(name), `${name}, which the profile allows, among the removed calls`);
  check(await page.locator('#against tbody tr').count() >= 3, 'fewer than three defaults compared');
  const warning = await page.locator('.warning').count() ? (await page.locator('.warning').allTextContents()).join(' ') : '';
  for (const line of expected.warnings ?? []) check(warning.includes(line), `no warning "${line}"`);

  await check_sorting(page, check, table);
  await check_sorting(page, check, '#removed-calls');
  await check_filters(page, check, table, '#filter-text', '#shown', expected.text,
                      { '#filter-reason': expected.reason ?? {}, '#filter-category': expected.category ?? {} });
  check(await shown_rows(page, table) === expected.rows, 'clearing the filters does not show every row');
});
