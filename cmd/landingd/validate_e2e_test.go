package main

import (
	"archive/zip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"landingd/internal/testtier"
	"landingd/transform/synth"
)

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// writeZipBomb writes an .xlsx whose sheet inflates to more than the
// readers' per-entry limit from about a megabyte on disk.
func writeZipBomb(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	must(t, err)
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, name := range []string{"[Content_Types].xml", "xl/workbook.xml"} {
		w, err := zw.Create(name)
		must(t, err)
		_, _ = w.Write([]byte("<x/>"))
	}
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	must(t, err)
	_, err = io.CopyN(w, zeros{}, 1<<30+1<<20)
	must(t, err)
	must(t, zw.Close())
}

// TestE2EValidateVerdicts drives "landingd validate" with the built-in
// protocol, as a district officer would, over the variants districts send.
func TestE2EValidateVerdicts(t *testing.T) {
	testtier.Slow(t, endToEnd)
	t.Parallel()
	l := newLab(t, "", "basildon")
	dir := t.TempDir()
	q := []string{"2025Q4"}
	file := func(name string, spec synth.Spec) string {
		d, _ := synth.DistrictByID("basildon")
		spec.District, spec.Quarters, spec.Seed = d, q, 12
		if spec.Rows == 0 {
			spec.Rows = 60
		}
		p := filepath.Join(dir, name)
		must(t, synth.WriteFile(p, l.schema, spec))
		return p
	}
	other := func(name string) string {
		d, _ := synth.DistrictByID("braintree")
		p := filepath.Join(dir, name)
		must(t, synth.WriteFile(p, l.schema, synth.Spec{District: d, Quarters: q, Rows: 40, Seed: 3}))
		return p
	}
	bomb := filepath.Join(dir, "bomb.xlsx")
	writeZipBomb(t, bomb)
	notXLSX := filepath.Join(dir, "not really.xlsx")
	must(t, os.WriteFile(notXLSX, []byte("la_code,case_ref\nE07000066,1\n"), 0o644))

	tests := []struct {
		Name    string
		Path    string
		Verdict string
		Rule    string // a file-level rule the verdict must carry, if any
	}{
		{"Windows1252", file("w1252.csv", synth.Spec{Encoding: "windows-1252", Spelling: "labels", TitleRows: []string{"Basildon – extract £"}}), "accepted", ""},
		{"BOM", file("bom.csv", synth.Spec{Encoding: "utf-8-bom"}), "accepted", ""},
		{"Semicolon", file("semi.csv", synth.Spec{Delimiter: ';'}), "accepted", ""},
		{"TitleRowXLSX", file("title.xlsx", synth.Spec{Format: "xlsx", TitleRows: []string{"Basildon H-CLIC extract", "Quarter ending 31/12/2025"}, DateStyle: "excel"}), "accepted", ""},
		{"UKDates", file("uk.csv", synth.Spec{DateStyle: "uk"}), "accepted", ""},
		{"ExtraColumn", file("extra.csv", synth.Spec{Extra: []string{"nino"}}), "rejected", "extra-label"},
		{"MissingColumn", file("missing.csv", synth.Spec{Drop: []string{"main_app_sex"}}), "rejected", "missing-label"},
		{"AnotherDistrict", other("braintree.csv"), "rejected", ""},
		{"UnknownCodesOverThreshold", file("codes.csv", synth.Spec{Rows: 40, BadRows: 10}), "rejected", "error-rate"},
		{"ZipBomb", bomb, "rejected", "format-error"},
		{"NotXLSX", notXLSX, "rejected", "format-error"},
	}
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			t.Parallel()
			r := runBin(t, dir, "validate", "--partner", "basildon", "--json", tt.Path)
			want := exitOK
			if tt.Verdict == "rejected" {
				want = exitFailed
			}
			if r.code != want {
				t.Fatalf("exit %d, want %d\n%s\n%s", r.code, want, r.stdout, r.stderr)
			}
			var out struct {
				Files []struct {
					Verdict    string
					FileErrors []struct{ Rule string } `json:"file_errors"`
				}
			}
			must(t, json.Unmarshal([]byte(r.stdout), &out))
			if len(out.Files) != 1 || out.Files[0].Verdict != tt.Verdict {
				t.Fatalf("verdict %+v, want %s", out.Files, tt.Verdict)
			}
			if tt.Rule != "" {
				var rules []string
				for _, fe := range out.Files[0].FileErrors {
					rules = append(rules, fe.Rule)
				}
				if !strings.Contains(strings.Join(rules, ","), tt.Rule) {
					t.Errorf("file errors %v, want %s", rules, tt.Rule)
				}
			}
			if tt.Name == "ZipBomb" && !strings.Contains(r.stdout, "decompression limits") {
				t.Errorf("the zip bomb was rejected for another reason:\n%s", r.stdout)
			}
			if rawCaseRef.MatchString(r.stdout + r.stderr) {
				t.Error("validate printed a raw case_ref")
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != len(tests) {
		t.Errorf("validate wrote into the folder: %d entries for %d files", len(entries), len(tests))
	}
}
