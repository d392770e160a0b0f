#include "cli/Commands.h"

namespace mm::cli {

void registerCommands(CLI::App& app)
{
    app.add_subcommand("analyze", "Measure loudness, true peak, stereo and spectrum of audio files");
}

int runSelected(CLI::App&)
{
    return 0;
}

} // namespace mm::cli
