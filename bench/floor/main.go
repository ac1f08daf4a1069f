// Command floor is the yardstick for judging speed: a tight program that
// does the same work as `landingd validate` on a CSV, with nothing else.
// It reads the file with encoding/csv, maps the header to the agreed
// fields by name, and for each row trims the cells, checks required
// fields, looks codes up in a map, parses ISO dates by hand, checks
// integer ranges, string lengths and booleans, the quarter_end_date and
// app_date rules and the la_code, keeps a duplicate-key set of
// (la_code, case_ref, quarter_end_date), and computes the HMAC-SHA256
// pseudonym of every kept row. It writes nothing but a count.
//
//	floor gen FILE ROWS              write a synthetic district CSV (ISO dates, codes)
//	floor gen-xlsx FILE ROWS         the same as an xlsx with date cells and shared strings
//	floor judge SCHEMA FILE GSS      judge FILE against the field list SCHEMA
//
// It understands only what gen writes (header names, codes, ISO dates),
// which is what makes it a floor: landingd accepts much more. All data
// is made up.
package main

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"landingd/transform"
	"landingd/transform/synth"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	switch {
	case len(args) == 3 && (args[0] == "gen" || args[0] == "gen-xlsx"):
		return gen(args[1], args[2], args[0] == "gen-xlsx")
	case len(args) == 4 && args[0] == "judge":
		n, kept, bad, err := judge(args[1], args[2], args[3])
		if err != nil {
			return err
		}
		fmt.Printf("rows=%d kept=%d rejected=%d\n", n, kept, bad)
		return nil
	}
	return errors.New("usage: floor gen|gen-xlsx FILE ROWS | floor judge SCHEMA FILE GSS")
}

// schemaFile is the protocol's field list, relative to the repository
// root the benchmarks run from.
const schemaFile = "deploy/protocols/da-needs-assessment/hclic-da.schema.json"

// gen writes ROWS rows of one district's 2025Q4 extract with the
// synthetic generator's defaults: codes, ISO dates, header names; as an
// xlsx, with real date cells.
func gen(path, rowsArg string, xlsx bool) error {
	rows, err := strconv.Atoi(rowsArg)
	if err != nil {
		return fmt.Errorf("rows %q: %w", rowsArg, err)
	}
	raw, err := os.ReadFile(schemaFile)
	if err != nil {
		return err
	}
	s, err := transform.LoadSchema(raw)
	if err != nil {
		return err
	}
	d, _ := synth.DistrictByID("basildon")
	spec := synth.Spec{District: d, Quarters: []string{"2025Q4"}, Rows: rows, Seed: 1}
	if xlsx {
		spec.Format, spec.DateStyle = "xlsx", "excel"
	}
	return synth.WriteFile(path, s, spec)
}

// field is what the floor needs of one agreed field.
type field struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Constraints struct {
		Required  bool `json:"required"`
		Minimum   *int `json:"minimum"`
		Maximum   *int `json:"maximum"`
		MinLength int  `json:"minLength"`
		MaxLength int  `json:"maxLength"`
	} `json:"constraints"`
	Categories []struct {
		Value string `json:"value"`
	} `json:"categories"`
	codes map[string]bool
}

// date is a day as yyyymmdd, so that dates compare as integers.
type date int32

