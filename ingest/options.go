package ingest

import (
	"time"

	"landingd/config"
	"landingd/transform"
)

// JudgeOptions are the options a file from partner p is judged with, so
// that "landingd validate" judges exactly as a run does. p may be nil when
// the partner is unknown (only file-level checks then apply to la_code).
func JudgeOptions(cfg *config.Config, p *config.Partner, now time.Time) transform.Options {
	opt := transform.Options{
		Keep:            cfg.Filter.Keep,
		FilterField:     cfg.Filter.Field,
		MaxRowErrorRate: cfg.MaxRowErrorRate,
		Now:             now,
		Limits:          cfg.Limits.Table(),
		MaxIssues:       cfg.Limits.IssuesPerFile,
		FileTimeout:     cfg.Limits.TimePerFile.Duration,
	}
	if p != nil {
		opt.PartnerID, opt.PartnerGSS = p.ID, p.GSS
		opt.Encoding, opt.Sheet, opt.Aliases = p.Encoding, p.Sheet, p.Aliases
		opt.DateOrder = transform.DateOrder(p.DateOrder)
	}
	return opt
}
