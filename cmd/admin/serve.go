package main

import (
	"context"
	"log/slog"

	"ordercare/internal/app"
	"ordercare/internal/config"
)

// serve runs the back office until SIGINT/SIGTERM.
func serve(ctx context.Context, args []string, e env) error {
	cfg, err := config.Parse("admin serve", args, e.getenv, e.stderr)
	if err != nil {
		return err
	}
	if e.process {
		// The few lines logged through slog's default logger, away from
		// the app's, name the instance too.
		slog.SetDefault(e.logger().With(slog.String("instance", cfg.InstanceName())))
	}
	a, err := app.Build(ctx, cfg, app.WithLogger(e.logger()), app.WithOutput(e.stdout))
	if err != nil {
		return err
	}
	return a.Run(ctx)
}