// parseISO reads YYYY-MM-DD by hand.
func parseISO(v string) (date, bool) {
	if len(v) != 10 || v[4] != '-' || v[7] != '-' {
		return 0, false
	}
	n := 0
	for i, c := range []byte(v) {
		if i == 4 || i == 7 {
			continue
		}
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	y, m, d := n/10000, n/100%100, n%100
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	return date(n), true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func isQuarterEnd(d date) bool {
	switch d % 10000 {
	case 331, 630, 930, 1231:
		return true
	}
	return false
}

func judge(schemaPath, path, gss string) (rows, kept, rejected int, err error) {
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return 0, 0, 0, err
	}
	var sc struct {
		Fields []field `json:"fields"`
	}
	if err := json.Unmarshal(raw, &sc); err != nil {
		return 0, 0, 0, err
	}
	fields := sc.Fields
	byName := map[string]int{}
	for i := range fields {
		byName[fields[i].Name] = i
		if len(fields[i].Categories) > 0 {
			fields[i].codes = map[string]bool{}
			for _, c := range fields[i].Categories {
				fields[i].codes[c.Value] = true
			}
		}
	}
	iLA, iQED, iCase, iApp, iReason := byName["la_code"], byName["quarter_end_date"], byName["case_ref"], byName["app_date"], byName["reasonloss"]
	keep := map[string]bool{"da_victim": true, "da_alleged_perpetrator": true, "da_retired": true}
	const today, hclicStart = date(20260201), date(20180403)

	f, err := os.Open(path)
	if err != nil {
		return 0, 0, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, 0, 0, err
	}
	r := csv.NewReader(bufio.NewReaderSize(f, 1<<16))
	r.ReuseRecord = true
	hdr, err := r.Read()
	if err != nil {
		return 0, 0, 0, err
	}
	cols := make([]int, len(hdr))
	for c, h := range hdr {
		i, ok := byName[h]
		if !ok {
			return 0, 0, 0, fmt.Errorf("column %q is not on the list", h)
		}
		cols[c] = i
	}
	// The duplicate set: a 128-bit seeded hash of the key with int32 row
	// numbers, sized after 4096 rows from the file size and the bytes
	// those rows took.
	seed1, seed2 := maphash.MakeSeed(), maphash.MakeSeed()
	seen := make(map[[2]uint64]int32, 4096)
	mac := hmac.New(sha256.New, []byte("a benchmark key of thirty-two bytes or more"))
	vals := make([]string, len(fields))
	var keyBuf, sum []byte
	var hexSum [64]byte
	for row := int32(2); ; row++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, 0, 0, err
		}
		rows++
		if rows == 4096 {
			grown := make(map[[2]uint64]int32, int(float64(st.Size())/float64(r.InputOffset())*4096*1.05))
			for k, v := range seen {
				grown[k] = v
			}
			seen = grown
		}
		clear(vals)
		for c, v := range rec {
			vals[cols[c]] = strings.TrimSpace(v)
		}
		bad := false
		var qed, app date
		for i := range fields {
			fl, v := &fields[i], vals[i]
			if v == "" {
				bad = bad || fl.Constraints.Required
				continue
			}
			switch fl.Type {
			case "string":
				if fl.codes != nil {
					bad = bad || !fl.codes[v]
					continue
				}
				n := utf8.RuneCountInString(v)
				bad = bad || n < fl.Constraints.MinLength || (fl.Constraints.MaxLength > 0 && n > fl.Constraints.MaxLength)
			case "date":
				d, ok := parseISO(v)
				bad = bad || !ok
				switch i {
				case iQED:
					qed = d
				case iApp:
					app = d
				}
			case "integer":
				n, err := strconv.Atoi(v)
				bad = bad || err != nil || (fl.Constraints.Minimum != nil && n < *fl.Constraints.Minimum) ||
					(fl.Constraints.Maximum != nil && n > *fl.Constraints.Maximum)
			case "boolean":
				switch strings.ToLower(v) {
				case "yes", "y", "true", "1", "no", "n", "false", "0":
				default:
					bad = true
				}
			}
		}
		la, caseRef := vals[iLA], vals[iCase]
		bad = bad || (la != "" && la != gss)
		if qed != 0 {
			bad = bad || !isQuarterEnd(qed) || qed > today
		}
		if app != 0 {
			bad = bad || (qed != 0 && app > qed) || app < hclicStart
		}
		if la != "" && caseRef != "" && qed != 0 {
			keyBuf = append(append(append(append(append(keyBuf[:0], la...), 0x1f), caseRef...), 0x1f), vals[iQED]...)
			k := [2]uint64{maphash.Bytes(seed1, keyBuf), maphash.Bytes(seed2, keyBuf)}
			if _, dup := seen[k]; dup {
				bad = true
			} else {
				seen[k] = row
			}
		}
		if bad {
			rejected++
			continue
		}
		if !keep[vals[iReason]] {
			continue
		}
		kept++
		mac.Reset()
		keyBuf = append(append(append(keyBuf[:0], la...), 0x1f), caseRef...)
		mac.Write(keyBuf)
		sum = mac.Sum(sum[:0])
		hex.Encode(hexSum[:], sum)
		vals[iCase] = string(hexSum[:])
	}
	return rows, kept, rejected, nil
}
