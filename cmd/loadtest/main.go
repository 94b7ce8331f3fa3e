// Command loadtest runs the performance benchmarks (docs/PERFORMANCE.md) against a
// real build of the back office on this machine, with the Order Management
// sandbox (omsim) on a loopback port, in a process of its own (provider.go).
// All traffic stays on 127.0.0.1, unless `overhead` is given a provider
// and a back office running on other machines (remote.go).
// docs/PERFORMANCE.md records the figures and how to read them.
//
//	go run ./cmd/loadtest overhead   # 1. order page vs raw provider GET, 50 ms provider latency
//	go run ./cmd/loadtest render     # 2. order page with zero provider latency, 50 agents
//	go run ./cmd/loadtest audit      # 3. audit append with 1/10/50 writers vs the disk's fsync rate
//	go run ./cmd/loadtest footprint  # 5. binary size, start to first /healthz 200, RSS after start
//	go run ./cmd/loadtest caching    #    cache headers, compression, no order cached across agents
//	go run ./cmd/loadtest all        # everything above, in that order
//	go run ./cmd/loadtest soak       # steady 20 requests/s for 10 minutes, growth of goroutines, files, RSS
//	go run ./cmd/loadtest changes    # the change pipeline's cost over the provider's calls (capture, refund), intent checks off and on
//
// Benchmark 4 (audit search) is a Go benchmark in internal/audit.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `Usage: loadtest <benchmark> [flags]

Benchmarks:
  overhead    order page vs raw provider GET at 1, 10, 50 agents, provider latency 50 ms
  render      order page with zero provider latency at 50 agents (optionally -cpuprofile)
  audit       audit append with 1, 10, 50 writers beside the disk's own fsync rate
  footprint   binary size, start to first 200 from /healthz, RSS after start
  caching     cache headers, compression, fresh provider state for every agent
  all         all of the above in order (RSS is also taken after overhead)
  soak        steady request rate against the soak server, growth of goroutines, files, RSS
  changes     what the change pipeline adds to a capture and a refund over the provider's own calls, intent checks off and on, 50 agents

For overhead on separate machines (-provider-url, -admin-url, -relay-url):
  provider    the sandbox with the demo orders and the benchmark's control routes (-addr)
  relay       the do-nothing back office of -floor (-addr)
  agents      the agents' accounts, in an admin database before a back office starts on it

Run 'loadtest <benchmark> -h' for its flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest: "+err.Error())
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(out, usage)
		return errors.New("missing benchmark name")
	}
	name, args := args[0], args[1:]
	switch name {
	case "overhead":
		return overheadCmd(ctx, args, out)
	case "render":
		return renderCmd(ctx, args, out)
	case "audit":
		return auditCmd(ctx, args, out)
	case "footprint":
		return footprintCmd(ctx, args, out)
	case "caching":
		return cachingCmd(ctx, args, out)
	case "all":
		return allCmd(ctx, args, out)
	case "soak":
		return soakCmd(ctx, args, out)
	case "changes":
		return changesCmd(ctx, args, out)
	case "provider": // the sandbox in a process of its own, started by the benchmarks (provider.go)
		return providerCmd(ctx, args, out)
	case "relay": // a do-nothing back office in front of the provider, for overhead -floor (relay.go)
		return relayCmd(ctx, args, out)
	case "agents": // the agents' accounts in a back office's database, for overhead -admin-url (remote.go)
		return agentsCmd(ctx, args, out)
	case "help", "-h", "--help", "-help":
		fmt.Fprint(out, usage)
		return flag.ErrHelp
	}
	return fmt.Errorf("unknown benchmark %q (run 'loadtest help')", name)
}
