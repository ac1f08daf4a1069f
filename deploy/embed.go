// Package deploy holds what an operator installs: the default protocol
// (embedded in the binary), example protocols, the systemd unit and the
// container file.
package deploy

import "embed"

// Protocols holds protocols/<id>/protocol.yaml and its field list for every
// shipped protocol. DefaultProtocol names the default one inside it.
//
//go:embed protocols
var Protocols embed.FS

// DefaultProtocol is the path of the default protocol inside Protocols.
const DefaultProtocol = "protocols/da-needs-assessment/protocol.yaml"
