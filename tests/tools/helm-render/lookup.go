package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"
)

// cluster is what `lookup` sees: nothing, as in `helm template`, or the objects of
// --cluster-objects files, standing in for a cluster during `helm install` or upgrade.
type cluster []map[string]interface{}

func loadCluster(files []string) (cluster, error) {
	var objects cluster
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		decoder := yaml.NewDecoder(bytes.NewReader(raw))
		for {
			var doc interface{}
			err := decoder.Decode(&doc)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %v", file, err)
			}
			if object, ok := normalize(doc).(map[string]interface{}); ok {
				objects = append(objects, object)
			}
		}
	}
	return objects, nil
}

// lookup answers as Helm's does: the object, or an empty map when there is none; with an
// empty name, a list of the kind's objects in the namespace (all namespaces when empty).
func (c cluster) lookup(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
	var items []interface{}
	for _, object := range c {
		metadata, _ := object["metadata"].(map[string]interface{})
		ns, _ := metadata["namespace"].(string)
		if object["apiVersion"] != apiVersion || object["kind"] != kind || (namespace != "" && ns != namespace) {
			continue
		}
		if name == "" {
			items = append(items, object)
		} else if metadata["name"] == name {
			return object, nil
		}
	}
	if name != "" {
		return map[string]interface{}{}, nil
	}
	return map[string]interface{}{"apiVersion": apiVersion, "kind": kind + "List", "items": items}, nil
}
