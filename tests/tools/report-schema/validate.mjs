// Validates report files against docs/report.schema.json with ajv (JSON Schema 2020-12):
//   NODE_DIR=<dir with node_modules/ajv> node validate.mjs schema.json report.json...
// Prints one line per invalid file with ajv's errors; exit 1 if any is invalid, 2 on a bad schema.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";

const require = createRequire(`${resolve(process.env.NODE_DIR ?? ".")}/`);
const Ajv2020 = require("ajv/dist/2020").default;

const [schemaFile, ...reports] = process.argv.slice(2);
const ajv = new Ajv2020({ strict: true, allErrors: true });
let validate;
try {
  validate = ajv.compile(JSON.parse(readFileSync(schemaFile, "utf8")));
} catch (e) {
  console.log(`${schemaFile}: ${e.message}`);
  process.exit(2);
}
let invalid = 0;
for (const file of reports) {
  if (validate(JSON.parse(readFileSync(file, "utf8")))) continue;
  invalid++;
  console.log(`${file}: ${validate.errors.map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ")}`);
}
process.exit(invalid ? 1 : 0);
