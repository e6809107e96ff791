package traceprop

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// The Go conformance runner: every case of every *.json file in
// $TRACEPROP_VECTORS (default: the repository's tests/vectors) through the
// public Go API. Prints FAIL lines and "go: N passed, M failed".
func TestVectors(t *testing.T) {
	dir := os.Getenv("TRACEPROP_VECTORS")
	if dir == "" {
		dir = filepath.Join("..", "..", "tests", "vectors")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no vector files in %s (%v)", dir, err)
	}
	sort.Strings(files)
	passed, failed := 0, 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		var doc struct {
			Schema string            `json:"schema"`
			Cases  []json.RawMessage `json:"cases"`
		}
		if err == nil {
			err = json.Unmarshal(data, &doc)
		}
		if err == nil && doc.Schema != "traceprop-vectors/1" {
			err = fmt.Errorf("unknown schema %q", doc.Schema)
		}
		if err != nil {
			fmt.Printf("FAIL %s: %v\n", filepath.Base(file), err)
			failed++
			continue
		}
		for _, raw := range doc.Cases {
			var c map[string]any
			if err := json.Unmarshal(raw, &c); err != nil {
				fmt.Printf("FAIL %s: %v\n", filepath.Base(file), err)
				failed++
				continue
			}
			if err := runCase(c); err != nil {
				fmt.Printf("FAIL %s :: %v: %v\n", filepath.Base(file), c["name"], err)
				failed++
			} else {
				passed++
			}
		}
	}
	fmt.Printf("go: %d passed, %d failed\n", passed, failed)
	if failed > 0 || passed == 0 {
		t.Fatalf("%d vector case(s) failed", failed)
	}
}

func knownKeys(obj map[string]any, allowed ...string) error {
	for k := range obj {
		found := false
		for _, a := range allowed {
			found = found || k == a
		}
		if !found {
			return fmt.Errorf("unknown field %q", k)
		}
	}
	return nil
}

func config(list any, policy any) (*Propagator, error) {
	s, ok := list.(string)
	if !ok {
		return nil, fmt.Errorf("propagators is not a string")
	}
	p := NewPropagator(s)
	if len(p.Unknown()) > 0 {
		return nil, fmt.Errorf("unknown propagator(s) %v", p.Unknown())
	}
	switch policy {
	case nil, "last":
	case "first":
		p = p.WithPolicy(First)
	default:
		return nil, fmt.Errorf("unknown policy %v", policy)
	}
	return p, nil
}

func headerLines(v any) ([][2]string, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("header list is not a list")
	}
	var out [][2]string
	for _, item := range list {
		pair, ok := item.([]any)
		if !ok || len(pair) != 2 {
			return nil, fmt.Errorf("bad header pair %v", item)
		}
		k, ok1 := pair[0].(string)
		v, ok2 := pair[1].(string)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("bad header pair %v", item)
		}
		out = append(out, [2]string{k, v})
	}
	return out, nil
}

func runCase(c map[string]any) error {
	if err := knownKeys(c, "name", "reason", "propagators", "policy", "extract", "inject", "inject_propagators", "expect"); err != nil {
		return err
	}
	if r, _ := c["reason"].(string); r == "" {
		return fmt.Errorf("missing reason")
	}
	p, err := config(c["propagators"], c["policy"])
	if err != nil {
		return err
	}
	expect, ok := c["expect"].(map[string]any)
	if !ok {
		return fmt.Errorf("missing expect")
	}
	_, isExtract := c["extract"]
	_, isInject := c["inject"]
	to, isTranslate := c["inject_propagators"]
	switch {
	case isExtract && !isInject && isTranslate:
		q, err := config(to, nil)
		if err != nil {
			return err
		}
		lines, err := headerLines(c["extract"])
		if err != nil {
			return err
		}
		var got [][2]string
		if x := p.ExtractLines(lines); x.Valid {
			q.InjectFunc(x.Propagation(), func(k, v string) { got = append(got, [2]string{k, v}) })
		}
		return compareHeaders(got, expect)
	case isExtract && !isInject:
		lines, err := headerLines(c["extract"])
		if err != nil {
			return err
		}
		return checkExtraction(p.ExtractLines(lines), expect)
	case isInject && !isExtract && !isTranslate:
		prop, err := vectorPropagation(c["inject"])
		if err != nil {
			return err
		}
		var got [][2]string
		p.InjectFunc(prop, func(k, v string) { got = append(got, [2]string{k, v}) })
		return compareHeaders(got, expect)
	}
	return fmt.Errorf("a case needs exactly one of extract, inject, translate")
}

