package transform

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"landingd/internal/atomicfile"
)

// MinKeyBytes is the shortest pseudonymisation key accepted.
const MinKeyBytes = 32

// erasurePurpose derives the erasure-token key from the main key, so
// that tokens on an erasure list cannot be matched against pseudonyms.
const erasurePurpose = "landingd erasure-token v1"

// Pseudonymiser replaces case references with keyed pseudonyms. It is
// safe for concurrent use.
type Pseudonymiser struct {
	key     []byte
	erasure []byte
}

// NewPseudonymiser returns a Pseudonymiser for key, with surrounding
// white space trimmed. It fails when the trimmed key is shorter than
// MinKeyBytes or too easy to guess (see CheckKey). The error never holds
// the key.
func NewPseudonymiser(key []byte) (*Pseudonymiser, error) {
	k := bytes.TrimSpace(key)
	if err := CheckKey(k); err != nil {
		return nil, err
	}
	k = bytes.Clone(k)
	m := hmac.New(sha256.New, k)
	m.Write([]byte(erasurePurpose))
	return &Pseudonymiser{key: k, erasure: m.Sum(nil)}, nil
}

// minKeyDistinct is the fewest different bytes a key may hold. A key
// landingd keygen makes (44 base64 characters of 32 random bytes) holds
// about 32; a hex key about 16.
const minKeyDistinct = 8

// CheckKey returns nil when key (trimmed) can serve as the
// pseudonymisation key: at least MinKeyBytes long, not a pattern of one
// to four bytes repeated ("aaaa…", "abab…"), and holding at least 8
// different bytes. A weak key lets anyone who can guess it reverse the
// pseudonyms by trying case references in a district's format. The
// check does not change how a key that passes is used, so existing
// pseudonyms stay the same. The error names the weakness, never the
// key, and says to use landingd keygen.
func CheckKey(key []byte) error {
	const advice = "make a key with landingd keygen"
	if len(key) < MinKeyBytes {
		return fmt.Errorf("pseudonymisation key: %d bytes, need at least %d; %s", len(key), MinKeyBytes, advice)
	}
	for period := 1; period <= 4; period++ {
		repeats := true
		for i := period; i < len(key); i++ {
			if key[i] != key[i-period] {
				repeats = false
				break
			}
		}
		if repeats {
			return fmt.Errorf("pseudonymisation key: a pattern of %d byte(s) repeated, easy to guess; %s", period, advice)
		}
	}
	var seen [256]bool
	distinct := 0
	for _, c := range key {
		if !seen[c] {
			seen[c] = true
			distinct++
		}
	}
	if distinct < minKeyDistinct {
		return fmt.Errorf("pseudonymisation key: only %d different bytes, easy to guess; %s", distinct, advice)
	}
	return nil
}

// NewEphemeralPseudonymiser returns a Pseudonymiser with a random key that
// nothing keeps: its pseudonyms match no other run's. It suits checking
// files without writing anything. It fails only when the system's random
// source does.
func NewEphemeralPseudonymiser() (*Pseudonymiser, error) {
	k := make([]byte, MinKeyBytes)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("ephemeral key: %w", err)
	}
	return NewPseudonymiser([]byte(base64.StdEncoding.EncodeToString(k)))
}

// ReadKeyFile reads the key file at path. The file's content, with
// surrounding white space trimmed, is the key (see NewPseudonymiser).
// warning is non-empty when group or others may read the file, which the
// caller should show. Errors name the path, never the key.
func ReadKeyFile(path string) (p *Pseudonymiser, warning string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("read key file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, "", fmt.Errorf("read key file %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, "", fmt.Errorf("read key file %s: not a regular file", path)
	}
	if st.Size() > 64<<10 {
		return nil, "", fmt.Errorf("read key file %s: larger than 64 KiB", path)
	}
	data := make([]byte, st.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, "", fmt.Errorf("read key file %s: %w", path, err)
	}
	p, err = NewPseudonymiser(data)
	if err != nil {
		return nil, "", fmt.Errorf("read key file %s: %w", path, err)
	}
	// Windows reports no group or other bits (its access lists are not
	// modes), so the check means nothing there.
	if perm := st.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		warning = fmt.Sprintf("key file %s has mode %04o: others may read it; run chmod 600 on it", path, perm)
	}
	return p, warning, nil
}

// WriteKeyFile writes a new key to path: 32 random bytes in base64 and a
// newline, with mode 0600. It refuses to overwrite an existing file
// (errors.Is(err, fs.ErrExist)). The key is written, synced and linked
// into place, and the folder synced (atomicfile.WriteNew), so a crash
// never leaves a partial key at path.
func WriteKeyFile(path string) error {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return fmt.Errorf("write key file %s: %w", path, err)
	}
	err := atomicfile.WriteNew(path, "."+filepath.Base(path)+".tmp-*", 0o600, func(w io.Writer) error {
		_, err := io.WriteString(w, base64.StdEncoding.EncodeToString(raw)+"\n")
		return err
	})
	if err != nil {
		return fmt.Errorf("write key file %s: %w", path, err)
	}
	return nil
}

// Pseudonym returns the case's pseudonym: the lowercase hex of
// HMAC-SHA256(key, laCode + "\x1f" + caseRef). The same key gives the
// same pseudonym in every run.
func (p *Pseudonymiser) Pseudonym(laCode, caseRef string) string {
	return p.pseudonymMAC().of(laCode, caseRef)
}

// ErasureToken returns the token by which an erasure list names the case:
// like Pseudonym but under a key derived from the main key for this
// purpose alone, so a token never equals a pseudonym.
func (p *Pseudonymiser) ErasureToken(laCode, caseRef string) string {
	return p.erasureMAC().of(laCode, caseRef)
}

// pseudonymMAC returns a keyed MAC that gives Pseudonym's values, for a
// caller that computes many in turn (Judge, one per file).
func (p *Pseudonymiser) pseudonymMAC() *caseMAC { return newCaseMAC(p.key) }

// erasureMAC returns a keyed MAC that gives ErasureToken's values.
func (p *Pseudonymiser) erasureMAC() *caseMAC { return newCaseMAC(p.erasure) }

// caseMAC computes HMAC-SHA256 of a case's la_code and case_ref under one
// key, reusing its hash state and buffers from call to call, so it is not
// safe for concurrent use.
type caseMAC struct {
	h    hash.Hash
	used bool   // h holds a message and must be reset
	msg  []byte // the message being hashed
	sum  []byte // its MAC
}

func newCaseMAC(key []byte) *caseMAC {
	return &caseMAC{h: hmac.New(sha256.New, key)}
}

// of returns the lowercase hex of the MAC of laCode + "\x1f" + caseRef.
func (m *caseMAC) of(laCode, caseRef string) string {
	if m.used {
		m.h.Reset()
	}
	m.used = true
	m.msg = append(append(append(m.msg[:0], laCode...), 0x1f), caseRef...)
	m.h.Write(m.msg)
	m.sum = m.h.Sum(m.sum[:0])
	var hexSum [2 * sha256.Size]byte
	hex.Encode(hexSum[:], m.sum)
	return string(hexSum[:])
}
