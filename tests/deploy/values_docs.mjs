// The values reference of docs/install.md against values.yaml:
//   node values_docs.mjs values.yaml            prints the table (key, default, description)
//   node values_docs.mjs values.yaml install.md  fails unless the doc's table has exactly those keys
// A key with a "# --" comment is documented (its value, map or not, is its default); a key
// without one must be a map whose keys are documented, so no value goes undescribed.
import { readFileSync } from "node:fs";
import { parseDocument, isMap, stringify } from "yaml";

const [valuesFile, docFile] = process.argv.slice(2);
const doc = parseDocument(readFileSync(valuesFile, "utf8"));
const rows = [];
const undocumented = [];

function visit(map, prefix) {
  map.items.forEach((pair, i) => {
    const key = `${prefix}${pair.key.value}`;
    // The yaml parser gives a map's first comment to the map, not to its first key.
    const comment = `${i === 0 ? map.commentBefore ?? "" : ""}\n${pair.key.commentBefore ?? ""}`;
    const at = comment.lastIndexOf(" --");
    if (at >= 0) {
      const text = comment.slice(at + 3).replace(/\n\s*/g, " ").trim();
      const value = stringify(pair.value?.toJSON?.() ?? pair.value, { flow: true }).trim();
      rows.push({ key, value, text });
    } else if (isMap(pair.value)) {
      visit(pair.value, `${key}.`);
    } else {
      undocumented.push(key);
    }
  });
}
visit(doc.contents, "");

if (undocumented.length) {
  console.error(`values.yaml keys without a "# --" description: ${undocumented.join(", ")}`);
  process.exit(1);
}
const escape = (s) => s.replace(/\|/g, "\\|");
if (!docFile) {
  for (const r of rows) console.log(`| \`${r.key}\` | \`${escape(r.value)}\` | ${escape(r.text)} |`);
  process.exit(0);
}
// Only the "## Values" section: other tables also start rows with a code span.
const section = readFileSync(docFile, "utf8").split(/^## /m).find((s) => s.startsWith("Values\n")) ?? "";
const documented = new Set([...section.matchAll(/^\| `([A-Za-z0-9_.]+)` \|/gm)].map((m) => m[1]));
const keys = new Set(rows.map((r) => r.key));
const missing = [...keys].filter((k) => !documented.has(k));
const stale = [...documented].filter((k) => !keys.has(k));
if (missing.length || stale.length) {
  if (missing.length) console.error(`not in ${docFile}: ${missing.join(", ")}`);
  if (stale.length) console.error(`in ${docFile} but not in values.yaml: ${stale.join(", ")}`);
  console.error("regenerate the table: docs/install.md, section Values, says how");
  process.exit(1);
}
console.log(`values reference: ${keys.size} keys, all documented`);
