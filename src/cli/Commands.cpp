#include "cli/Commands.h"

namespace mm::cli {
namespace {
int g_exitCode = 0;
}

void setExitCode(int code)
{
    g_exitCode = code;
}

void registerCommands(CLI::App& app)
{
    addAnalyzeCommand(app);
    addFeaturesCommand(app);
    addPresetsCommand(app);
    addRunCommands(app);
    addServeCommand(app);
    addWorkerCommand(app);
}

int runSelected(CLI::App&)
{
    return g_exitCode;
}

} // namespace mm::cli
