// Validates every object of rendered manifests offline, and fails on any it cannot check:
//   node validate.mjs [--crd crd.yaml]... manifests.yaml...
// Built-in kinds against kubernetes-models (the Kubernetes OpenAPI schemas), cert-manager and
// Prometheus Operator kinds against their @kubernetes-models packages, and kinds of the given
// CRDs (e.g. SPO's SeccompProfile) against the CRD's openAPIV3Schema for that version and scope.
import Ajv from "ajv";
import { readDocuments, describe } from "./documents.mjs";

const args = process.argv.slice(2);
const crdFiles = [];
const inputs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--crd") crdFiles.push(args[++i]);
  else inputs.push(args[i]);
}

// CRD kinds: "group/version/Kind" -> {validate, scope}.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const crdKinds = new Map();
for (const { object: crd } of readDocuments(crdFiles)) {
  if (crd.kind !== "CustomResourceDefinition") throw new Error(`${crd.metadata?.name}: not a CRD`);
  for (const version of crd.spec.versions) {
    if (!version.served) continue;
    crdKinds.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, {
      validate: ajv.compile(version.schema.openAPIV3Schema),
      scope: crd.spec.scope,
    });
  }
}

const packages = [
  { groups: /\.cert-manager\.io$|^cert-manager\.io$/, module: "@kubernetes-models/cert-manager" },
  { groups: /^monitoring\.coreos\.com$/, module: "@kubernetes-models/prometheus-operator" },
];

async function builtinModel(apiVersion, kind) {
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  const pkg = packages.find((p) => p.groups.test(group))?.module ?? "kubernetes-models";
  try {
    return (await import(`${pkg}/${apiVersion}/${kind}`))[kind];
  } catch (e) {
    if (e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED" || e.code === "ERR_MODULE_NOT_FOUND") return null;
    throw e;
  }
}

async function check(object) {
  const { apiVersion, kind } = object;
  if (!apiVersion || !kind) return ["no apiVersion or kind"];
  if (!object.metadata?.name) return ["no metadata.name"];
  const crd = crdKinds.get(`${apiVersion}/${kind}`);
  if (crd) {
    const errors = [];
    if (crd.scope === "Cluster" && object.metadata.namespace) errors.push("cluster-scoped, but has a namespace");
    if (!crd.validate(object)) {
      for (const e of crd.validate.errors) errors.push(`${e.instancePath || "/"} ${e.message}`);
    }
    return errors;
  }
  const Model = await builtinModel(apiVersion, kind);
  if (!Model) return [`no schema known for ${apiVersion} ${kind} (pass its CRD with --crd)`];
  try {
    new Model(object).validate();
    return [];
  } catch (e) {
    return [e.message];
  }
}

let failed = 0;
const documents = readDocuments(inputs);
for (const document of documents) {
  const errors = await check(document.object);
  if (errors.length > 0) {
    failed++;
    console.error(`INVALID ${describe(document)}:\n  ${errors.join("\n  ")}`);
  } else {
    console.log(`valid ${describe(document)}`);
  }
}
if (documents.length === 0) {
  console.error("no objects to validate");
  process.exit(1);
}
console.log(`${documents.length - failed}/${documents.length} objects valid`);
process.exit(failed > 0 ? 1 : 0);
