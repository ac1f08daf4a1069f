package state

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"
	"time"
)

func TestEraseCaseRemovesRowsAndListsToken(t *testing.T) {
	ctx := context.Background()
	d, path := openTest(t)
	const la, victim = "E07000067", "pseudonym-of-the-erased-case-0123456789abcdef"
	id1 := commitFile(t, d, rec("braintree", "q3.csv", "s1"),
		row(la, victim, "2025-09-30", 2, victim, "a"), row(la, "other", "2025-09-30", 3, "other", "b"))
	id2 := commitFile(t, d, rec("braintree", "q4.csv", "s2"), row(la, victim, "2025-12-31", 2, victim, "c"))
	for _, id := range []int64{id1, id2} {
		if err := d.MarkDisposed(ctx, id, DisposedProcessed, "x.csv", t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.SetMeta(ctx, "unrelated", "x"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"2025Q3", "2025Q4"} {
		g, _ := d.Generation(ctx, q)
		if _, err := d.CleanQuarter(ctx, q, g); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := d.Restrict(ctx, la, victim, true, t0); err != nil {
		t.Fatal(err)
	}

	e, err := d.EraseCase(ctx, la, victim, "token-1", t0, func(e Erasure) []Pending {
		return []Pending{{Event: "erasure", Partner: "braintree", Data: map[string]any{"token": "token-1", "rows": e.Rows, "quarters": e.Quarters}}}
	})
	if err != nil {
		t.Fatal(err)
	}
	if e.Rows != 2 || e.AlreadyListed || !reflect.DeepEqual(e.Quarters, []string{"2025Q3", "2025Q4"}) || len(e.Files) != 2 {
		t.Fatalf("erasure = %+v", e)
	}
	// The audit entry was committed with the erasure, and both files the
	// case came from are marked as being erased for its token.
	pend, err := d.PendingEntries(ctx)
	if err != nil || len(pend) != 1 {
		t.Fatalf("pending = %+v, %v", pend, err)
	}
	wantData := map[string]any{"token": "token-1", "rows": json.Number("2"), "quarters": []string{"2025Q3", "2025Q4"}}
	if p := pend[0]; p.Event != "erasure" || p.Partner != "braintree" || len(p.RecordID) != 32 || !p.CreatedAt.Equal(t0) ||
		!reflect.DeepEqual(p.Data, wantData) {
		t.Fatalf("pending entry = %+v", p)
	}
	files, err := d.ZoneFiles(ctx, "braintree", DisposedProcessed, time.Time{})
	if err != nil || len(files) != 2 || files[0].Erasing != "token-1" || files[1].Erasing != "token-1" {
		t.Fatalf("files = %+v, %v", files, err)
	}
	if got := quarterRows(t, d, "2025Q3"); len(got) != 1 || got[0].Pseudonym != "other" {
		t.Fatalf("2025Q3 rows after erasure = %+v", got)
	}
	if dq, _ := d.DirtyQuarters(ctx); !reflect.DeepEqual(dq, []string{"2025Q3", "2025Q4"}) {
		t.Fatalf("dirty = %v", dq)
	}
	if ok, _ := d.IsErased(ctx, "token-1"); !ok {
		t.Fatal("token not listed")
	}
	list, err := d.ErasureList(ctx)
	if err != nil || !list["token-1"] || len(list) != 1 {
		t.Fatalf("list = %v, %v", list, err)
	}
	// Again: nothing left, already listed.
	e, err = d.EraseCase(ctx, la, victim, "token-1", t0, nil)
	if err != nil || e.Rows != 0 || !e.AlreadyListed {
		t.Fatalf("second erasure = %+v, %v", e, err)
	}

	if err := d.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(path + suffix)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(victim)) {
			t.Errorf("%s still holds the erased pseudonym", path+suffix)
		}
		if suffix == "" && !bytes.Contains(b, []byte("other")) {
			t.Errorf("the database lost the other case")
		}
	}
}
