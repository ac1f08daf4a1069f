package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"time"
)

// Events written by landingd. Append accepts any name matching
// [a-z][a-z0-9._-]* (at most 64 bytes), so a new kind of event needs no
// change here; these are the names in use.
const (
	EventCycleStart      = "cycle.start"      // a run cycle began
	EventCycleEnd        = "cycle.end"        // a run cycle ended; data holds its counts
	EventFileVerdict     = "file.verdict"     // a source file was judged
	EventFileDisposition = "file.disposition" // a source file was moved to processed/ or rejected/
	EventOutputWrite     = "output.write"     // a combined output was written
	EventErasure         = "erasure"          // a household's rows were erased (named by its erasure token)
	EventRestriction     = "restriction"      // processing of a household was restricted
	EventUnrestriction   = "unrestriction"    // a restriction was lifted
	EventPurge           = "purge"            // retention deleted cases or files
	EventIncidentOpen    = "incident.open"    // an incident was opened
	EventIncidentAck     = "incident.ack"     // an incident was acknowledged
	EventIncidentClose   = "incident.close"   // an incident was closed
	EventProtocolChange  = "protocol.change"  // the protocol file's hash changed
	EventSchemaChange    = "schema.change"    // the agreed field list's hash changed

	// EventCheckpoint is written by PurgeBefore when it deletes a sealed
	// segment; Append refuses it, because a checkpoint is what lets Verify
	// accept a chain that no longer starts at seq 1.
	EventCheckpoint = "checkpoint"
	// EventRepair is written by Repair when it cuts an incomplete last
	// line; Append refuses it.
	EventRepair = "audit.repair"
)

// ZeroHash is the prev of the first entry ever written, and the head of a
// log that has no entries yet.
const ZeroHash = "0000000000000000000000000000000000000000000000000000000000000000"

// MaxEntryBytes bounds one encoded line (without its newline). Append
// refuses a larger entry; Verify and Show report a longer line as
// unparseable.
const MaxEntryBytes = 256 << 10

// timeLayout is RFC 3339 in UTC with milliseconds.
const timeLayout = "2006-01-02T15:04:05.000Z"

// hashSuffixLen is the length of `,"hash":"<64 hex>"}` at a line's end.
const hashSuffixLen = len(`,"hash":"`) + 64 + len(`"}`)

// Entry is one audit record. Append fills Seq, Time, Prev and Hash; the
// caller sets Event and whichever of RunID, Partner, Object and Data apply.
//
// Nothing personal goes in an entry: Object is a file or output name, and
// Data holds counts, hashes, verdicts, rule names, erasure tokens and
// reasons typed by operators; never a pseudonym, which an erasure must be
// able to remove. A raw case_ref or a cell value must never be put in
// an entry; this package cannot tell one from any other string, so the
// duty lies with the caller.
type Entry struct {
	Seq     int64          // 1-based, one more than the previous entry's, never reused
	Time    time.Time      // when Append wrote it, UTC, millisecond precision
	Event   string         // what happened, e.g. EventFileVerdict
	RunID   string         // the cycle's run id, "" outside a cycle
	Partner string         // the partner id, "" when not about one partner
	Object  string         // the file or output name concerned, if any
	Data    map[string]any // flat details: string, bool, number, nil or []string values
	Prev    string         // Hash of the previous entry (ZeroHash for the first ever)
	Hash    string         // SHA-256 of this entry's line without its hash field
}

// wire is an entry as written: the field order here is the order of the
// keys on the line, and hash must stay last (see the package doc).
type wire struct {
	Seq     int64          `json:"seq"`
	Time    string         `json:"time"`
	Event   string         `json:"event"`
	RunID   string         `json:"run_id,omitempty"`
	Partner string         `json:"partner,omitempty"`
	Object  string         `json:"object,omitempty"`
	Data    map[string]any `json:"data,omitempty"`
	Prev    string         `json:"prev"`
	Hash    string         `json:"hash,omitempty"`
}

var eventRE = regexp.MustCompile(`^[a-z][a-z0-9._-]{0,63}$`)

