package ingest

import (
	"context"

	"landingd/ingest/publish"
)

// PublishQuarter regenerates quarter q's outputs from the store, through
// the same code whichever command changed the store (a run, an erasure, a
// restriction or a purge). A quarter with no files left has its outputs
// removed instead (see publish.Quarter).
func (r *store) PublishQuarter(ctx context.Context, q string) error {
	return publish.Quarter(ctx, r.Output, r.Schema, r.DB, q, r.meta())
}

func (r *store) meta() publish.Meta {
	m := publish.Meta{
		ProtocolID:      r.Config.Protocol.ID,
		LandingdVersion: r.Version,
		GeneratedAt:     r.now().UTC(),
		CategoryField:   r.Config.Filter.Field,
		Categories:      r.Config.Filter.Keep,
		AuditHead:       r.auditHead(),
		TempDir:         r.Config.State,
	}
	for _, p := range r.Config.Partners {
		m.Partners = append(m.Partners, publish.Partner{ID: p.ID, Name: p.Name, GSS: p.GSS})
	}
	return m
}
