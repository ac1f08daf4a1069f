package main

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"landingd/config"
	"landingd/transform"
)

// Sheets of the template "landingd fields --xlsx" writes.
const (
	sheetTemplateData = "Data"       // the agreed header row; a partner's sheet setting renames it
	sheetDictionary   = "Dictionary" // what "landingd fields" prints
	sheetLists        = "Lists"      // hidden: the drop-down lists, one column per field
)

// templateRows is how many data rows, 2 to templateRows+1, the template's
// drop-down lists and checks cover: many times a district's domestic
// abuse cases in a quarter, and few enough that Excel opens the file at
// once. Rows past it are still judged by validate, only not checked as
// they are typed.
const templateRows = 5000

// Excel's limits on a data validation's messages: a title longer than 32
// characters, or a message longer than 255 (prompt) or 225 (error), makes
// Excel offer to repair the file.
const (
	maxValidationTitle  = 32
	maxValidationPrompt = 255
	maxValidationError  = 225
)

// Booleans as the template's drop-down offers them (parseBool reads any
// case of yes/no), and as combined.xlsx writes them.
var templateBooleans = []string{"Yes", "No"}

// dropDown returns what field fd's drop-down list offers, nil for a field
// without one: a coded field's labels (its codes where a label is empty),
// and Yes and No for a boolean. Labels, not codes, because the district
// reads and picks them, and validate matches a label exactly as it does a
// code (Field.Lookup); combined.xlsx shows labels too. la is the
// partner's GSS code when the template is for one partner: its la_code
// list then offers that one district.
func dropDown(fd *transform.Field, la string) []string {
	if fd.Name == "la_code" && la != "" {
		if l := fd.Label(la); l != "" {
			return []string{l}
		}
		return []string{la}
	}
	if fd.Type == transform.TypeBoolean {
		return templateBooleans
	}
	var out []string
	for _, c := range fd.Codes {
		v := c.Label
		if v == "" {
			v = c.Value
		}
		out = append(out, v)
	}
	return out
}

// writeTemplate writes the Excel template of schema s to w: a data sheet
// whose first row is the agreed header (required fields bold and shaded,
// frozen), with a drop-down list on every coded and boolean column drawn
// from the hidden Lists sheet, dd/mm/yyyy date columns that accept only
// dates, whole numbers and text lengths checked where the field list
// bounds them, text columns formatted as text (so a case reference keeps
// its leading zeros), and the Dictionary sheet, which holds what
// "landingd fields" prints. p, when not nil, is the partner the template
// is for: its la_code list offers only its own district, and the data
// sheet takes the name the partner's sheet setting gives.
func writeTemplate(w io.Writer, s *transform.Schema, p *config.Partner) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	data, la := sheetTemplateData, ""
	if p != nil {
		la = p.GSS
		if p.Sheet != "" {
			data = p.Sheet
		}
	}
	if strings.EqualFold(data, sheetDictionary) || strings.EqualFold(data, sheetLists) {
		return fmt.Errorf("template sheet %q: the template names its own sheets so", data)
	}
	if err := f.SetSheetName("Sheet1", data); err != nil {
		return fmt.Errorf("template sheet %q: %w", data, err)
	}
	if err := f.SetDocProps(&excelize.DocProperties{
		Creator:     "landingd",
		Title:       "Agreed field list template",
		Subject:     "Agreed field list " + s.Name + ", version " + s.Version,
		Description: "Fill in one row per case on the " + data + " sheet; the Dictionary sheet describes every field.",
		Created:     time.Now().UTC().Format(time.RFC3339),
	}); err != nil {
		return err
	}
	for _, sh := range []string{sheetDictionary, sheetLists} {
		if _, err := f.NewSheet(sh); err != nil {
			return err
		}
	}
	st, err := newTemplateStyles(f)
	if err != nil {
		return err
	}
	if err := templateData(f, data, s, la, st); err != nil {
		return err
	}
	if err := templateDictionary(f, fieldInfos(s), st); err != nil {
		return err
	}
	return f.Write(w)
}

// templateStyles are the template's cell styles.
type templateStyles struct {
	required, optional, head int // header cells of the data sheet; the Dictionary's
	text, date               int // data columns
}

