package synth

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"landingd/transform"
)

// streamProfiles is the random stream that deals profiles to districts.
const streamProfiles = 100

// profile is one district's habits when it exports a quarterly file.
type profile struct {
	format, encoding, dateStyle, spelling, headers string
	delimiter                                      rune
	crlf, titles, shuffle, requiredOnly            bool
}

// profiles are twelve export habits, one for each district. Between them:
// xlsx with real and text dates, CSV with ';', a Windows-1252 file with
// title rows, UK dates, labels, mixed spellings and headers, a BOM.
var profiles = []profile{
	{format: "csv"},
	{format: "csv", encoding: "utf-8-bom", crlf: true},
	{format: "csv", delimiter: ';', dateStyle: "uk", spelling: "labels", crlf: true},
	{format: "csv", encoding: "windows-1252", dateStyle: "uk", spelling: "labels", crlf: true, titles: true},
	{format: "xlsx", dateStyle: "excel"},
	{format: "xlsx", dateStyle: "excel", spelling: "labels", titles: true},
	{format: "xlsx", headers: "titles"},
	{format: "csv", delimiter: ';', headers: "mixed"},
	{format: "csv", dateStyle: "uk", spelling: "mixed"},
	{format: "xlsx", dateStyle: "uk", spelling: "mixed", shuffle: true},
	{format: "csv", shuffle: true, requiredOnly: true},
	{format: "csv", encoding: "utf-8-bom", spelling: "labels", headers: "titles"},
}

// Drop describes one protocol's quarterly drop: who sends, which rows
// are in scope, and how the files are named. The zero value is the H-CLIC
// domestic abuse drop of the 12 Essex districts.
type Drop struct {
	// Partners send one file each; nil means the 12 Essex districts.
	Partners []District
	// Filter decides the rows in scope (see Spec.Filter).
	Filter Filter
	// Name goes in file names, <partner>-<Name>-<quarter>.<ext>; "" means
	// "hclic-da".
	Name string
	// Title goes in title rows, "<partner name> – <Title>"; "" means
	// "H-CLIC domestic abuse extract".
	Title string
}

// QuarterDrop writes one realistic quarterly file per district for quarter
// q (e.g. "2025Q4"), rowsPerDistrict data rows each, into
// dir/<district id>/, and returns the paths in district order. Each
// district keeps one export habit, dealt from seed (so the same seed gives
// every district the same habit in every quarter, and its cases recur
// across quarters): some xlsx, some CSV with ';', one Windows-1252 with
// title rows, UK dates and labels in some. Files are written atomically.
// It fails on an invalid quarter or schema (see Write) and on file system
// errors; files already written stay.
func QuarterDrop(dir string, s *transform.Schema, q string, rowsPerDistrict int, seed int64) ([]string, error) {
	return QuarterDropOf(dir, s, q, rowsPerDistrict, seed, Drop{})
}

// QuarterDropOf is QuarterDrop for the partners, filter and names drop
// gives: any protocol's field list and partners. It fails as QuarterDrop,
// and when drop has more partners than there are export habits (12).
func QuarterDropOf(dir string, s *transform.Schema, q string, rowsPerPartner int, seed int64, drop Drop) ([]string, error) {
	qq, err := parseQuarter(q)
	if err != nil {
		return nil, fmt.Errorf("quarter drop: %w", err)
	}
	partners := drop.Partners
	if partners == nil {
		partners = districts
	}
	if len(partners) > len(profiles) {
		return nil, fmt.Errorf("quarter drop: %d partners but only %d export habits", len(partners), len(profiles))
	}
	name, title := cmp.Or(drop.Name, "hclic-da"), cmp.Or(drop.Title, "H-CLIC domestic abuse extract")
	r := rand.New(rand.NewPCG(uint64(seed), streamProfiles))
	deal := r.Perm(len(profiles))
	var paths []string
	for i, d := range partners {
		p := profiles[deal[i]]
		spec := Spec{
			District:  d,
			Quarters:  []string{q},
			Rows:      rowsPerPartner,
			Filter:    drop.Filter,
			Format:    p.format,
			Encoding:  p.encoding,
			Delimiter: p.delimiter,
			CRLF:      p.crlf,
			DateStyle: p.dateStyle,
			Spelling:  p.spelling,
			Headers:   p.headers,
			Shuffle:   p.shuffle,
			Seed:      seed,
		}
		if p.requiredOnly {
			spec.Optional = []string{}
		}
		if p.titles {
			spec.TitleRows = []string{
				fmt.Sprintf("%s – %s", d.Name, title),
				fmt.Sprintf("Quarter ending %s", qq.End().Format("02/01/2006")),
				fmt.Sprintf("Produced %s", qq.End().AddDate(0, 0, 8).Format("02/01/2006")),
			}
		}
		folder := filepath.Join(dir, d.ID)
		if err := os.MkdirAll(folder, 0o755); err != nil {
			return paths, fmt.Errorf("quarter drop: %w", err)
		}
		path := filepath.Join(folder, fmt.Sprintf("%s-%s-%s.%s", d.ID, name, q, p.format))
		if err := WriteFile(path, s, spec); err != nil {
			return paths, fmt.Errorf("quarter drop %s: %w", d.ID, err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}
