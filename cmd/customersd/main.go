// Command customersd serves the BigCommerce Customers V2 API. The program
// itself is package cli, so that tests and the customersdtest helper run
// the same server in-process.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/customersd/customersd/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	m := cli.NewMain()
	err := m.Run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(m.Stderr, "customersd:", err)
		os.Exit(cli.ExitCode(err))
	}
}
