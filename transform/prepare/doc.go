// Package prepare turns a district's raw case-management export into the
// agreed file, on the district's own machine, before anything is shared.
//
// A Mapping (a small YAML file the district keeps) says which of its
// columns are which agreed field where H-CLIC names are not enough, which
// rows to keep (a per-person export keeps the main applicant's), and its
// own values for coded fields. Prepare reads the export with the
// transform/table readers, keeps only the agreed columns and the rows in
// the protocol's scope, fills la_code and quarter_end_date when absent,
// writes dates as YYYY-MM-DD, and writes the agreed CSV. It judges
// nothing itself: the caller validates what it wrote exactly as the
// county will. Its Receipt counts rows and names dropped columns, never a
// cell value.
package prepare
