package publish

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestSummaryNotAvailableAndRetired: a district with an accepted file
// whose rows are all elsewhere counts as sent (its zeros are "<5"), one
// that sent nothing is ".."; the retired code's column says what it was.
func TestSummaryNotAvailableAndRetired(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	fx.file(t, "harlow", "empty.csv", "ee55")
	meta := testMeta()
	meta.Partners = append(meta.Partners, Partner{ID: "uttlesford", Name: "Uttlesford", GSS: "E07000077"})
	meta.Categories = append(meta.Categories, retiredCode)
	if err := Quarter(ctx, fx.out, fx.s, fx.db, "2025Q4", meta); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(fx.read(t, "2025Q4/combined.xlsx")))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sum, err := f.GetRows(SheetSummary)
	if err != nil {
		t.Fatal(err)
	}
	if h := sum[2][3]; !strings.Contains(h, "before July 2023: the single domestic abuse category") {
		t.Errorf("retired column header = %q", h)
	}
	byName := map[string]string{}
	for _, r := range sum[3:8] {
		byName[r[0]] = strings.Join(r[1:], " ")
	}
	if got := byName["Harlow"]; got != "<5 <5 <5 <5" {
		t.Errorf("Harlow (sent, no cases) = %q", got)
	}
	if got := byName["Uttlesford"]; got != ".. .. .. .." {
		t.Errorf("Uttlesford (sent nothing) = %q", got)
	}
}
