// Package cli is the customersd program: its subcommands (serve, stores,
// tokens, bench …), their flags and environment, and the wiring of the
// server. cmd/customersd is a shim that runs Main; keeping the program here
// lets tests and the customersdtest helper run the very same server
// in-process.
package cli