func newTemplateStyles(f *excelize.File) (templateStyles, error) {
	var st templateStyles
	dmy := "dd/mm/yyyy"
	for _, s := range []struct {
		id    *int
		style excelize.Style
	}{
		{&st.required, excelize.Style{Font: &excelize.Font{Bold: true},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF2CC"}}}},
		{&st.optional, excelize.Style{Font: &excelize.Font{Color: "595959"}}},
		{&st.head, excelize.Style{Font: &excelize.Font{Bold: true}}},
		{&st.text, excelize.Style{NumFmt: 49}}, // "@": typed text stays text
		{&st.date, excelize.Style{CustomNumFmt: &dmy}},
	} {
		id, err := f.NewStyle(&s.style)
		if err != nil {
			return st, err
		}
		*s.id = id
	}
	return st, nil
}

// templateData writes the data sheet and the Lists sheet behind its
// drop-downs.
func templateData(f *excelize.File, sheet string, s *transform.Schema, la string, st templateStyles) error {
	listCol := 0
	for i := range s.Fields {
		fd := &s.Fields[i]
		col, _ := excelize.ColumnNumberToName(i + 1)
		rows := fmt.Sprintf("%s2:%s%d", col, col, templateRows+1)
		width := float64(max(utf8.RuneCountInString(fd.Name)+3, 12))
		switch fd.Type {
		case transform.TypeDate:
			if err := f.SetColStyle(sheet, col, st.date); err != nil {
				return err
			}
			width = max(width, 12)
		case transform.TypeString:
			if err := f.SetColStyle(sheet, col, st.text); err != nil {
				return err
			}
		}
		dv := excelize.NewDataValidation(true)
		dv.Sqref = rows
		var hint, bad string
		switch choices := dropDown(fd, la); {
		case choices != nil:
			listCol++
			ref, err := templateList(f, listCol, fd.Name, choices)
			if err != nil {
				return err
			}
			dv.SetSqrefDropList(ref)
			hint = "Pick from the list."
			bad = "Pick a value from the list; the Dictionary sheet lists them."
			for _, c := range choices {
				width = max(width, float64(min(utf8.RuneCountInString(c)+2, 45)))
			}
		case fd.Type == transform.TypeDate:
			// Any date Excel can hold: the rules between dates are
			// validate's, which says which one is wrong.
			if err := dv.SetRange(1, 2958465, excelize.DataValidationTypeDate, excelize.DataValidationOperatorBetween); err != nil {
				return err
			}
			hint = "A date, typed as 31/12/2025."
			bad = "Type a date, day first, such as 31/12/2025."
		case fd.Type == transform.TypeInteger:
			lo, hi := -999999999, 999999999 // parseInt's nine digits
			if fd.Minimum != nil {
				lo = *fd.Minimum
			}
			if fd.Maximum != nil {
				hi = *fd.Maximum
			}
			if err := dv.SetRange(lo, hi, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween); err != nil {
				return err
			}
			hint = fmt.Sprintf("A whole number from %d to %d.", lo, hi)
			bad = "Type " + strings.ToLower(hint[:1]) + hint[1:]
		case fd.Type == transform.TypeString && fd.MaxLength > 0:
			lo := max(fd.MinLength, 1)
			if err := dv.SetRange(lo, fd.MaxLength, excelize.DataValidationTypeTextLength, excelize.DataValidationOperatorBetween); err != nil {
				return err
			}
			hint = fmt.Sprintf("Text of %d to %d characters.", lo, fd.MaxLength)
			bad = "Type " + strings.ToLower(hint[:1]) + hint[1:]
		}
		if hint != "" {
			req := "Optional. "
			if fd.Required {
				req = "Required. "
			}
			if fd.Title != "" {
				req += fd.Title + ". "
			}
			dv.SetInput(clip(fd.Name, maxValidationTitle), clip(req+hint, maxValidationPrompt))
			dv.SetError(excelize.DataValidationErrorStyleStop, clip(fd.Name, maxValidationTitle), clip(bad, maxValidationError))
			if err := f.AddDataValidation(sheet, dv); err != nil {
				return err
			}
		}
		if err := f.SetColWidth(sheet, col, col, width); err != nil {
			return err
		}
		cell := col + "1"
		if err := f.SetCellStr(sheet, cell, fd.Name); err != nil {
			return err
		}
		style := st.optional
		if fd.Required {
			style = st.required
		}
		if err := f.SetCellStyle(sheet, cell, cell, style); err != nil {
			return err
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return f.SetSheetVisible(sheetLists, false)
}

// templateList writes choices into column col of the Lists sheet, under a
// heading that is no field's name (so that the sheet can never be taken
// for the data), and returns the range a drop-down refers to. A range,
// not an inline list, because Excel caps an inline list at 255
// characters, which reasonloss's labels alone pass.
func templateList(f *excelize.File, col int, name string, choices []string) (string, error) {
	c, err := excelize.ColumnNumberToName(col)
	if err != nil {
		return "", err
	}
	if err := f.SetCellStr(sheetLists, c+"1", name+" (choices)"); err != nil {
		return "", err
	}
	for i, v := range choices {
		if err := f.SetCellStr(sheetLists, fmt.Sprintf("%s%d", c, i+2), v); err != nil {
			return "", err
		}
	}
	if err := f.SetColWidth(sheetLists, c, c, 30); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s!$%s$2:$%s$%d", sheetLists, c, c, len(choices)+1), nil
}

// dictionaryHeader is the Dictionary sheet's first row.
var dictionaryHeader = []string{"Field", "Title", "H-CLIC question", "XML element", "Type", "Required", "Description", "Code", "Label", "Aliases"}

// templateDictionary writes the Dictionary sheet from infos, the data
// "landingd fields" prints: one row per field, then one row per code of a
// coded field, which repeats the field's name so that a filter on the
// Field column keeps a field's codes with it.
func templateDictionary(f *excelize.File, infos []fieldInfo, st templateStyles) error {
	const sh = sheetDictionary
	row := 1
	put := func(vals []string) error {
		cells := make([]any, len(vals))
		for i, v := range vals {
			if v != "" {
				cells[i] = v
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		row++
		return f.SetSheetRow(sh, cell, &cells)
	}
	if err := put(dictionaryHeader); err != nil {
		return err
	}
	if err := f.SetRowStyle(sh, 1, 1, st.head); err != nil {
		return err
	}
	for _, fi := range infos {
		req := "optional"
		if fi.Required {
			req = "required"
		}
		if err := put([]string{fi.Name, fi.Title, fi.Question, fi.Element, fi.Type, req, fi.Description}); err != nil {
			return err
		}
		for _, c := range fi.Codes {
			if err := put([]string{fi.Name, "", "", "", "", "", "", c.Code, c.Label, strings.Join(c.Aliases, "; ")}); err != nil {
				return err
			}
		}
	}
	if err := f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for i, w := range []float64{28, 36, 10, 14, 9, 10, 80, 28, 48, 60} {
		name, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sh, name, name, w); err != nil {
			return err
		}
	}
	return nil
}

// clip cuts s to n runes, ending in "…" when it was longer.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
