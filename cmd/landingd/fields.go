package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"landingd/config"
	"landingd/internal/atomicfile"
	"landingd/internal/safetext"
	"landingd/transform"
)

func init() {
	commands["fields"] = command{summary: "print the agreed field list: names, H-CLIC questions, types and codes", run: cmdFields}
}

// fieldInfo is one agreed field as "landingd fields --json" gives it.
type fieldInfo struct {
	Name        string     `json:"name"`
	Title       string     `json:"title,omitempty"`
	Description string     `json:"description,omitempty"`
	Question    string     `json:"hclic_question"`
	Element     string     `json:"hclic_element"`
	Type        string     `json:"type"`
	Required    bool       `json:"required"`
	Codes       []codeInfo `json:"codes,omitempty"`
}

// codeInfo is one code of a coded field.
type codeInfo struct {
	Code    string   `json:"code"`
	Label   string   `json:"label"`
	Aliases []string `json:"aliases"`
}

// cmdFields prints the agreed field list of the protocol (the built-in
// one without --config), or with --xlsx writes the district's Excel
// template of it. It reads no key and no credential.
func cmdFields(_ context.Context, e *env, args []string) int {
	f := newFlags(e, invocation{name: "fields", usage: "fields [--config PROTOCOL] [--json | --xlsx FILE [--partner ID] [--overwrite]]", builtin: true})
	asJSON := f.Bool("json", false, "print JSON")
	xlsxPath := f.String("xlsx", "", "write an Excel template to `FILE` instead of printing: a Data sheet headed by the agreed fields\n"+
		"(required ones bold and shaded), a drop-down on every coded column offering the code labels,\n"+
		"which validate accepts as it accepts the codes, Yes/No on yes-or-no columns, dates shown dd/mm/yyyy,\n"+
		"checks on the first "+strconv.Itoa(templateRows)+" data rows, and a Dictionary sheet with what this command prints")
	partnerID := f.String("partner", "", "with --xlsx: the partner the template is for; its la_code drop-down offers only that district")
	overwrite := f.Bool("overwrite", false, "with --xlsx: replace FILE if it exists (otherwise an existing FILE is left as it is)")
	if code := f.parse(args); code != exitOK {
		return code
	}
	set := map[string]bool{}
	f.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	switch {
	case set["xlsx"] && *xlsxPath == "":
		return f.usageError("--xlsx needs a file name")
	case set["xlsx"] && *asJSON:
		return f.usageError("--json and --xlsx cannot be given together")
	case !set["xlsx"] && (set["partner"] || set["overwrite"]):
		return f.usageError("--partner and --overwrite go with --xlsx")
	}
	cfg, code := f.load()
	if code != exitOK {
		return code
	}
	schema, err := transform.LoadSchema(cfg.SchemaData) // f.load has checked that it parses
	if err != nil {
		fmt.Fprintf(e.stderr, "landingd: load field list %s: %v\n", cfg.Schema, err)
		return exitUsage
	}
	if set["xlsx"] {
		var p *config.Partner
		if *partnerID != "" {
			var ok bool
			if p, ok = cfg.Partner(*partnerID); !ok {
				fmt.Fprintf(e.stderr, "landingd: fields: %s\n", unknownPartner(cfg, *partnerID))
				return exitUsage
			}
		}
		return writeTemplateFile(e, *xlsxPath, schema, p, *overwrite)
	}
	infos := fieldInfos(schema)
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			Version string      `json:"version"`
			Fields  []fieldInfo `json:"fields"`
		}{schema.Version, infos}); err != nil {
			return exitFailed
		}
		return exitOK
	}
	if err := writeFieldsText(e.stdout, schema.Version, infos); err != nil {
		return exitFailed
	}
	return exitOK
}

// writeTemplateFile writes the template to path atomically: a reader
// sees no file or the whole of it. An existing file is replaced only with
// overwrite; without it the command fails with exitUsage and the file is
// left as it was.
func writeTemplateFile(e *env, path string, s *transform.Schema, p *config.Partner, overwrite bool) int {
	write := atomicfile.WriteNew
	if overwrite {
		write = atomicfile.Write
	}
	err := write(path, "."+filepath.Base(path)+".*.tmp", 0o644, func(w io.Writer) error {
		return writeTemplate(w, s, p)
	})
	switch {
	case errors.Is(err, fs.ErrExist):
		fmt.Fprintf(e.stderr, "landingd: fields: %s exists; give --overwrite to replace it\n", safetext.Escape(path))
		return exitUsage
	case err != nil:
		fmt.Fprintf(e.stderr, "landingd: fields: write template %s: %s\n", safetext.Escape(path), safetext.Escape(err.Error()))
		return exitFailed
	}
	fmt.Fprintf(e.stdout, "Wrote the template for field list version %s: %s\n", s.Version, path)
	return exitOK
}

func fieldInfos(s *transform.Schema) []fieldInfo {
	infos := make([]fieldInfo, 0, len(s.Fields))
	for i := range s.Fields {
		fd := &s.Fields[i]
		fi := fieldInfo{Name: fd.Name, Title: fd.Title, Description: fd.Description, Question: fd.Question(), Element: fd.Element(), Type: fd.Type, Required: fd.Required}
		for _, c := range fd.Codes {
			aliases := c.Aliases
			if aliases == nil {
				aliases = []string{}
			}
			fi.Codes = append(fi.Codes, codeInfo{Code: c.Value, Label: c.Label, Aliases: aliases})
		}
		infos = append(infos, fi)
	}
	return infos
}

// writeFieldsText writes the field list as a table, each coded field's
// codes indented below it. Column widths come from the field rows only
// (text/tabwriter would widen them to the longest code line).
func writeFieldsText(w io.Writer, version string, infos []fieldInfo) error {
	rows := [][]string{{"FIELD", "H-CLIC", "TYPE", "REQUIRED", "TITLE"}}
	for _, fi := range infos {
		q := strings.TrimSpace(fi.Question + " " + fi.Element)
		req := "optional"
		if fi.Required {
			req = "required"
		}
		rows = append(rows, []string{fi.Name, q, fi.Type, req, fi.Title})
	}
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	line := func(r []string) string {
		var b strings.Builder
		for i, c := range r[:len(r)-1] {
			b.WriteString(c + strings.Repeat(" ", width[i]-utf8.RuneCountInString(c)+2))
		}
		return b.String() + r[len(r)-1] + "\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Agreed field list, version %s\n\n", version)
	b.WriteString(line(rows[0]))
	for i, fi := range infos {
		b.WriteString(line(rows[i+1]))
		for _, c := range fi.Codes {
			b.WriteString("    " + c.Code + ": " + c.Label)
			if len(c.Aliases) > 0 {
				b.WriteString(" (also: " + strings.Join(c.Aliases, "; ") + ")")
			}
			b.WriteString("\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
