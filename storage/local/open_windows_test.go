//go:build windows

package local

import (
	"errors"
	"testing"

	"landingd/storage"
)

func TestCheckLocalName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		safe bool
	}{
		{"basildon_2025Q4.csv", true},
		{"con-tracts.csv", true},
		{"a.csv:hidden", false},
		{"NUL.csv", false},
		{"com1", false},
		{"Con .txt", false},
		{"data.csv.", false},
		{"data.csv ", false},
	}
	for _, tt := range tests {
		err := checkLocalName(tt.name)
		if tt.safe && err != nil || !tt.safe && !errors.Is(err, storage.ErrUnsafeName) {
			t.Errorf("checkLocalName(%q) = %v, want safe %v", tt.name, err, tt.safe)
		}
	}
}
