package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCoalesceMergesDeeplyAndNullRemoves(t *testing.T) {
	defaults := map[string]interface{}{
		"a": map[string]interface{}{"x": 1, "y": 2},
		"b": "keep",
		"c": []interface{}{1, 2},
	}
	user := map[string]interface{}{
		"a": map[string]interface{}{"y": 3},
		"b": nil,
		"c": []interface{}{9},
	}
	got := coalesce(defaults, user)
	a := got["a"].(map[string]interface{})
	if a["x"] != 1 || a["y"] != 3 {
		t.Errorf("a = %v, want x 1 (default) and y 3 (user)", a)
	}
	if _, ok := got["b"]; ok {
		t.Errorf("a null must remove b: %v", got)
	}
	if c := got["c"].([]interface{}); len(c) != 1 {
		t.Errorf("lists are replaced, not merged: %v", c)
	}
}

func writeChart(t *testing.T, files map[string]string) string {
	dir := t.TempDir()
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func renderAll(t *testing.T, dir string) ([]manifest, string, error) {
	c, err := loadChart(dir)
	if err != nil {
		t.Fatal(err)
	}
	return render(c, c.values, renderOptions{releaseName: "r", namespace: "ns", kubeVersion: "v1.32.0"})
}

func TestRendersLikeHelmTemplate(t *testing.T) {
	dir := writeChart(t, map[string]string{
		"Chart.yaml":             "apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: \"4.5\"\n",
		"values.yaml":            "name: web\nlabels: {b: \"2\", a: \"1\"}\nextra: \"{{ .Release.Name }}-x\"\n",
		".helmignore":            "*.bak\n",
		"files/a.txt":            "hello\n",
		"files/b.bak":            "ignored\n",
		"templates/_helpers.tpl": `{{- define "demo.name" -}}{{ .Release.Name }}-{{ .Values.name }}{{- end }}`,
		"templates/NOTES.txt":    "notes for {{ .Release.Name }}",
		"templates/z-svc.yaml": "kind: Service\nmetadata:\n  name: {{ include \"demo.name\" . }}\n" +
			"  labels:\n    {{- toYaml .Values.labels | nindent 4 }}\n  annotations:\n" +
			"    extra: {{ tpl .Values.extra . }}\n    file: {{ .Files.Get \"files/a.txt\" | trim }}\n" +
			"    ignored: \"{{ .Files.Get \"files/b.bak\" }}\"\n    chart: {{ .Chart.Name }}-{{ .Chart.AppVersion }}\n" +
			"    ns: {{ .Release.Namespace }}\n    cap: \"{{ .Capabilities.APIVersions.Has \"apps/v1\" }}" +
			"{{ .Capabilities.APIVersions.Has \"monitoring.coreos.com/v1\" }}\"\n" +
			"    lookup: \"{{ len (lookup \"v1\" \"Secret\" \"ns\" \"s\") }}\"\n" +
			"data:\n  {{- (.Files.Glob \"files/*\").AsConfig | nindent 2 }}\n",
		"templates/a-deploy.yaml": "kind: Deployment\nmetadata:\n  name: d\n---\n# only a comment\n---\n",
	})
	manifests, notes, err := renderAll(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if notes != "notes for r" {
		t.Errorf("notes = %q", notes)
	}
	if len(manifests) != 2 || manifests[0].kind != "Service" || manifests[1].kind != "Deployment" {
		t.Fatalf("want Service then Deployment (install order, empty documents dropped), got %+v", manifests)
	}
	body := manifests[0].body
	for _, want := range []string{"name: r-web", "    a: \"1\"\n    b: \"2\"", "extra: r-x", "file: hello",
		"ignored: \"\"", "chart: demo-4.5", "ns: ns", "cap: \"truefalse\"", "lookup: \"0\"",
		"data:\n  a.txt: |\n    hello"} {
		if !strings.Contains(body, want) {
			t.Errorf("rendered Service lacks %q:\n%s", want, body)
		}
	}
	if manifests[0].source != "demo/templates/z-svc.yaml" {
		t.Errorf("source = %q", manifests[0].source)
	}
}

func TestNumbersAreFloatsAsInHelm(t *testing.T) {
	values, err := parseValues([]byte("big: 1000000\nport: 8443\n"))
	if err != nil {
		t.Fatal(err)
	}
	dir := writeChart(t, map[string]string{
		"Chart.yaml":       "apiVersion: v2\nname: demo\nversion: 1.0.0\n",
		"templates/x.yaml": "kind: X\nraw: {{ .Values.big }}\nint: {{ int64 .Values.big }}\nplain: {{ .Values.port }}\nvalues:\n  {{- toYaml .Values | nindent 2 }}\n",
	})
	c, err := loadChart(dir)
	if err != nil {
		t.Fatal(err)
	}
	manifests, _, err := render(c, values, renderOptions{releaseName: "r", namespace: "ns"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"raw: 1e+06", "int: 1000000", "plain: 8443", "  big: 1000000"} {
		if !strings.Contains(manifests[0].body, want) {
			t.Errorf("want %q in:\n%s", want, manifests[0].body)
		}
	}
}

func TestRequiredAndFailStopTheRender(t *testing.T) {
	for template, want := range map[string]string{
		`{{ required "x is required" .Values.x }}`: "x is required",
		`{{ fail "no way" }}`:                      "no way",
	} {
		dir := writeChart(t, map[string]string{
			"Chart.yaml":         "apiVersion: v2\nname: demo\nversion: 1.0.0\n",
			"templates/bad.yaml": template,
		})
		if _, _, err := renderAll(t, dir); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one containing %q", template, err, want)
		}
	}
}

func TestSchemaRejectsBadValues(t *testing.T) {
	schema := []byte(`{"type":"object","properties":{"replicas":{"type":"integer"}},"additionalProperties":false}`)
	if err := validateValues("demo", schema, map[string]interface{}{"replicas": 2}); err != nil {
		t.Errorf("valid values rejected: %v", err)
	}
	err := validateValues("demo", schema, map[string]interface{}{"replicas": "2", "other": 1})
	if err == nil || !strings.Contains(err.Error(), "replicas: Invalid type") || !strings.Contains(err.Error(), "other") {
		t.Errorf("error = %v", err)
	}
}

func TestKubeVersionConstraint(t *testing.T) {
	dir := writeChart(t, map[string]string{"Chart.yaml": "apiVersion: v2\nname: demo\nversion: 1.0.0\nkubeVersion: \">=1.25.0-0\"\n"})
	c, err := loadChart(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkKubeVersion(c, "v1.32.0"); err != nil {
		t.Errorf("v1.32.0 refused: %v", err)
	}
	if err := checkKubeVersion(c, "v1.24.3"); err == nil || !strings.Contains(err.Error(), "incompatible with Kubernetes v1.24.3") {
		t.Errorf("v1.24.3: error %v", err)
	}
}

func TestLookupFindsClusterObjectsOrNothing(t *testing.T) {
	dir := writeChart(t, map[string]string{
		"objects.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: tls, namespace: ns}\ndata: {a: b}\n---\n" +
			"apiVersion: v1\nkind: Secret\nmetadata: {name: other, namespace: elsewhere}\n",
	})
	objects, err := loadCluster([]string{filepath.Join(dir, "objects.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	found, _ := objects.lookup("v1", "Secret", "ns", "tls")
	if found["data"].(map[string]interface{})["a"] != "b" {
		t.Errorf("lookup of ns/tls = %v", found)
	}
	if missing, _ := objects.lookup("v1", "Secret", "ns", "other"); len(missing) != 0 {
		t.Errorf("an object of another namespace was found: %v", missing)
	}
	if list, _ := objects.lookup("v1", "Secret", "", ""); len(list["items"].([]interface{})) != 2 {
		t.Errorf("a list over all namespaces = %v", list)
	}
	if none, _ := cluster(nil).lookup("v1", "Secret", "ns", "tls"); len(none) != 0 {
		t.Errorf("without objects (helm template) lookup must find nothing: %v", none)
	}
}
