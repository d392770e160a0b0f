// mixmaster: the command-line face of the engine.
// Exit codes: 0 ok, 1 internal error, 2 bad input (one line on stderr), 3 QC failed with --strict.
#include "cli/Commands.h"
#include "core/Errors.h"
#include "mixmaster/Version.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

int main(int argc, char** argv)
{
    CLI::App app{"MixMaster: automatic mixing and mastering of up to 12 stems"};
    app.set_version_flag("--version", std::string("mixmaster ") + mm::kVersion);
    app.require_subcommand(1);
    mm::cli::registerCommands(app);
    try {
        app.parse(argc, argv);
        return mm::cli::runSelected(app);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    } catch (const mm::InputError& e) {
        std::fprintf(stderr, "mixmaster: error: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mixmaster: internal error: %s\n", e.what());
        return 1;
    }
}
