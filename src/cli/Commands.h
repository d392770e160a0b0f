#pragma once
// Each subcommand lives in its own file and registers itself here. A subcommand's
// callback runs during parse and records its exit code; errors propagate as exceptions
// to main(), the one place that turns them into exit codes.
#include <CLI/CLI.hpp>

namespace mm::cli {

void registerCommands(CLI::App& app);
int runSelected(CLI::App& app);

/// Set by the subcommand that ran.
void setExitCode(int code);

void addAnalyzeCommand(CLI::App& app);
void addFeaturesCommand(CLI::App& app);
void addPresetsCommand(CLI::App& app);
void addRunCommands(CLI::App& app);
void addServeCommand(CLI::App& app);
void addWorkerCommand(CLI::App& app);

} // namespace mm::cli
