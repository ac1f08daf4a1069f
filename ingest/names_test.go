package ingest

import "testing"

func TestIgnored(t *testing.T) {
	t.Parallel()
	tests := []struct {
		Name    string
		Ignored bool
	}{
		{"basildon_2025Q4.csv", false},
		{"BASILDON.CSV", false},
		{"Braintree Q4.XLSX", false},
		{"data.xls", false}, // judged, and rejected for its format
		{"data.ods", false},
		{"data.zip", false},
		{"README", false},
		{".hidden.csv", true},
		{".landingd-tmp-123", true},
		{"~$Braintree Q4.xlsx", true},
		{"upload.csv.tmp", true},
		{"upload.csv.part", true},
		{"upload.csv.PARTIAL", true},
		{"upload.xlsx.filepart", true},
		{"old.csv.report.txt", true},
	}
	for _, tt := range tests {
		if got := ignored(tt.Name); got != tt.Ignored {
			t.Errorf("ignored(%q) = %v, want %v", tt.Name, got, tt.Ignored)
		}
	}
}
