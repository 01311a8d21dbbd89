// helm-render renders a Helm chart as `helm template` does, for testing a
// chart on machines without helm: values files merged over values.yaml and
// checked against values.schema.json, Helm's template functions (sprig,
// include, tpl, toYaml, required, fail, lookup), .Files, .Release, .Chart and
// the .Capabilities helm template assumes without a cluster. lookup finds nothing, as in
// helm template, unless --cluster-objects gives it what a cluster would hold.
//
//	helm-render [-f values.yaml]... [--name tailor] [--namespace tailor]
//	            [--api-versions group/version]... [--kube-version v1.32.0]
//	            [--cluster-objects objects.yaml]... [--notes] CHART
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	var valueFiles, apis, clusterFiles listFlag
	opts := renderOptions{}
	flag.Var(&valueFiles, "f", "values file merged over values.yaml (repeatable; later wins)")
	flag.Var(&apis, "api-versions", "an API version the cluster serves, beyond the built-in ones (repeatable)")
	flag.StringVar(&opts.releaseName, "name", "release-name", "release name")
	flag.StringVar(&opts.namespace, "namespace", "default", "release namespace")
	flag.StringVar(&opts.kubeVersion, "kube-version", "v1.32.0", "Kubernetes version for .Capabilities")
	flag.Var(&clusterFiles, "cluster-objects", "YAML objects lookup finds, as if in the cluster (repeatable)")
	notesOnly := flag.Bool("notes", false, "print NOTES.txt instead of the manifests")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: helm-render [-f values.yaml]... [--name N] [--namespace NS] CHART")
		os.Exit(2)
	}
	opts.apiVersions = apis
	cluster, err := loadCluster(clusterFiles)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
	opts.cluster = cluster
	if err := run(flag.Arg(0), valueFiles, opts, *notesOnly); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func run(dir string, valueFiles []string, opts renderOptions, notesOnly bool) error {
	c, err := loadChart(dir)
	if err != nil {
		return err
	}
	values := c.values
	for _, file := range valueFiles {
		raw, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		user, err := parseValues(raw)
		if err != nil {
			return fmt.Errorf("%s: %v", file, err)
		}
		values = coalesce(values, user)
	}
	if err := checkKubeVersion(c, opts.kubeVersion); err != nil {
		return err
	}
	chartName, _ := c.meta["Name"].(string)
	if c.schema != nil {
		if err := validateValues(chartName, c.schema, values); err != nil {
			return err
		}
	}
	manifests, notes, err := render(c, values, opts)
	if err != nil {
		return err
	}
	if notesOnly {
		fmt.Print(notes)
		return nil
	}
	for _, m := range manifests {
		fmt.Printf("---\n# Source: %s\n%s\n", m.source, m.body)
	}
	return nil
}
