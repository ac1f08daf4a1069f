package transform

import (
	"strings"
	"unicode"
)

// PersonalKind names the kind of personal data or identifier a column's
// heading suggests it holds.
type PersonalKind string

// The kinds of personal data PersonalColumn recognises.
const (
	PersonalName      PersonalKind = "name"
	PersonalBirthDate PersonalKind = "date of birth"
	PersonalNINumber  PersonalKind = "NI number"
	PersonalNHSNumber PersonalKind = "NHS number"
	PersonalAddress   PersonalKind = "address"
	PersonalPostcode  PersonalKind = "postcode"
	PersonalPhone     PersonalKind = "phone"
	PersonalEmail     PersonalKind = "email"
)

// personalHints are the header heuristics, first match wins: words are
// whole words of the heading (split at spaces, punctuation, digits and
// camelCase humps, lower-cased), and parts are substrings of the folded
// heading (see foldHeader), so that "ClientSurname" and "client_surname"
// match alike.
var personalHints = []struct {
	kind  PersonalKind
	words []string
	parts []string
}{
	{PersonalBirthDate, []string{"dob", "born"}, []string{"dateofbirth", "birthdate", "birthday", "dateofbrith"}},
	{PersonalNINumber, []string{"ni", "nin", "nino"}, []string{"ninumber", "nationalinsurance", "nino", "insuranceno"}},
	{PersonalNHSNumber, []string{"nhs", "chi"}, []string{"nhsnumber", "nhsno"}},
	{PersonalEmail, []string{"mail"}, []string{"email", "emailaddress"}},
	{PersonalPostcode, []string{"zip", "pc"}, []string{"postcode", "postalcode", "zipcode", "postcd"}},
	{PersonalAddress, []string{"addr", "street", "road", "town", "uprn", "flat", "house"}, []string{"address", "addr", "street", "uprn", "housenumber", "houseno", "dwelling"}},
	{PersonalPhone, []string{"tel", "phone", "mobile", "mob"}, []string{"phone", "telephone", "mobile", "telno", "contactnumber"}},
	{PersonalName, []string{"name", "initials", "forename", "surname"}, []string{"name", "forename", "initials"}},
}

// PersonalColumn reports whether a column heading looks like it names
// personal data or an identifier of a person (names, date of birth, NI or
// NHS number, address, postcode, phone, email), and which. It reads the
// heading only, never a cell: it is a heuristic for marking columns that
// are not on the agreed field list, and it errs on the side of marking.
func PersonalColumn(heading string) (PersonalKind, bool) {
	folded := foldHeader(heading)
	if folded == "" {
		return "", false
	}
	words := headingWords(heading)
	for _, h := range personalHints {
		for _, w := range h.words {
			if words[w] {
				return h.kind, true
			}
		}
		for _, p := range h.parts {
			if strings.Contains(folded, p) {
				return h.kind, true
			}
		}
	}
	return "", false
}

// headingWords splits a heading into lower-case words at anything but
// letters, and at camelCase humps ("ClientDOB" is client and dob,
// "NINumber" is ni and number).
func headingWords(s string) map[string]bool {
	words := map[string]bool{}
	r := []rune(s)
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			words[strings.ToLower(string(r[start:end]))] = true
		}
		start = -1
	}
	for i, c := range r {
		if !unicode.IsLetter(c) {
			flush(i)
			continue
		}
		if start < 0 {
			start = i
			continue
		}
		prev := r[i-1]
		switch {
		case unicode.IsLower(prev) && unicode.IsUpper(c):
			flush(i)
			start = i
		case unicode.IsUpper(prev) && unicode.IsUpper(c) && i+1 < len(r) && unicode.IsLower(r[i+1]):
			flush(i)
			start = i
		}
	}
	flush(len(r))
	return words
}
