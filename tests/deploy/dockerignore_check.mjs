// The image build's context as Docker makes it from .dockerignore (@balena/dockerignore,
// Docker's own matching rules):
//   node dockerignore_check.mjs SOURCE_DIR COPY_DIR
// copies the files Docker would send into COPY_DIR, prints their count and size, and fails if
// the context holds a path it must not (a build tree, .git, node_modules) or exceeds 64 MiB.
import ignore from "@balena/dockerignore";
import { readFileSync, readdirSync, statSync, mkdirSync, copyFileSync, lstatSync, symlinkSync, readlinkSync } from "node:fs";
import { join, dirname } from "node:path";

const [source, copy] = process.argv.slice(2);
const patterns = readFileSync(join(source, ".dockerignore"), "utf8");
const ig = ignore().add(patterns);
// What "!" patterns bring back, without the "!" and a trailing "/".
const negations = patterns.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("!"))
  .map((l) => l.slice(1).replace(/\/+$/, ""));
// A directory Docker leaves out is walked only when a "!" pattern could bring back
// something in it.
const mayBringBack = (dir) => negations.some((n) => n === dir || n.startsWith(`${dir}/`) || n.startsWith("*"));

const files = [];
function walk(rel) {
  for (const entry of readdirSync(join(source, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (ig.ignores(path) && !mayBringBack(path)) continue;
      walk(path);
    } else if (!ig.ignores(path)) {
      files.push(path);
    }
  }
}
walk("");

const problems = [];
// Paths a build machine has that must never reach the builder.
for (const path of ["build/CMakeCache.txt", "build-asan/x", ".git/config", "out/demo/sample.report.json",
                    "tests/tools/k8s-validate/node_modules/yaml/package.json", "docs/install.md",
                    "deploy/helm/tailor/values.yaml"]) {
  if (!ig.ignores(path)) problems.push(`${path} would be sent to the builder`);
}
let bytes = 0;
for (const path of files) {
  const target = join(copy, path);
  mkdirSync(dirname(target), { recursive: true });
  const stat = lstatSync(join(source, path));
  if (stat.isSymbolicLink()) symlinkSync(readlinkSync(join(source, path)), target);
  else copyFileSync(join(source, path), target);
  bytes += stat.size;
}
if (bytes > 64 << 20) problems.push(`the context is ${bytes} bytes, more than 64 MiB`);
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`context: ${files.length} files, ${(bytes / 1048576).toFixed(1)} MiB`);
