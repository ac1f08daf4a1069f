package config

import (
	"fmt"
	"math"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"landingd/storage"
	"landingd/transform"

	// Timezones must resolve in a container without /usr/share/zoneinfo.
	_ "time/tzdata"
)

var (
	gssRE    = regexp.MustCompile(`^E\d{8}$`)
	idRE     = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	numberRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9./-]{0,15}$`)
)

// CronParser is the parser schedule.cron must satisfy: five fields, an
// optional leading seconds field, or a descriptor such as "@daily".
var CronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Validate checks c as Load leaves it and returns every problem at once,
// joined with errors.Join, each an *Error naming the setting (and, for a
// Config from Load, the file and line). It checks required settings,
// codes, identifiers, landing zone and output settings, that no two
// partners' zones overlap and that neither the output, the state folder
// nor a secret file sits in a partner's zone, the schedule, the HTTP
// listener, alerts, retention and breach deadlines. It returns nil for a
// valid Config.
func (c *Config) Validate() error {
	p := &problems{file: c.Path, pos: c.positions()}
	c.validate(p)
	return p.join()
}

func (c *Config) positions() positions {
	if c.src == nil {
		return positions{}
	}
	return c.src.pos
}

func (c *Config) validate(p *problems) {
	required := func(key, v string) bool {
		if strings.TrimSpace(v) == "" {
			p.add(key, "required")
			return false
		}
		return true
	}
	if required("protocol.id", c.Protocol.ID) && !idRE.MatchString(c.Protocol.ID) {
		p.add("protocol.id", "%q is not an id (want lowercase letters, digits, _ or -, at most 63)", c.Protocol.ID)
	}
	required("protocol.title", c.Protocol.Title)
	required("protocol.lead.name", c.Protocol.Lead.Name)
	if required("protocol.lead.gss", c.Protocol.Lead.GSS) {
		checkGSS(p, "protocol.lead.gss", c.Protocol.Lead.GSS)
	}
	if c.Protocol.ReviewDate.IsZero() {
		p.add("protocol.review_date", "required")
	}
	if n := c.Protocol.Number; n != "" && !numberRE.MatchString(n) {
		p.add("protocol.number", "%q is not a register number (want up to 16 letters, digits, \".\", \"/\" or \"-\", such as \"0075\")", n)
	}
	if len(c.Protocol.Theme) > 80 || strings.ContainsAny(c.Protocol.Theme, "\r\n") {
		p.add("protocol.theme", "want one line of at most 80 characters, such as Safer Community")
	}
	if len(c.Protocol.Purpose) > 2000 || strings.Contains(strings.TrimSpace(c.Protocol.Purpose), "\n\n") {
		p.add("protocol.purpose", "want one paragraph of at most 2000 characters")
	}
	switch c.Protocol.OnReviewOverdue {
	case ReviewWarn, ReviewPause:
	default:
		p.add("protocol.on_review_overdue", "%q is not an action (want warn or pause)", c.Protocol.OnReviewOverdue)
	}
	required("schema", c.Schema)
	required("filter.field", c.Filter.Field)
	if len(c.Filter.Keep) == 0 {
		p.add("filter.keep", "required: list the codes whose rows are kept")
	}
	seen := map[string]int{}
	for i, code := range c.Filter.Keep {
		key := fmt.Sprintf("filter.keep[%d]", i)
		if strings.TrimSpace(code) == "" {
			p.add(key, "empty code")
		} else if j, dup := seen[code]; dup {
			p.add(key, "%q is listed twice (first at filter.keep[%d])", code, j)
		} else {
			seen[code] = i
		}
	}
	required("pseudonymise.key_file", c.Pseudonymise.KeyFile)
	if r := c.MaxRowErrorRate; math.IsNaN(r) || r < 0 || r > 1 {
		p.add("max_row_error_rate", "want a fraction from 0 to 1 (0.05 is 5%%)")
	}
	nonNegative(p, "stable_after", c.StableAfter)
	if c.Concurrency < 1 {
		p.add("concurrency", "want at least 1")
	}
	required("state", c.State)
	if _, err := transform.ParseQuarterID(c.Collection.FirstQuarter); err != nil {
		p.add("collection.first_quarter", "%q is not a quarter (want a form like 2021Q2)", c.Collection.FirstQuarter)
	}
	positive(p, "shutdown_timeout", c.ShutdownTimeout)

	c.validateLimits(p)
	c.validateOutput(p)
	c.validatePartners(p)
	c.validateIsolation(p)
	c.validateSchedule(p)
	c.validateOps(p)
}

func checkGSS(p *problems, key, v string) bool {
	if !gssRE.MatchString(v) {
		p.add(key, "%q is not a GSS code (want E + 8 digits)", v)
		return false
	}
	return true
}

func positive(p *problems, key string, d Duration) {
	if d.Duration <= 0 {
		p.add(key, "want a duration above zero")
	}
}

func nonNegative(p *problems, key string, d Duration) {
	if d.Duration < 0 {
		p.add(key, "want a duration of zero or more")
	}
}

// envName checks that v names an environment variable. A value that is
// not a name is not quoted: it may be the secret itself, pasted in the
// wrong place.
func envName(p *problems, key, v string) {
	for _, e := range storage.CheckEnvName(key, v) {
		p.add(e.Key, "%s", e.Msg)
	}
}

func (c *Config) validateOutput(p *problems) {
	switch c.Output.Kind {
	case "":
		p.add("output", "required")
		return
	case "local", "azblob":
	case "sftp":
		p.add("output.kind", "sftp is not supported for output (want local or azblob)")
		return
	default:
		p.add("output.kind", "%q is not an output kind (want local or azblob)", c.Output.Kind)
		return
	}
	checkLocation(p, "output", &c.Output)
}

func (c *Config) validatePartners(p *problems) {
	if len(c.Partners) == 0 {
		p.add("partners", "required: list at least one partner")
		return
	}
	ids := map[string]int{}
	gss := map[string]int{}
	for i := range c.Partners {
		pt := &c.Partners[i]
		key := fmt.Sprintf("partners[%d]", i)
		if pt.ID == "" {
			p.add(key+".id", "required")
		} else if !idRE.MatchString(pt.ID) {
			p.add(key+".id", "%q is not an id (want lowercase letters, digits, _ or -, starting with a letter or digit, at most 63)", pt.ID)
		} else if j, dup := ids[pt.ID]; dup {
			p.add(key+".id", "duplicate partner id %q (also %s)", pt.ID, p.where(fmt.Sprintf("partners[%d]", j), "id"))
		} else {
			ids[pt.ID] = i
		}
		if strings.TrimSpace(pt.Name) == "" {
			p.add(key+".name", "required")
		}
		if pt.GSS == "" {
			p.add(key+".gss", "required")
		} else if checkGSS(p, key+".gss", pt.GSS) {
			if j, dup := gss[pt.GSS]; dup {
				p.add(key+".gss", "duplicate GSS code %q (also %s)", pt.GSS, p.where(fmt.Sprintf("partners[%d]", j), "gss"))
			} else {
				gss[pt.GSS] = i
			}
		}
		if pt.DPOEmail == "" {
			p.add(key+".dpo_email", "required")
		} else if a, err := mail.ParseAddress(pt.DPOEmail); err != nil || !strings.Contains(a.Address[strings.LastIndex(a.Address, "@")+1:], ".") {
			p.add(key+".dpo_email", "%q is not an email address", pt.DPOEmail)
		}
		if pt.StableAfter != nil {
			nonNegative(p, key+".stable_after", *pt.StableAfter)
		}
		if _, ok := normaliseEncoding(pt.Encoding); !ok {
			p.add(key+".encoding", "%q is not a supported encoding (want utf-8 or windows-1252, or leave out to detect)", pt.Encoding)
		}
		if err := CheckDateOrder(pt.DateOrder); err != nil {
			p.add(key+".date_order", "%v", err)
		}
		switch pt.Disposition {
		case "move", "keep":
		default:
			p.add(key+".disposition", "%q is not a disposition (want move or keep)", pt.Disposition)
		}
		for field, m := range pt.Aliases {
			if strings.TrimSpace(field) == "" {
				p.add(key+".aliases", "empty field name")
			}
			for from, to := range m {
				if strings.TrimSpace(from) == "" || strings.TrimSpace(to) == "" {
					p.add(key+".aliases."+field, "aliases map a partner's value to a code; neither may be empty")
				}
			}
		}
		if pt.Withdrawn != nil && pt.Withdrawn.IsZero() {
			p.add(key+".withdrawn", "want a date written YYYY-MM-DD")
		}
		lk := key + ".landing"
		switch pt.Landing.Kind {
		case "":
			p.add(lk, "required")
		case "local", "sftp", "azblob":
			checkLocation(p, lk, &pt.Landing)
		default:
			p.add(lk+".kind", "%q is not a landing kind (want local, sftp or azblob)", pt.Landing.Kind)
		}
	}
}

// normaliseEncoding maps the accepted spellings of an encoding to its
// canonical name ("" means detect).
func normaliseEncoding(e string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(e)) {
	case "":
		return "", true
	case "utf-8", "utf8":
		return "utf-8", true
	case "windows-1252", "windows1252", "cp1252", "cp-1252", "win-1252", "win1252", "x-cp1252":
		return "windows-1252", true
	}
	return "", false
}

func (c *Config) validateSchedule(p *problems) {
	if strings.TrimSpace(c.Schedule.Cron) == "" {
		p.add("schedule.cron", "required")
	} else if _, err := CronParser.Parse(c.Schedule.Cron); err != nil {
		p.add("schedule.cron", "%q is not a cron schedule: %v", c.Schedule.Cron, err)
	}
	if c.Schedule.Timezone == "" {
		p.add("schedule.timezone", "required")
	} else if _, err := time.LoadLocation(c.Schedule.Timezone); err != nil {
		p.add("schedule.timezone", "%q is not a known time zone (want a name such as Europe/London)", c.Schedule.Timezone)
	}
	positive(p, "schedule.retry_every", c.Schedule.RetryEvery)
	positive(p, "schedule.deadline", c.Schedule.Deadline)
}

func (c *Config) validateOps(p *problems) {
	host, port, err := net.SplitHostPort(c.HTTP.Listen)
	if err != nil || !validPort(port) {
		p.add("http.listen", "%q is not host:port", c.HTTP.Listen)
	} else if !isLoopback(host) && c.HTTP.TokenFile == "" {
		p.add("http.listen", "%q is not a loopback address, so http.token_file is required", c.HTTP.Listen)
	}
	envName(p, "alerts.webhook_url_env", c.Alerts.WebhookURLEnv)
	if c.Alerts.WebhookURLEnv != "" && c.Alerts.WebhookURLFile != "" {
		p.add("alerts", "set at most one of webhook_url_env and webhook_url_file")
	}
	positive(p, "retention.cases", c.Retention.Cases)
	positive(p, "retention.processed_files", c.Retention.ProcessedFiles)
	positive(p, "retention.rejected_files", c.Retention.RejectedFiles)
	positive(p, "retention.audit", c.Retention.Audit)
	positive(p, "breach.notify_partners", c.Breach.NotifyPartners)
	if c.Breach.ICO.Duration > 72*time.Hour {
		p.add("breach.ico", "%s is later than the 72 hours UK GDPR Article 33 allows", c.Breach.ICO)
	} else {
		positive(p, "breach.ico", c.Breach.ICO)
	}
}

func validPort(port string) bool {
	n := 0
	for _, r := range port {
		if r < '0' || r > '9' || n > 65535 {
			return false
		}
		n = n*10 + int(r-'0')
	}
	return port != "" && n <= 65535
}

// isLoopback reports whether host is localhost or in 127.0.0.0/8 or ::1.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
