// Package fleettest runs several instances of the real back office
// (cmd/admin) as processes on one PostgreSQL schema, behind a round-robin
// reverse proxy, with one provider sandbox they all change, kills one with
// SIGKILL under load and restarts it, and checks that they behaved as one
// back office (fleet_test.go; needs ORDERCARE_TEST_DATABASE_URL, skipped
// with -short). It has no code of its own.
package fleettest