// checkEntry reports what the caller set wrongly in e.
func checkEntry(e Entry) error {
	if !eventRE.MatchString(e.Event) {
		return fmt.Errorf("event %q does not match [a-z][a-z0-9._-]*", e.Event)
	}
	for k, v := range e.Data {
		if k == "" {
			return errors.New("data has an empty key")
		}
		switch v := v.(type) {
		case nil, string, bool, json.Number, []string,
			int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		case float32:
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("data %q is not a finite number", k)
			}
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("data %q is not a finite number", k)
			}
		default:
			return fmt.Errorf("data %q has type %T; only strings, bools, numbers, nil and []string are allowed", k, v)
		}
	}
	return nil
}

// encode returns e's line without a newline, with e.Hash set to the hash
// of that line minus its hash field. e.Seq, e.Time and e.Prev must be set.
func encode(e *Entry) ([]byte, error) {
	w := wire{
		Seq: e.Seq, Time: e.Time.UTC().Format(timeLayout), Event: e.Event,
		RunID: e.RunID, Partner: e.Partner, Object: e.Object, Prev: e.Prev,
	}
	if len(e.Data) > 0 {
		w.Data = e.Data
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(w); err != nil {
		return nil, err
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n")) // {...,"prev":"..."}
	sum := sha256.Sum256(body)
	e.Hash = hex.EncodeToString(sum[:])
	line := make([]byte, 0, len(body)+hashSuffixLen)
	line = append(line, body[:len(body)-1]...)
	line = append(line, `,"hash":"`...)
	line = append(line, e.Hash...)
	line = append(line, `"}`...)
	if len(line) > MaxEntryBytes {
		return nil, fmt.Errorf("entry is %d bytes, more than %d", len(line), MaxEntryBytes)
	}
	return line, nil
}

// errUnparseable marks a line that is not an audit entry at all.
var errUnparseable = errors.New("unparseable")

// decode parses one line (without its newline). It returns an error
// wrapping errUnparseable when the line is not an entry, and ok=false when
// the line parses but its hash does not match its content.
func decode(line []byte) (e Entry, ok bool, err error) {
	if len(line) > MaxEntryBytes {
		return e, false, fmt.Errorf("%w: line is longer than %d bytes", errUnparseable, MaxEntryBytes)
	}
	if len(line) < hashSuffixLen+2 || !bytes.HasSuffix(line, []byte(`"}`)) ||
		!bytes.Equal(line[len(line)-hashSuffixLen:len(line)-hashSuffixLen+9], []byte(`,"hash":"`)) {
		return e, false, fmt.Errorf("%w: line does not end with a hash field", errUnparseable)
	}
	claimed := string(line[len(line)-66 : len(line)-2])
	if !isHex64(claimed) {
		return e, false, fmt.Errorf("%w: hash is not 64 lowercase hex digits", errUnparseable)
	}
	var w wire
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&w); err != nil {
		return e, false, fmt.Errorf("%w: %v", errUnparseable, err)
	}
	if dec.More() {
		return e, false, fmt.Errorf("%w: text after the entry", errUnparseable)
	}
	t, err := time.Parse(timeLayout, w.Time)
	switch {
	case err != nil:
		return e, false, fmt.Errorf("%w: time %q is not RFC 3339 UTC with milliseconds", errUnparseable, w.Time)
	case w.Seq < 1:
		return e, false, fmt.Errorf("%w: seq %d is not positive", errUnparseable, w.Seq)
	case w.Event == "":
		return e, false, fmt.Errorf("%w: no event", errUnparseable)
	case !isHex64(w.Prev):
		return e, false, fmt.Errorf("%w: prev is not 64 lowercase hex digits", errUnparseable)
	case w.Hash != claimed:
		return e, false, fmt.Errorf("%w: hash field is repeated", errUnparseable)
	}
	e = Entry{
		Seq: w.Seq, Time: t, Event: w.Event, RunID: w.RunID, Partner: w.Partner,
		Object: w.Object, Data: w.Data, Prev: w.Prev, Hash: w.Hash,
	}
	body := make([]byte, 0, len(line)-hashSuffixLen+1)
	body = append(body, line[:len(line)-hashSuffixLen]...)
	body = append(body, '}')
	sum := sha256.Sum256(body)
	return e, hex.EncodeToString(sum[:]) == claimed, nil
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
