package ingest

import (
	"encoding/json"
	"errors"
	"time"
)

// summaryJSON is Summary as JSON, with errors as their messages: "landingd
// run --summary-json" prints it, and the service reads it back from the
// child process that ran the cycle.
type summaryJSON struct {
	RunID     string           `json:"run_id"`
	Started   time.Time        `json:"started"`
	Finished  time.Time        `json:"finished"`
	Partners  []partnerJSON    `json:"partners"`
	Quarters  []string         `json:"quarters"`
	OutputErr string           `json:"output_error,omitempty"`
	Stopped   bool             `json:"stopped"`
	Purge     *PurgeReport     `json:"purge,omitempty"`
	PurgeErr  string           `json:"purge_error,omitempty"`
	Incidents []IncidentStatus `json:"incidents,omitempty"`
}

type partnerJSON struct {
	Partner   string        `json:"partner"`
	Files     []FileSummary `json:"files"`
	Waiting   int           `json:"waiting"`
	Err       string        `json:"error,omitempty"`
	Withdrawn bool          `json:"withdrawn,omitempty"`
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func textErr(s string) error {
	if s == "" {
		return nil
	}
	return errors.New(s)
}

// MarshalJSON writes the summary with its errors as messages. Like the
// logs, it holds names and counts, never a cell value.
func (s *Summary) MarshalJSON() ([]byte, error) {
	j := summaryJSON{RunID: s.RunID, Started: s.Started, Finished: s.Finished, Quarters: s.Quarters,
		OutputErr: errText(s.OutputErr), Stopped: s.Stopped, Purge: s.Purge, PurgeErr: errText(s.PurgeErr),
		Incidents: s.Incidents}
	for _, p := range s.Partners {
		j.Partners = append(j.Partners, partnerJSON{Partner: p.Partner, Files: p.Files, Waiting: p.Waiting,
			Err: errText(p.Err), Withdrawn: p.Withdrawn})
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON wrote; errors come back as plain
// errors carrying the same messages.
func (s *Summary) UnmarshalJSON(b []byte) error {
	var j summaryJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*s = Summary{RunID: j.RunID, Started: j.Started, Finished: j.Finished, Quarters: j.Quarters,
		OutputErr: textErr(j.OutputErr), Stopped: j.Stopped, Purge: j.Purge, PurgeErr: textErr(j.PurgeErr),
		Incidents: j.Incidents}
	for _, p := range j.Partners {
		s.Partners = append(s.Partners, PartnerSummary{Partner: p.Partner, Files: p.Files, Waiting: p.Waiting,
			Err: textErr(p.Err), Withdrawn: p.Withdrawn})
	}
	return nil
}
