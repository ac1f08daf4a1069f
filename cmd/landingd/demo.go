package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"landingd/config"
	"landingd/deploy"
	"landingd/ingest/register"
	"landingd/ingest/state"
	"landingd/transform"
	"landingd/transform/synth"
)

func init() {
	commands["demo"] = command{summary: "write a demo folder with both shipped protocols and synthetic drops, run one cycle of each, and write their register", run: cmdDemo}
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
	if code != exitOK {
		return code
	}
	printOutputs(e, cfg, "district")

	// The example protocol runs in a lane of its own beside the default:
	// its own folders under dir/safeguarding-adults, key and cycle.
	example := filepath.Join(*dir, exampleDemoFile)
	fmt.Fprintf(e.stdout, "\n== The second protocol, an example: %s ==\n\n", strings.TrimSuffix(exampleDemoFile, ".yaml"))
	if _, err := os.Stat(example); errors.Is(err, fs.ErrNotExist) {
		n, err := writeExampleDemo(*dir, *rows, time.Now())
		if err != nil {
			fmt.Fprintf(e.stderr, "landingd: write demo: %v\n", err)
			return exitFailed
		}
		fmt.Fprintf(e.stdout, "Wrote the example protocol, a key of its own and synthetic drops for its %d partners into %s\n\n", n, example)
	}
	ex, code := loadProtocol(e, example)
	if code != exitOK {
		return code
	}
	if err := config.CheckForum([]*config.Config{cfg, ex}); err != nil {
		fmt.Fprintf(e.stderr, "landingd: %v\n", err)
		return exitUsage
	}
	code = runCycle(ctx, e, ex, nil, cycleOptions{trigger: state.TriggerRun})
	if code != exitOK {
		return code
	}
	printOutputs(e, ex, "partner")
	return writeDemoRegister(ctx, e, *dir, cfg, ex)
}

// exampleDemoFile is where the demo writes the example protocol, beside
// the default's protocol.yaml: its paths, all under safeguarding-adults/,
// then resolve inside the demo folder.
const exampleDemoFile = "safeguarding-adults.yaml"

// writeDemoRegister writes the register of the demo's protocols, as
// "landingd register --html" prints it, to dir/register.html, and says
// where it is and how to serve both protocols.
func writeDemoRegister(ctx context.Context, e *env, dir string, cfgs ...*config.Config) int {
	now := time.Now()
	var entries []register.Entry
	args := ""
	for _, c := range cfgs {
		st, err := readStatus(ctx, c, now)
		if err != nil {
			fmt.Fprintf(e.stderr, "landingd: register: %s: %v\n", c.Protocol.ID, err)
			return exitFailed
		}
		entries = append(entries, register.New(c, st, now))
		args += " --config " + c.Path
	}
	var b bytes.Buffer
	if err := register.WriteHTML(&b, "Information sharing protocols (demo)", entries, now, nil); err != nil {
		fmt.Fprintf(e.stderr, "landingd: register: %v\n", err)
		return exitFailed
	}
	path := filepath.Join(dir, "register.html")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		fmt.Fprintf(e.stderr, "landingd: register: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(e.stdout, "\nThe register of both protocols: %s\n", path)
	fmt.Fprintf(e.stdout, "Serve both, each on its own schedule: landingd serve%s\n", args)
	fmt.Fprintf(e.stdout, "  then open http://%s/ (the register) and http://%s/p/<id>/ (each protocol's status)\n", cfgs[0].HTTP.Listen, cfgs[0].HTTP.Listen)
	return exitOK
}

// printOutputs lists cfg's combined outputs and says where its partners
// (who: "district", "partner") find their feedback.
func printOutputs(e *env, cfg *config.Config, who string) {
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
	zones := filepath.Join(filepath.Dir(cfg.Path), "landing")
	if len(cfg.Partners) > 0 && cfg.Partners[0].Landing.Local != nil {
		zones = filepath.Dir(cfg.Partners[0].Landing.Local.Path)
	}
	fmt.Fprintf(e.stdout, "\n%ss' feedback is in %s/<%s>/processed and rejected.\n", strings.ToUpper(who[:1])+who[1:], zones, who)
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
	demo, err := demoProtocol(raw, "the default protocol")
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

// writeExampleDemo writes the example protocol (deploy.ExampleProtocol,
// files taken at once) into dir as exampleDemoFile with its field list
// beside it, a fresh key, and synthetic drops of its last two completed
// quarters for each of its partners, in and out of its filter. It returns
// how many partners it wrote drops for.
func writeExampleDemo(dir string, rows int, now time.Time) (int, error) {
	raw, err := fs.ReadFile(deploy.Protocols, deploy.ExampleProtocol)
	if err != nil {
		return 0, err
	}
	var head struct {
		Schema string `yaml:"schema"`
	}
	if err := yaml.Unmarshal(raw, &head); err != nil {
		return 0, err
	}
	schemaRaw, err := fs.ReadFile(deploy.Protocols, path.Join(path.Dir(deploy.ExampleProtocol), head.Schema))
	if err != nil {
		return 0, err
	}
	if err := os.WriteFile(filepath.Join(dir, head.Schema), schemaRaw, 0o644); err != nil {
		return 0, err
	}
	demo, err := demoProtocol(raw, "the example protocol")
	if err != nil {
		return 0, err
	}
	file := filepath.Join(dir, exampleDemoFile)
	if err := os.WriteFile(file, demo, 0o644); err != nil {
		return 0, err
	}
	cfg, err := config.Load(file)
	if err != nil {
		return 0, err
	}
	schema, err := transform.LoadSchema(cfg.SchemaData)
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(filepath.Dir(cfg.Pseudonymise.KeyFile), 0o700); err != nil {
		return 0, err
	}
	if err := transform.WriteKeyFile(cfg.Pseudonymise.KeyFile); err != nil {
		return 0, err
	}
	// Each partner's zone is <zones>/<partner id>, where QuarterDropOf
	// writes.
	var zones string
	drop := synth.Drop{Filter: synth.Filter{Field: cfg.Filter.Field, Keep: cfg.Filter.Keep},
		Name: cfg.Protocol.ID, Title: "quarterly extract for " + cfg.Protocol.ID}
	for _, p := range cfg.Partners {
		if p.Landing.Local == nil || (zones != "" && filepath.Dir(p.Landing.Local.Path) != zones) ||
			filepath.Base(p.Landing.Local.Path) != p.ID {
			return 0, fmt.Errorf("partner %s: the demo needs local zones <folder>/<partner id> in one folder", p.ID)
		}
		zones = filepath.Dir(p.Landing.Local.Path)
		drop.Partners = append(drop.Partners, synth.District{ID: p.ID, Name: p.Name, GSS: p.GSS})
	}
	last := transform.LastCompletedQuarter(now)
	for _, q := range []string{transform.PrevQuarter(last), last} {
		if _, err := synth.QuarterDropOf(zones, schema, q, rows, demoSeed, drop); err != nil {
			return 0, err
		}
	}
	return len(cfg.Partners), nil
}

// demoProtocol edits an embedded protocol (what names it in the file's
// heading): the demo takes files at once (stable_after 0s) instead of
// waiting for uploads to settle.
func demoProtocol(raw []byte, what string) ([]byte, error) {
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
	root.HeadComment = "Demo protocol written by landingd demo: " + what + " with synthetic data.\n" + root.HeadComment
	return yaml.Marshal(&doc)
}
