package ingest

import "testing"

func TestClassify(t *testing.T) {
	tests := []struct {
		Name string
		Want candidateKind
	}{
		{"basildon_2025Q4.csv", judged},
		{"BASILDON.CSV", judged},
		{"Braintree Q4.XLSX", judged},
		{"data.xls", unsupported},
		{"data.ods", unsupported},
		{"data.zip", unsupported},
		{"README", unsupported},
		{".hidden.csv", ignored},
		{".landingd-tmp-123", ignored},
		{"~$Braintree Q4.xlsx", ignored},
		{"upload.csv.tmp", ignored},
		{"upload.csv.part", ignored},
		{"upload.csv.PARTIAL", ignored},
		{"upload.xlsx.filepart", ignored},
		{"old.csv.report.txt", ignored},
	}
	for _, tt := range tests {
		if got := classify(tt.Name); got != tt.Want {
			t.Errorf("classify(%q) = %v, want %v", tt.Name, got, tt.Want)
		}
	}
}
