package main

import (
	"encoding/base64"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v3"
)

// chart is a chart directory as Helm's loader sees it.
type chart struct {
	meta      map[string]interface{} // Chart.yaml as .Chart exposes it (Name, Version, AppVersion...)
	values    map[string]interface{} // values.yaml
	schema    []byte                 // values.schema.json, nil when absent
	templates map[string]string      // "templates/x.yaml" -> text
	files     files                  // everything else, for .Files
}

func loadChart(dir string) (*chart, error) {
	c := &chart{templates: map[string]string{}, files: files{}}
	raw, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, err
	}
	var meta map[string]interface{}
	if err := yaml.Unmarshal(raw, &meta); err != nil {
		return nil, fmt.Errorf("Chart.yaml: %v", err)
	}
	if meta["apiVersion"] != "v2" {
		return nil, fmt.Errorf("Chart.yaml: apiVersion must be v2, is %v", meta["apiVersion"])
	}
	for _, key := range []string{"name", "version"} {
		if s, _ := meta[key].(string); s == "" {
			return nil, fmt.Errorf("Chart.yaml: %s is required", key)
		}
	}
	c.meta = chartObject(meta)

	c.values = map[string]interface{}{}
	if raw, err := os.ReadFile(filepath.Join(dir, "values.yaml")); err == nil {
		if c.values, err = parseValues(raw); err != nil {
			return nil, fmt.Errorf("values.yaml: %v", err)
		}
	}
	if raw, err := os.ReadFile(filepath.Join(dir, "values.schema.json")); err == nil {
		c.schema = raw
	}

	ignore, err := loadHelmignore(dir)
	if err != nil {
		return nil, err
	}
	err = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if ignore.matches(rel, info.IsDir()) {
			if info.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if info.IsDir() {
			if rel == "charts" {
				return fmt.Errorf("subcharts (charts/) are not supported by this renderer")
			}
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(rel, "templates/"):
			c.templates[rel] = string(data)
		case rel == "Chart.yaml" || rel == "values.yaml" || rel == "values.schema.json":
		default:
			c.files[rel] = data
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// chartObject capitalises Chart.yaml's keys the way Helm's chart.Metadata does.
func chartObject(meta map[string]interface{}) map[string]interface{} {
	out := map[string]interface{}{}
	for k, v := range meta {
		switch k {
		case "apiVersion":
			out["APIVersion"] = v
		case "kubeVersion":
			out["KubeVersion"] = v
		case "appVersion":
			out["AppVersion"] = v
		default:
			out[strings.ToUpper(k[:1])+k[1:]] = v
		}
	}
	return out
}

// helmignore holds .helmignore's patterns: shell globs on the path or the base
// name, a trailing "/" for directories only. Negations are not supported.
type helmignore []string

func loadHelmignore(dir string) (helmignore, error) {
	raw, err := os.ReadFile(filepath.Join(dir, ".helmignore"))
	if os.IsNotExist(err) {
		return helmignore{".helmignore"}, nil
	}
	if err != nil {
		return nil, err
	}
	patterns := helmignore{".helmignore"}
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "!") {
			return nil, fmt.Errorf(".helmignore: negated pattern %q is not supported", line)
		}
		patterns = append(patterns, line)
	}
	return patterns, nil
}

func (h helmignore) matches(rel string, isDir bool) bool {
	for _, p := range h {
		dirOnly := strings.HasSuffix(p, "/")
		p = strings.TrimSuffix(p, "/")
		if dirOnly && !isDir {
			continue
		}
		if ok, _ := path.Match(p, rel); ok {
			return true
		}
		if ok, _ := path.Match(p, path.Base(rel)); ok {
			return true
		}
	}
	return false
}

// files is .Files: the chart's non-template files by slash path.
type files map[string][]byte

func (f files) Get(name string) string      { return string(f[name]) }
func (f files) GetBytes(name string) []byte { return f[name] }

func (f files) Lines(name string) []string {
	s := strings.TrimSuffix(string(f[name]), "\n")
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "\n")
}

func (f files) Glob(pattern string) files {
	out := files{}
	for name, data := range f {
		if ok, _ := path.Match(pattern, name); ok {
			out[name] = data
		}
	}
	return out
}

func (f files) names() []string {
	names := make([]string, 0, len(f))
	for name := range f {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// AsConfig renders the files as a ConfigMap's data: base name to content.
func (f files) AsConfig() string {
	data := map[string]string{}
	for _, name := range f.names() {
		data[path.Base(name)] = string(f[name])
	}
	return toYAML(data)
}

// AsSecrets renders the files as a Secret's data: base name to base64.
func (f files) AsSecrets() string {
	data := map[string]string{}
	for _, name := range f.names() {
		data[path.Base(name)] = base64.StdEncoding.EncodeToString(f[name])
	}
	return toYAML(data)
}

// checkKubeVersion refuses a Kubernetes version outside Chart.yaml's kubeVersion,
// as helm does before rendering.
func checkKubeVersion(c *chart, kubeVersion string) error {
	constraint, _ := c.meta["KubeVersion"].(string)
	if constraint == "" {
		return nil
	}
	compare := sprig.GenericFuncMap()["semverCompare"].(func(string, string) (bool, error))
	ok, err := compare(constraint, kubeVersion)
	if err != nil {
		return fmt.Errorf("Chart.yaml: kubeVersion %q: %v", constraint, err)
	}
	if !ok {
		return fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", constraint, kubeVersion)
	}
	return nil
}
