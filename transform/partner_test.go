package transform

import (
	"context"
	"strings"
	"testing"
)

func TestGuessPartnerGSS(t *testing.T) {
	s := loadTestSchema(t)
	tests := []struct {
		name, input, want string
	}{
		{"one district", "la_code,case_ref\nE07000066,A1\nE07000066,A2\n", "E07000066"},
		{"majority", "case_ref,la_code\nA1,E07000067\nA2,E07000066\nA3,E07000067\n", "E07000067"},
		{"tie goes to the lowest code", "la_code\nE07000068\nE07000067\n", "E07000067"},
		{"names and header spellings", "LA Code,case_ref\nbraintree ,A1\nBraintree,A2\nE07000066,A3\n", "E07000067"},
		{"codes off the list do not vote", "la_code\nE99999999\nnot a code\nE07000070\n", "E07000070"},
		{"rows before a malformed row vote", "la_code,case_ref\n" + strings.Repeat("E07000071,A1\n", 25) + "E07000066,\"A2\n" + strings.Repeat("E07000066,A3\n", 30), "E07000071"},
		{"a malformed row among the first rows", "la_code,case_ref\nE07000071,A1\nE07000066,\"A2\n", ""},
		{"no la_code column", "case_ref,app_date\nA1,2025-01-01\n", ""},
		{"no code on the list", "la_code\nE99999999\n", ""},
		{"empty file", "", ""},
	}
	for _, tt := range tests {
		got, err := GuessPartnerGSS(context.Background(), s, "cases.csv", strings.NewReader(tt.input), Options{})
		if err != nil || got != tt.want {
			t.Errorf("%s: GuessPartnerGSS = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestGuessPartnerGSSCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := GuessPartnerGSS(ctx, loadTestSchema(t), "cases.csv", strings.NewReader("la_code\nE07000066\n"), Options{})
	if err == nil || !strings.Contains(err.Error(), "guess partner cases.csv") {
		t.Fatalf("err = %v, want guess partner cases.csv: context canceled", err)
	}
}
