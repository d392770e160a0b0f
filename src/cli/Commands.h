#pragma once
#include <CLI/CLI.hpp>

namespace mm::cli {

/// Adds every subcommand to `app`.
void registerCommands(CLI::App& app);
/// Runs the subcommand that was parsed; returns the exit code.
int runSelected(CLI::App& app);

} // namespace mm::cli
