package cli

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set at link time by scripts/release.sh and scripts/image.sh:
//
//	-ldflags "-X github.com/customersd/customersd/internal/cli.version=v1.2.3 -X ...commit=abc -X ...buildDate=2026-12-01T00:00:00Z"
//
// A plain "go build" leaves them empty and the module's build information
// (the VCS revision go build records) fills in what it can.
var version, commit, buildDate string

// VersionInfo is what "customersd version" prints.
type VersionInfo struct {
	Version, Commit, BuildDate, GoVersion, Platform string
	Modified                                        bool
}

// Version returns the build's version information.
func Version() VersionInfo {
	v := VersionInfo{Version: version, Commit: commit, BuildDate: buildDate,
		GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v.Version = bi.Main.Version // go install ...@version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Commit = cmp.Or(v.Commit, s.Value)
			case "vcs.time":
				v.BuildDate = cmp.Or(v.BuildDate, s.Value)
			case "vcs.modified":
				v.Modified = v.Modified || s.Value == "true"
			}
		}
	}
	v.Version = cmp.Or(v.Version, "devel")
	return v
}

// String is the one line "customersd version" prints first.
func (v VersionInfo) String() string {
	s := "customersd " + v.Version
	if v.Commit != "" {
		s += " (commit " + v.Commit
		if v.Modified {
			s += ", modified"
		}
		s += ")"
	}
	return s
}

// VersionCommand prints the version: customersd version.
type VersionCommand struct {
	*Main
}

// Run implements "customersd version".
func (c *VersionCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet(c.Main, "version")
	if err := fs.Parse(args); err != nil {
		return err
	}
	v := Version()
	fmt.Fprintln(c.Stdout, v)
	fmt.Fprintf(c.Stdout, "built:    %s\ngo:       %s\nplatform: %s\n", cmp.Or(v.BuildDate, "unknown"), v.GoVersion, v.Platform)
	return nil
}
