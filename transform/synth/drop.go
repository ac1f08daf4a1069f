package synth

import (
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
	qq, err := parseQuarter(q)
	if err != nil {
		return nil, fmt.Errorf("quarter drop: %w", err)
	}
	r := rand.New(rand.NewPCG(uint64(seed), streamProfiles))
	deal := r.Perm(len(profiles))
	var paths []string
	for i, d := range districts {
		p := profiles[deal[i]]
		spec := Spec{
			District:  d,
			Quarters:  []string{q},
			Rows:      rowsPerDistrict,
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
				fmt.Sprintf("%s – H-CLIC domestic abuse extract", d.Name),
				fmt.Sprintf("Quarter ending %s", qq.End().Format("02/01/2006")),
				fmt.Sprintf("Produced %s", qq.End().AddDate(0, 0, 8).Format("02/01/2006")),
			}
		}
		folder := filepath.Join(dir, d.ID)
		if err := os.MkdirAll(folder, 0o755); err != nil {
			return paths, fmt.Errorf("quarter drop: %w", err)
		}
		path := filepath.Join(folder, fmt.Sprintf("%s-hclic-da-%s.%s", d.ID, q, p.format))
		if err := WriteFile(path, s, spec); err != nil {
			return paths, fmt.Errorf("quarter drop %s: %w", d.ID, err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}
