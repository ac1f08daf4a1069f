// Command national writes the inputs of the national quarter benchmark:
// 296 partners, one per English housing authority, each with its own
// landing zone and one 2025Q4 file of 50 to 3,000 rows (log-uniform, so
// most are small, as real returns are), one in three an xlsx with real
// date cells, the rest CSV. The field list is the shipped one with
// la_code's codes replaced by 296 made-up GSS codes (E0999xxxx).
//
//	national DIR [flags]
//	national judge DIR
//
// It writes DIR/national.schema.json, DIR/keys/pseudonym.key, the files
// under DIR/files/<id>/ (run.sh copies them into the zones before each
// run: a run moves what it takes), and two protocols:
// DIR/local/protocol.yaml over zones DIR/local/landing/<id> and, with
// -sftp-addr, DIR/sftp/protocol.yaml over SFTP zones -sftp-root/<id>
// (every zone on the one server and login, a folder each). It prints the
// total rows. judge judges every file under DIR/files in turn,
// in this process, discarding the rows, and prints the CPU and wall
// seconds it took: judging alone, without the cycle's per-partner work
// (listing, the ledger, commits, disposition, publishing). All data is
// made up.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"landingd/transform"
	"landingd/transform/synth"
)

// Partners is the number of English housing authorities.
const Partners = 296

const schemaFile = "deploy/protocols/da-needs-assessment/hclic-da.schema.json"

func main() {
	fl := flag.NewFlagSet("national", flag.ExitOnError)
	sftpAddr := fl.String("sftp-addr", "", "sshd address host:port")
	sftpUser := fl.String("sftp-user", "", "login name")
	sftpKey := fl.String("sftp-key", "", "client private key file")
	knownHosts := fl.String("known-hosts", "", "known_hosts file")
	sftpRoot := fl.String("sftp-root", "", "folder the SFTP zones sit in (the server serves it at the same path)")
	concurrency := fl.Int("concurrency", 0, "the protocol's concurrency (0: landingd's default)")
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: national DIR [flags] | national judge DIR")
		os.Exit(2)
	}
	if os.Args[1] == "judge" && len(os.Args) == 3 {
		if err := judgeAll(os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, "national:", err)
			os.Exit(1)
		}
		return
	}
	_ = fl.Parse(os.Args[2:])
	rows, err := write(os.Args[1], *concurrency, func(id string) string {
		return fmt.Sprintf("{kind: sftp, address: %q, user: %q, path: %q, key_file: %q, known_hosts: %q}",
			*sftpAddr, *sftpUser, filepath.Join(*sftpRoot, id), *sftpKey, *knownHosts)
	}, *sftpAddr != "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "national:", err)
		os.Exit(1)
	}
	fmt.Println(rows)
}

// partner is one made-up authority.
type partner struct {
	d    synth.District
	rows int
	xlsx bool
}

func partners() []partner {
	r := rand.New(rand.NewPCG(296, 1))
	ps := make([]partner, Partners)
	for i := range ps {
		id := fmt.Sprintf("la%03d", i+1)
		ps[i] = partner{
			d:    synth.District{ID: id, Name: fmt.Sprintf("Authority %03d", i+1), GSS: fmt.Sprintf("E0999%04d", i+1)},
			rows: int(math.Round(50 * math.Exp(r.Float64()*math.Log(3000.0/50)))),
			xlsx: i%3 == 2,
		}
	}
	return ps
}

// nationalSchema returns the shipped field list with la_code's codes
// replaced by the partners' codes.
func nationalSchema(ps []partner) ([]byte, error) {
	raw, err := os.ReadFile(schemaFile)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	for _, f := range doc["fields"].([]any) {
		fm := f.(map[string]any)
		if fm["name"] != "la_code" {
			continue
		}
		var cats []any
		for _, p := range ps {
			cats = append(cats, map[string]any{"value": p.d.GSS, "label": p.d.Name})
		}
		fm["categories"] = cats
	}
	return json.MarshalIndent(doc, "", "  ")
}

