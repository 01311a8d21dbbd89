package main

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v3"
)

// renderOptions are what `helm template` takes from its flags.
type renderOptions struct {
	releaseName string
	namespace   string
	kubeVersion string
	apiVersions []string // beyond the built-in ones, as --api-versions
	cluster     cluster  // what lookup finds
}

// builtinAPIVersions is what `helm template` assumes a cluster serves when it
// has none to ask: the core Kubernetes group versions.
var builtinAPIVersions = []string{
	"v1", "admissionregistration.k8s.io/v1", "apiextensions.k8s.io/v1", "apiregistration.k8s.io/v1",
	"apps/v1", "authentication.k8s.io/v1", "authorization.k8s.io/v1", "autoscaling/v1", "autoscaling/v2",
	"batch/v1", "certificates.k8s.io/v1", "coordination.k8s.io/v1", "discovery.k8s.io/v1",
	"events.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1", "networking.k8s.io/v1", "node.k8s.io/v1",
	"policy/v1", "rbac.authorization.k8s.io/v1", "scheduling.k8s.io/v1", "storage.k8s.io/v1",
}

// apiVersions is .Capabilities.APIVersions.
type apiVersions []string

// Has is true for "group/version" or "group/version/Kind" when the group
// version is served (kinds are not tracked, as in helm template).
func (a apiVersions) Has(v string) bool {
	for _, s := range a {
		if s == v || strings.HasPrefix(v, s+"/") {
			return true
		}
	}
	return false
}

// manifest is one rendered object with where it came from.
type manifest struct {
	source string
	kind   string
	body   string
}

// installOrder is Helm's kind order for install; other kinds come after, by name.
var installOrder = []string{
	"PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy", "PodDisruptionBudget",
	"ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass", "PersistentVolume",
	"PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList",
	"ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList",
	"Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
	"HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
}

func kindRank(kind string) int {
	for i, k := range installOrder {
		if k == kind {
			return i
		}
	}
	return len(installOrder)
}

// render executes every template not starting with "_" (and not NOTES.txt)
// and returns the objects in Helm's install order, and the rendered notes.
func render(c *chart, values map[string]interface{}, opts renderOptions) ([]manifest, string, error) {
	chartName, _ := c.meta["Name"].(string)
	top := map[string]interface{}{
		"Values": values,
		"Chart":  c.meta,
		"Release": map[string]interface{}{
			"Name": opts.releaseName, "Namespace": opts.namespace, "Service": "Helm",
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Capabilities": map[string]interface{}{
			"KubeVersion": map[string]interface{}{
				"Version": opts.kubeVersion, "GitVersion": opts.kubeVersion,
				"Major": majorMinor(opts.kubeVersion, 0), "Minor": majorMinor(opts.kubeVersion, 1),
			},
			"APIVersions": apiVersions(append(append([]string{}, builtinAPIVersions...), opts.apiVersions...)),
		},
		"Files": c.files,
	}

	root := template.New(chartName)
	root.Funcs(funcMap(root, opts))
	// Helm's lenient mode: a missing key is empty, not an error.
	root.Option("missingkey=zero")
	names := make([]string, 0, len(c.templates))
	for name := range c.templates {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, err := root.New(path.Join(chartName, name)).Parse(c.templates[name]); err != nil {
			return nil, "", err
		}
	}

	var out []manifest
	notes := ""
	for _, name := range names {
		base := path.Base(name)
		if strings.HasPrefix(base, "_") {
			continue
		}
		full := path.Join(chartName, name)
		data := shallowCopy(top)
		data["Template"] = map[string]interface{}{"Name": full, "BasePath": path.Join(chartName, "templates")}
		var b strings.Builder
		if err := root.ExecuteTemplate(&b, full, data); err != nil {
			return nil, "", cleanError(err)
		}
		text := strings.ReplaceAll(b.String(), "<no value>", "")
		if base == "NOTES.txt" {
			notes = text
			continue
		}
		docs, err := splitDocuments(full, text)
		if err != nil {
			return nil, "", err
		}
		out = append(out, docs...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		ri, rj := kindRank(out[i].kind), kindRank(out[j].kind)
		if ri != rj {
			return ri < rj
		}
		if ri == len(installOrder) {
			return out[i].kind < out[j].kind
		}
		return false
	})
	return out, notes, nil
}

// splitDocuments cuts a rendered file at "---" lines, drops empty documents
// and checks each is YAML with a kind, as Helm does before installing.
func splitDocuments(source, text string) ([]manifest, error) {
	var out []manifest
	for _, doc := range strings.Split("\n"+text, "\n---") {
		body := strings.TrimSpace(doc)
		if body == "" || isOnlyComments(body) {
			continue
		}
		var head struct {
			Kind string `yaml:"kind"`
		}
		if err := yaml.Unmarshal([]byte(body), &head); err != nil {
			return nil, fmt.Errorf("YAML parse error on %s: %v", source, err)
		}
		if head.Kind == "" {
			return nil, fmt.Errorf("%s: an object has no kind", source)
		}
		out = append(out, manifest{source: source, kind: head.Kind, body: body})
	}
	return out, nil
}

func isOnlyComments(body string) bool {
	for _, line := range strings.Split(body, "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "#") {
			return false
		}
	}
	return true
}

func funcMap(root *template.Template, opts renderOptions) template.FuncMap {
	f := sprig.TxtFuncMap()
	// Helm removes these: a chart must not depend on the machine rendering it.
	delete(f, "env")
	delete(f, "expandenv")
	f["toYaml"] = toYAML
	f["fromYaml"] = fromYAML
	f["fromJson"] = fromJSON
	f["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return nil, errors.New(msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return nil, errors.New(msg)
		}
		return v, nil
	}
	f["fail"] = func(msg string) (string, error) { return "", errors.New(msg) }
	f["lookup"] = opts.cluster.lookup
	f["include"] = func(name string, data interface{}) (string, error) {
		var b strings.Builder
		err := root.ExecuteTemplate(&b, name, data)
		return b.String(), err
	}
	f["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err = t.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		if err := t.Execute(&b, data); err != nil {
			return "", err
		}
		return strings.ReplaceAll(b.String(), "<no value>", ""), nil
	}
	return f
}

// cleanError keeps the message of a fail/required call the way Helm shows it.
func cleanError(err error) error {
	return fmt.Errorf("%s", strings.TrimSpace(err.Error()))
}

func shallowCopy(m map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func majorMinor(version string, i int) string {
	parts := strings.SplitN(strings.TrimPrefix(version, "v"), ".", 3)
	if i < len(parts) {
		return parts[i]
	}
	return ""
}
