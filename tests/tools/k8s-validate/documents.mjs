// Reads `---` separated YAML streams (helm template output) into objects with their source.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

export function readDocuments(files) {
  const out = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
      const object = doc.toJS();
      if (object === null || object === undefined) continue;
      const comments = `${doc.commentBefore ?? ""}\n${doc.contents?.commentBefore ?? ""}`;
      const source = /Source: (\S+)/.exec(comments)?.[1] ?? file;
      out.push({ source, object });
    }
  }
  return out;
}

export function describe({ object, source }) {
  const ns = object.metadata?.namespace ? `${object.metadata.namespace}/` : "";
  return `${object.kind} ${ns}${object.metadata?.name} (${source})`;
}