func checkExtraction(x Extraction, expect map[string]any) error {
	if err := knownKeys(expect, "context", "tracestate", "baggage", "source"); err != nil {
		return err
	}
	if want, ok := expect["context"]; ok {
		if err := checkContext(x, want); err != nil {
			return err
		}
	}
	if want, ok := expect["tracestate"]; ok {
		var parts []string
		for _, m := range x.TraceState {
			parts = append(parts, m.Key+"="+m.Value)
		}
		var got any
		if len(parts) > 0 {
			got = strings.Join(parts, ",")
		}
		if got != want {
			return fmt.Errorf("tracestate: got %v, want %v", got, want)
		}
	}
	if want, ok := expect["baggage"]; ok {
		got := []any{}
		for _, m := range x.Baggage {
			item := []any{m.Key, m.Value}
			if m.Properties != "" {
				item = append(item, m.Properties)
			}
			got = append(got, item)
		}
		if !reflect.DeepEqual(got, want) {
			return fmt.Errorf("baggage: got %v, want %v", got, want)
		}
	}
	if want, ok := expect["source"]; ok {
		var got any
		if x.Valid {
			got = x.Source.String()
		}
		if got != want {
			return fmt.Errorf("source: got %v, want %v", got, want)
		}
	}
	return nil
}

func checkContext(x Extraction, want any) error {
	if want == nil {
		if x.Valid {
			return fmt.Errorf("context: got %+v, want null", x.Context)
		}
		return nil
	}
	w, ok := want.(map[string]any)
	if !ok {
		return fmt.Errorf("context is not an object")
	}
	if !x.Valid {
		return fmt.Errorf("context: got null, want %v", w)
	}
	c := x.Context
	for key, wv := range w {
		var got any
		switch key {
		case "trace_id":
			got = c.TraceID.String()
		case "span_id":
			got = c.SpanID.String()
		case "sampled":
			got = map[Sampling]any{Deferred: nil, NotSampled: false, Sampled: true}[c.Sampled]
		case "debug":
			got = c.Debug
		case "random":
			got = c.Random
		case "sampling_priority":
			if c.HasSamplingPriority {
				got = float64(c.SamplingPriority)
			}
		case "origin":
			if c.Origin != "" || wv == "" {
				got = c.Origin
			}
		default:
			return fmt.Errorf("unknown context field %q", key)
		}
		if got != wv {
			return fmt.Errorf("context.%s: got %v, want %v", key, got, wv)
		}
	}
	return nil
}

func vectorPropagation(v any) (Propagation, error) {
	in, ok := v.(map[string]any)
	if !ok {
		return Propagation{}, fmt.Errorf("inject is not an object")
	}
	if err := knownKeys(in, "trace_id", "span_id", "sampled", "random", "debug", "tracestate", "baggage",
		"sampling_priority", "origin", "dd_tags", "xray_extra"); err != nil {
		return Propagation{}, err
	}
	var p Propagation
	var err error
	s := func(k string) string { v, _ := in[k].(string); return v }
	if p.Context.TraceID, err = ParseTraceID(s("trace_id")); err != nil {
		return p, fmt.Errorf("trace_id: %w", err)
	}
	if p.Context.SpanID, err = ParseSpanID(s("span_id")); err != nil {
		return p, fmt.Errorf("span_id: %w", err)
	}
	switch in["sampled"] {
	case true:
		p.Context.Sampled = Sampled
	case false:
		p.Context.Sampled = NotSampled
	case nil:
		p.Context.Sampled = Deferred
	}
	p.Context.Random, _ = in["random"].(bool)
	p.Context.Debug, _ = in["debug"].(bool)
	if prio, ok := in["sampling_priority"].(float64); ok {
		p.Context.HasSamplingPriority, p.Context.SamplingPriority = true, int32(prio)
	}
	p.Context.Origin, p.Context.DatadogTags, p.Context.XRayExtra = s("origin"), s("dd_tags"), s("xray_extra")
	if ts, ok := in["tracestate"].(string); ok {
		if p.TraceState, err = ParseTraceState(ts); err != nil {
			return p, fmt.Errorf("tracestate: %w", err)
		}
	}
	bag, _ := in["baggage"].([]any)
	for _, item := range bag {
		parts, _ := item.([]any)
		var strs []string
		for _, part := range parts {
			str, ok := part.(string)
			if !ok {
				return p, fmt.Errorf("baggage part is not a string")
			}
			strs = append(strs, str)
		}
		if len(strs) < 2 || len(strs) > 3 {
			return p, fmt.Errorf("baggage member needs 2 or 3 parts")
		}
		m := BaggageMember{Key: strs[0], Value: strs[1]}
		if len(strs) == 3 {
			m.Properties = strs[2]
		}
		p.Baggage = append(p.Baggage, m)
	}
	return p, nil
}

func compareHeaders(got [][2]string, expect map[string]any) error {
	if err := knownKeys(expect, "headers"); err != nil {
		return err
	}
	want, err := headerLines(expect["headers"])
	if err != nil {
		return err
	}
	for _, h := range got {
		if h[0] != strings.ToLower(h[0]) {
			return fmt.Errorf("injected header name %q is not lowercase", h[0])
		}
	}
	less := func(l [][2]string) func(i, j int) bool {
		return func(i, j int) bool { return l[i][0]+"\x00"+l[i][1] < l[j][0]+"\x00"+l[j][1] }
	}
	sort.Slice(got, less(got))
	sort.Slice(want, less(want))
	if len(got) == 0 && len(want) == 0 || reflect.DeepEqual(got, want) {
		return nil
	}
	return fmt.Errorf("headers: got %v, want %v", got, want)
}
