package main

import (
	"context"

	"ordercare/internal/app"
	"ordercare/internal/config"
)

// serve runs the back office until SIGINT/SIGTERM.
func serve(ctx context.Context, args []string, e env) error {
	cfg, err := config.Parse("admin serve", args, e.getenv, e.stderr)
	if err != nil {
		return err
	}
	a, err := app.Build(ctx, cfg, app.WithLogger(e.logger()), app.WithOutput(e.stdout))
	if err != nil {
		return err
	}
	return a.Run(ctx)
}
