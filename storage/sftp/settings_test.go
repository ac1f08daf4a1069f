package sftp

import (
	"reflect"
	"testing"
)

// TestSettingsConfigCarriesEverySetting checks that every SFTP setting of
// a protocol file reaches the backend's Config, secrets read from the
// environment.
func TestSettingsConfigCarriesEverySetting(t *testing.T) {
	s := Settings{Address: "sftp.example:22", User: "landingd", Path: "/upload",
		KeyFile: "/keys/id", KnownHosts: "/keys/known_hosts", HostKeyFingerprint: "SHA256:abc",
		HostKeyAlgorithms: []string{"ssh-ed25519"}, KeyPassphraseEnv: "PASS", PasswordEnv: "PW"}
	env := map[string]string{"PASS": "phrase", "PW": "secret"}
	got, err := s.Config(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Address: "sftp.example:22", User: "landingd", Path: "/upload", KeyFile: "/keys/id",
		KnownHostsFile: "/keys/known_hosts", HostKeyFingerprint: "SHA256:abc", HostKeyAlgorithms: []string{"ssh-ed25519"},
		Passphrase: []byte("phrase"), Password: "secret"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Config =\n%+v\nwant\n%+v", got, want)
	}
	if _, err := (&Settings{PasswordEnv: "UNSET"}).Config(func(string) string { return "" }); err == nil {
		t.Error("Config read an unset password variable without error")
	}
}
