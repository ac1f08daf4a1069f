package config_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"landingd/config"
)

func TestReadToken(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name, content, want string
	}{
		{name: "long enough", content: strings.Repeat("x", 31) + "é\n", want: ""},
		{name: "one character", content: "§", want: "1 characters, need at least 32"},
		{name: "31 characters", content: strings.Repeat("y", 31), want: "31 characters, need at least 32"},
	}
	for i, tt := range tests {
		path := filepath.Join(dir, fmt.Sprint(i))
		if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := config.ReadToken(os.Getenv, path)
		switch {
		case tt.want == "" && (err != nil || got != strings.TrimSpace(tt.content)):
			t.Errorf("%s: ReadToken = %q, %v", tt.name, got, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), tt.content)):
			t.Errorf("%s: ReadToken error = %v, want %q and no token", tt.name, err, tt.want)
		}
	}
}
