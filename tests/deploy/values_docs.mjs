// The values reference in the chart's README.md, generated from values.schema.json (each
// key's description and type) and values.yaml (its default):
//   node values_docs.mjs CHART_DIR            prints the table
//   node values_docs.mjs CHART_DIR --write    puts it into README.md between the markers
//   node values_docs.mjs CHART_DIR --check    fails when README.md's table is stale, or a key
//                                             of values.yaml has no description in the schema
// A schema property with a description is one row (its value, map or not, is its default); one
// without must have properties that do, so no value goes undescribed.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";

const [chartDir, mode] = process.argv.slice(2);
const schema = JSON.parse(readFileSync(join(chartDir, "values.schema.json"), "utf8"));
const values = parse(readFileSync(join(chartDir, "values.yaml"), "utf8"));
const readmeFile = join(chartDir, "README.md");
const begin = "<!-- values: generated from values.schema.json by tests/deploy/values_docs.mjs -->";
const end = "<!-- end of values -->";
const problems = [];

const rows = [];
function typeOf(node) {
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(", ");
  if (node.oneOf) return node.oneOf.map(typeOf).join(" or ");
  return node.type ?? "any";
}
function visitSchema(node, path, value) {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const keyPath = [...path, key];
    const childValue = value?.[key];
    if (child.description) {
      if (childValue === undefined) problems.push(`${keyPath.join(".")} is described but not in values.yaml`);
      const shown = stringify(childValue ?? null, { flow: true }).trim();
      rows.push({ key: keyPath.join("."), type: typeOf(child), value: shown, text: child.description });
    } else if (child.properties) {
      visitSchema(child, keyPath, childValue);
    } else {
      problems.push(`${keyPath.join(".")} has no description in values.schema.json`);
    }
  }
}
function visitValues(value, node, path) {
  for (const [key, child] of Object.entries(value ?? {})) {
    const keyPath = [...path, key];
    const described = node?.properties?.[key];
    if (described?.description) continue;
    if (child && typeof child === "object" && !Array.isArray(child)) visitValues(child, described, keyPath);
    else problems.push(`values.yaml key ${keyPath.join(".")} has no description in values.schema.json`);
  }
}
visitSchema(schema, [], values);
visitValues(values, schema, []);

const escape = (s) => s.replace(/\|/g, "\\|");
const table = [
  "| Key | Type | Default | Description |",
  "|---|---|---|---|",
  ...rows.map((r) => `| \`${r.key}\` | ${escape(r.type)} | \`${escape(r.value)}\` | ${escape(r.text)} |`),
].join("\n");

if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
if (!mode) {
  console.log(table);
  process.exit(0);
}
const readme = readFileSync(readmeFile, "utf8");
const from = readme.indexOf(begin);
const to = readme.indexOf(end);
if (from < 0 || to < from) {
  console.error(`${readmeFile} lacks the markers ${begin} ... ${end}`);
  process.exit(1);
}
const updated = `${readme.slice(0, from + begin.length)}\n${table}\n${readme.slice(to)}`;
if (mode === "--write") {
  writeFileSync(readmeFile, updated);
  console.log(`wrote ${rows.length} values into ${readmeFile}`);
} else if (updated !== readme) {
  console.error(`${readmeFile} is stale: regenerate its values table with`);
  console.error("  (cd build/tests/deploy/node && node values_docs.mjs \"$OLDPWD/deploy/helm/tailor\" --write)");
  process.exit(1);
} else {
  console.log(`values reference: ${rows.length} keys, all described, README.md current`);
}
