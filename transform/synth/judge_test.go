package synth_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"landingd/transform"
	"landingd/transform/synth"
)

// judge runs the real judge over a synthetic file.
func judge(t *testing.T, d synth.District, name string, data []byte, maxRate float64) (*transform.Result, []transform.Row) {
	t.Helper()
	p, err := transform.NewEphemeralPseudonymiser()
	if err != nil {
		t.Fatal(err)
	}
	opt := transform.Options{
		PartnerID: d.ID, PartnerGSS: d.GSS, FilterField: "reasonloss", Keep: synth.DACodes,
		MaxRowErrorRate: maxRate, Now: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), TempDir: t.TempDir(),
	}
	var rows []transform.Row
	res, err := transform.Judge(context.Background(), loadSchema(t), p, name, bytes.NewReader(data), opt, func(r transform.Row) error {
		rows = append(rows, r.Clone())
		return nil
	})
	if err != nil {
		t.Fatalf("judge %s: %v", name, err)
	}
	return res, rows
}

// TestJudgeCounts checks that the judge rejects exactly the bad and
// duplicate rows and accepts exactly the clean in-scope ones, in every
// format and spelling.
func TestJudgeCounts(t *testing.T) {
	t.Parallel()
	d := district(t, "castle_point")
	base := synth.Spec{District: d, Quarters: []string{"2023Q2", "2023Q3"}, Rows: 80, BadRows: 7, Duplicates: 3, Seed: 4}
	variants := map[string]func(*synth.Spec){
		"csv": func(*synth.Spec) {},
		"labels": func(s *synth.Spec) {
			s.Spelling, s.DateStyle, s.Encoding, s.Delimiter = "labels", "uk", "windows-1252", ';'
		},
		"mixed": func(s *synth.Spec) {
			s.Spelling, s.Headers, s.Shuffle, s.TitleRows = "mixed", "mixed", true, []string{"Castle Point – extract"}
		},
		"titles": func(s *synth.Spec) { s.Headers, s.Encoding = "titles", "utf-8-bom" },
		"xlsx":   func(s *synth.Spec) { s.Format, s.DateStyle, s.Spelling = "xlsx", "excel", "mixed" },
		"xlsx uk": func(s *synth.Spec) {
			s.Format, s.DateStyle, s.TitleRows = "xlsx", "uk", []string{"Castle Point", "Produced 08/01/2026"}
		},
	}
	for name, vary := range variants {
		t.Run(name, func(t *testing.T) {
			spec := base
			vary(&spec)
			data, st := write(t, spec)
			name := "castle_point.csv"
			if spec.Format == "xlsx" {
				name = "castle_point.xlsx"
			}
			res, rows := judge(t, d, name, data, 1)
			if len(res.FileErrors) > 0 {
				t.Fatalf("file errors: %+v", res.FileErrors)
			}
			want := transform.Counts{Read: st.Rows, Accepted: st.Clean, Rejected: st.Bad + st.Duplicates,
				OutOfScope: st.Rows - st.Clean - st.Bad - st.Duplicates}
			if res.Rows != want {
				t.Fatalf("judge counted %+v, want %+v", res.Rows, want)
			}
			var issueRows []int
			for _, is := range res.Errors {
				issueRows = append(issueRows, is.Row)
			}
			wantRows := slices.Sorted(slices.Values(append(slices.Clone(st.BadRows), st.DuplicateRows...)))
			if !slices.Equal(issueRows, wantRows) {
				t.Errorf("issues on rows %v, want %v", issueRows, wantRows)
			}
			for _, r := range rows {
				if strings.Contains(strings.Join(r.Values, ","), "SYN-") || strings.Contains(r.Pseudonym, "SYN-") {
					t.Fatal("an accepted row carries a raw case_ref")
				}
			}
		})
	}
}

func TestQuarterDrop(t *testing.T) {
	t.Parallel()
	const rows = 120
	s := loadSchema(t)
	dir := t.TempDir()
	paths, err := synth.QuarterDrop(dir, s, "2025Q4", rows, 42)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 12 {
		t.Fatalf("%d paths, want 12", len(paths))
	}
	var xlsx, semicolon, win1252, titled, uk, labels int
	for i, d := range synth.Districts() {
		path := paths[i]
		if filepath.Dir(path) != filepath.Join(dir, d.ID) {
			t.Errorf("%s is not in %s's folder", path, d.ID)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(path, ".xlsx") {
			xlsx++
		} else {
			firstLine, _, _ := bytes.Cut(data, []byte("\n"))
			if bytes.Count(firstLine, []byte(";")) > 10 {
				semicolon++
			}
			if !utf8.Valid(data) {
				win1252++
			}
			if !bytes.Contains(firstLine, []byte("case")) && !bytes.Contains(firstLine, []byte("Case")) {
				titled++
			}
			if bytes.Contains(data, []byte("/12/2025")) {
				uk++
			}
			if bytes.Contains(data, []byte("Domestic abuse")) {
				labels++
			}
		}
		res, _ := judge(t, d, filepath.Base(path), data, 0)
		if res.Verdict != transform.Accepted || len(res.Errors) > 0 {
			t.Errorf("%s: %s, %+v %+v", filepath.Base(path), res.Verdict, res.FileErrors, res.Errors)
		}
		if res.Rows.Read != rows || res.Rows.Accepted == 0 || res.Rows.Accepted+res.Rows.OutOfScope != rows {
			t.Errorf("%s: counts %+v", filepath.Base(path), res.Rows)
		}
	}
	if xlsx < 3 || semicolon < 2 || win1252 != 1 || titled < 1 || uk < 2 || labels < 2 {
		t.Errorf("too little variety: xlsx %d, ';' %d, windows-1252 %d, titled %d, UK dates %d, labels %d",
			xlsx, semicolon, win1252, titled, uk, labels)
	}

	again, err := synth.QuarterDrop(t.TempDir(), s, "2025Q4", rows, 42)
	if err != nil {
		t.Fatal(err)
	}
	for i := range paths {
		a, _ := os.ReadFile(paths[i])
		b, _ := os.ReadFile(again[i])
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two drops with the same seed", filepath.Base(paths[i]))
		}
	}
	if _, err := synth.QuarterDrop(t.TempDir(), s, "2025Q9", rows, 42); err == nil {
		t.Error("quarter 2025Q9 was accepted")
	}
}
