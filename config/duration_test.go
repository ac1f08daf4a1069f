package config

import (
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"
)

func TestParseDuration(t *testing.T) {
	const d, y = 24 * time.Hour, 365 * 24 * time.Hour
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{"90s", 90 * time.Second, true},
		{"36h", 36 * time.Hour, true},
		{"1h30m", 90 * time.Minute, true},
		{"1.5h", 90 * time.Minute, true},
		{"250ms", 250 * time.Millisecond, true},
		{"90d", 90 * d, true},
		{"7y", 7 * y, true},
		{"1y6d", y + 6*d, true},
		{"1d12h", 36 * time.Hour, true},
		{"1.5d", 36 * time.Hour, true},
		{".5d", 12 * time.Hour, true},
		{"-1d", -d, true},
		{"+2d", 2 * d, true},
		{"292y", 292 * y, true},
		{"293y", 0, false},
		{"-2562047h47m16.854775808s", -1 << 63, true},
		{"2562047h47m16.854775808s", 0, false},
		{"106751d23h47m16.854775807s", 1<<63 - 1, true},
		{"", 0, false},
		{"60", 0, false},
		{"d", 0, false},
		{"5 minutes", 0, false},
		{"1w", 0, false},
		{"1D", 0, false},
		{"1..5d", 0, false},
		{"1d-2h", 0, false},
		{"-", 0, false},
		{"1e3d", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestDurationString(t *testing.T) {
	const d, y = 24 * time.Hour, 365 * 24 * time.Hour
	for in, want := range map[time.Duration]string{
		0:                "0s",
		90 * time.Second: "1m30s",
		36 * time.Hour:   "36h0m0s",
		90 * d:           "90d",
		7 * y:            "7y",
		y + 6*d:          "1y6d",
		-2 * d:           "-2d",
		-1 << 63:         "-2562047h47m16.854775808s",
	} {
		if got := (Duration{in}).String(); got != want {
			t.Errorf("Duration{%d}.String() = %q, want %q", int64(in), got, want)
		}
	}
}

func TestParseDate(t *testing.T) {
	for in, ok := range map[string]bool{
		"2027-10-01": true, "2024-02-29": true, "2023-02-29": false,
		"2027-1-01": false, "01/10/2027": false, "2027-10-01T00:00:00Z": false, "": false,
	} {
		got, err := ParseDate(in)
		if (err == nil) != ok || (ok && got.String() != in) {
			t.Errorf("ParseDate(%q) = %v, %v; want ok %v", in, got, err, ok)
		}
	}
}

// FuzzParseDuration checks that ParseDuration never panics, agrees with
// time.ParseDuration wherever that accepts the text, and that whatever it
// accepts String writes back as text it reads to the same value.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"0", "90s", "36h", "90d", "7y", "1y6d", "1.5d", "-1d", "292y", "1h30m", "µs", "1e3d", "-2562047h47m16.854775808s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDuration(s)
		if want, gerr := time.ParseDuration(s); gerr == nil {
			if err != nil || got != want {
				t.Fatalf("ParseDuration(%q) = %v, %v; time.ParseDuration gives %v", s, got, err, want)
			}
		}
		if err != nil {
			return
		}
		str := Duration{got}.String()
		back, err := ParseDuration(str)
		if err != nil || back != got {
			t.Fatalf("ParseDuration(%q) = %v; String() = %q reads back as %v, %v", s, got, str, back, err)
		}
	})
}

// FuzzLoad feeds arbitrary bytes to LoadFS. It must never panic, every
// problem must be an *Error naming the file, and a Config it accepts must
// pass Validate again.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.yaml")
	seeds = append(seeds, "../deploy/protocols/da-needs-assessment/protocol.yaml")
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, tt := range loadTests {
		f.Add([]byte(tt.Input))
	}
	schema, err := os.ReadFile("testdata/schema.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{
			"p/protocol.yaml":        {Data: data},
			"p/schema.json":          {Data: schema},
			"p/hclic-da.schema.json": {Data: schema},
		}
		c, err := LoadFS(fsys, "p/protocol.yaml")
		if err != nil {
			if c != nil {
				t.Fatal("LoadFS returned a Config along with an error")
			}
			for _, e := range flatten(err) {
				ce, ok := e.(*Error)
				if !ok || ce.File != "embedded:p/protocol.yaml" {
					t.Fatalf("problem %T %v does not name the file", e, e)
				}
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("LoadFS accepted a Config that Validate rejects: %v", err)
		}
		if c.Hash == "" || c.SchemaHash == "" {
			t.Fatal("accepted Config lacks Hash or SchemaHash")
		}
	})
}
