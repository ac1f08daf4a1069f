package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"gopkg.in/yaml.v3"

	"landingd/config"
	"landingd/deploy"
	"landingd/ingest/state"
	"landingd/transform"
	"landingd/transform/synth"
)

func init() {
	commands["demo"] = command{summary: "write a demo folder of synthetic district drops and run one cycle over it", run: cmdDemo}
}

// demoSeed fixes the synthetic data, so every demo shows the same cases.
const demoSeed = 2021

func cmdDemo(ctx context.Context, e *env, args []string) int {
	fset := flag.NewFlagSet("demo", flag.ContinueOnError)
	fset.SetOutput(e.stderr)
	dir := fset.String("dir", "landingd-demo", "folder to write the demo into")
	rows := fset.Int("rows", 400, "rows per district file")
	if err := fset.Parse(args); err != nil {
		return exitUsage
	}
	if fset.NArg() > 0 {
		fmt.Fprintf(e.stderr, "landingd: demo: unexpected argument %q\nusage: landingd demo [--dir DIR] [--rows N]\n", fset.Arg(0))
		return exitUsage
	}
	protocol := filepath.Join(*dir, "protocol.yaml")
	if _, err := os.Stat(protocol); errors.Is(err, fs.ErrNotExist) {
		if err := writeDemo(*dir, *rows, time.Now()); err != nil {
			fmt.Fprintf(e.stderr, "landingd: write demo: %v\n", err)
			return exitFailed
		}
		fmt.Fprintf(e.stdout, "Wrote a demo protocol, a new key and synthetic drops for 12 districts into %s\n\n", *dir)
	} else {
		fmt.Fprintf(e.stdout, "Using the existing demo in %s\n\n", *dir)
	}
	cfg, code := loadProtocol(e, protocol)
	if code != exitOK {
		return code
	}
	code = runCycle(ctx, e, cfg, nil, cycleOptions{trigger: state.TriggerRun})
	if code == exitOK {
		printOutputs(e, cfg)
	}
	return code
}

func printOutputs(e *env, cfg *config.Config) {
	if cfg.Output.Local == nil {
		return
	}
	var files []string
	_ = filepath.WalkDir(cfg.Output.Local.Path, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Base(path)[0] != '.' {
			files = append(files, path)
		}
		return nil
	})
	sort.Strings(files)
	if len(files) == 0 {
		return
	}
	fmt.Fprintln(e.stdout, "\nCombined outputs:")
	for _, f := range files {
		fmt.Fprintf(e.stdout, "  %s\n", f)
	}
	fmt.Fprintf(e.stdout, "\nDistricts' feedback is in %s/landing/<district>/processed and rejected.\n", filepath.Dir(cfg.Path))
	fmt.Fprintf(e.stdout, "See who has sent what: landingd status --config %s\n", cfg.Path)
}

// writeDemo writes the demo protocol (the embedded default with files
// taken at once), a fresh key, and synthetic drops.
func writeDemo(dir string, rows int, now time.Time) error {
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o700); err != nil {
		return err
	}
	raw, err := fs.ReadFile(deploy.Protocols, deploy.DefaultProtocol)
	if err != nil {
		return err
	}
	demo, err := demoProtocol(raw)
	if err != nil {
		return err
	}
	schemaName := filepath.Join(filepath.Dir(deploy.DefaultProtocol), "hclic-da.schema.json")
	schemaRaw, err := fs.ReadFile(deploy.Protocols, schemaName)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "hclic-da.schema.json"), schemaRaw, 0o644); err != nil {
		return err
	}
	schema, err := transform.LoadSchema(schemaRaw)
	if err != nil {
		return err
	}
	if err := transform.WriteKeyFile(filepath.Join(dir, "keys", "pseudonym.key")); err != nil {
		return err
	}
	landing := filepath.Join(dir, "landing")
	q := transform.LastCompletedQuarter(now)
	if _, err := synth.QuarterDrop(landing, schema, q, rows, demoSeed); err != nil {
		return err
	}
	// One district's backfill of the initial transfer, 2021Q2 to 2023Q3.
	var backfill []string
	for b := "2021Q2"; b <= "2023Q3"; b = transform.NextQuarter(b) {
		backfill = append(backfill, b)
	}
	extras := []struct {
		id, name string
		spec     synth.Spec
	}{
		{"colchester", "colchester_backfill_2021Q2-2023Q3.csv", synth.Spec{Quarters: backfill, Rows: rows / 4, Format: "csv"}},
		{"harlow", "harlow_" + q + "_with_nino.csv", synth.Spec{Quarters: []string{q}, Rows: rows / 4, Format: "csv", Extra: []string{"nino"}}},
		{"tendring", "tendring_" + q + "_supplementary.csv", synth.Spec{Quarters: []string{q}, Rows: rows / 4, Format: "csv",
			Encoding: "windows-1252", Spelling: "labels", DateStyle: "uk", Delimiter: ';'}},
	}
	for i, x := range extras {
		d, ok := synth.DistrictByID(x.id)
		if !ok {
			return fmt.Errorf("no district %q", x.id)
		}
		x.spec.District = d
		x.spec.Seed = demoSeed + int64(i) + 1
		// Extra files hold other cases than the district's main drop.
		x.spec.CaseOffset = 1_000_000 * (i + 1)
		x.spec.Now = now
		if err := synth.WriteFile(filepath.Join(landing, x.id, x.name), schema, x.spec); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "protocol.yaml"), demo, 0o644)
}

// demoProtocol edits the embedded default: the demo takes files at once
// (stable_after 0s) instead of waiting for uploads to settle.
func demoProtocol(raw []byte) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	root := doc.Content[0]
	set := false
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "stable_after" {
			root.Content[i+1].Value = "0s"
			set = true
		}
	}
	if !set {
		root.Content = append(root.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Value: "stable_after"},
			&yaml.Node{Kind: yaml.ScalarNode, Value: "0s"})
	}
	root.HeadComment = "Demo protocol written by landingd demo: the default protocol with synthetic data.\n" + root.HeadComment
	return yaml.Marshal(&doc)
}
