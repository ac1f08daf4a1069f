package ingest

import (
	"reflect"
	"testing"

	"landingd/config"
	"landingd/storage/sftp"
)

// TestSFTPConfigCarriesTheProtocol checks that every SFTP setting of the
// protocol reaches the backend, secrets read from the environment.
func TestSFTPConfigCarriesTheProtocol(t *testing.T) {
	loc := config.Location{Kind: "sftp", Address: "sftp.example:22", User: "landingd", Path: "/upload",
		KeyFile: "/keys/id", KnownHosts: "/keys/known_hosts", HostKeyFingerprint: "SHA256:abc",
		HostKeyAlgorithms: []string{"ssh-ed25519"}, KeyPassphraseEnv: "PASS", PasswordEnv: "PW"}
	env := map[string]string{"PASS": "phrase", "PW": "secret"}
	got, err := sftpConfig(loc, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := sftp.Config{Address: "sftp.example:22", User: "landingd", Path: "/upload", KeyFile: "/keys/id",
		KnownHostsFile: "/keys/known_hosts", HostKeyFingerprint: "SHA256:abc", HostKeyAlgorithms: []string{"ssh-ed25519"},
		Passphrase: []byte("phrase"), Password: "secret", MaxRetries: 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sftpConfig =\n%+v\nwant\n%+v", got, want)
	}
}