func write(dir string, concurrency int, sftpZone func(id string) string, withSFTP bool) (int, error) {
	ps := partners()
	raw, err := nationalSchema(ps)
	if err != nil {
		return 0, err
	}
	s, err := transform.LoadSchema(raw)
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o700); err != nil {
		return 0, err
	}
	schema, key := filepath.Join(dir, "national.schema.json"), filepath.Join(dir, "keys", "pseudonym.key")
	if err := os.WriteFile(schema, raw, 0o644); err != nil {
		return 0, err
	}
	if err := transform.WriteKeyFile(key); err != nil {
		return 0, err
	}
	total := 0
	for i, p := range ps {
		spec := synth.Spec{District: p.d, Quarters: []string{"2025Q4"}, Rows: p.rows, Seed: int64(i + 1)}
		name := p.d.ID + "-2025q4.csv"
		if p.xlsx {
			spec.Format, spec.DateStyle, name = "xlsx", "excel", p.d.ID+"-2025q4.xlsx"
		}
		path := filepath.Join(dir, "files", p.d.ID, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return 0, err
		}
		if err := synth.WriteFile(path, s, spec); err != nil {
			return 0, err
		}
		total += p.rows
	}
	local := func(id string) string {
		return fmt.Sprintf("{kind: local, path: %q}", filepath.Join(dir, "local", "landing", id))
	}
	kinds := map[string]func(string) string{"local": local}
	if withSFTP {
		kinds["sftp"] = sftpZone
	}
	for kind, zone := range kinds {
		if err := os.MkdirAll(filepath.Join(dir, kind), 0o750); err != nil {
			return 0, err
		}
		if err := os.WriteFile(filepath.Join(dir, kind, "protocol.yaml"), protocol(ps, schema, key, concurrency, zone), 0o644); err != nil {
			return 0, err
		}
	}
	return total, nil
}

func protocol(ps []partner, schema, key string, concurrency int, zone func(id string) string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `protocol: {id: national, title: "National quarter benchmark", lead: {name: A lead authority, gss: E10000012}, review_date: 2030-10-01}
schema: %q
filter: {field: reasonloss, keep: [da_victim, da_alleged_perpetrator, da_retired]}
pseudonymise: {key_file: %q}
stable_after: 0s
state: state
output: {kind: local, path: out}
`, schema, key)
	if concurrency > 0 {
		fmt.Fprintf(&b, "concurrency: %d\n", concurrency)
	}
	b.WriteString("partners:\n")
	for _, p := range ps {
		fmt.Fprintf(&b, "  - {id: %s, name: %q, gss: %s, dpo_email: dpo@example.org, landing: %s}\n", p.d.ID, p.d.Name, p.d.GSS, zone(p.d.ID))
	}
	return []byte(b.String())
}

// judgeAll judges every partner's file under dir/files in turn.
func judgeAll(dir string) error {
	raw, err := os.ReadFile(filepath.Join(dir, "national.schema.json"))
	if err != nil {
		return err
	}
	s, err := transform.LoadSchema(raw)
	if err != nil {
		return err
	}
	p, err := transform.NewEphemeralPseudonymiser()
	if err != nil {
		return err
	}
	start, cpu0 := time.Now(), cpuTime()
	files, rows := 0, 0
	for _, pt := range partners() {
		zone := filepath.Join(dir, "files", pt.d.ID)
		ents, err := os.ReadDir(zone)
		if err != nil {
			return err
		}
		for _, e := range ents {
			if e.IsDir() {
				continue
			}
			f, err := os.Open(filepath.Join(zone, e.Name()))
			if err != nil {
				return err
			}
			st, _ := f.Stat()
			opt := transform.Options{PartnerID: pt.d.ID, PartnerGSS: pt.d.GSS, FilterField: "reasonloss", Keep: synth.DACodes,
				MaxRowErrorRate: 0.05, SizeHint: st.Size()}
			res, err := transform.Judge(context.Background(), s, p, e.Name(), f, opt, func(transform.Row) error { return nil })
			f.Close()
			if err != nil {
				return err
			}
			files++
			rows += res.Rows.Read
		}
	}
	fmt.Printf("files=%d rows=%d cpu_s=%.2f wall_s=%.2f\n", files, rows, (cpuTime() - cpu0).Seconds(), time.Since(start).Seconds())
	return nil
}
