// Package deploy holds what an operator installs: the shipped protocols
// (embedded in the binary: the default and an example second one), example
// protocol settings, the systemd unit and the
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

// ExampleProtocol is the path inside Protocols of the second shipped
// protocol: an example of another collection of the same forum, with its
// own field list, filter, partners, schedule and folders, which runs
// beside the default one in one service (landingd demo runs both).
const ExampleProtocol = "protocols/safeguarding-adults/protocol.yaml"

// Shipped lists the paths inside Protocols of every shipped protocol, the
// default first.
var Shipped = []string{DefaultProtocol, ExampleProtocol}
