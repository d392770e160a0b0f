// mixmaster presets [--json]
#include "cli/Commands.h"
#include "cli/Table.h"
#include "pipeline/Preset.h"

#include <iostream>

namespace mm::cli {

void addPresetsCommand(CLI::App& app)
{
    auto json = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("presets", "List the presets and their targets");
    cmd->add_flag("--json", *json, "As JSON");
    cmd->callback([json] {
        const auto presets = listPresets();
        if (*json) {
            nlohmann::json out = nlohmann::json::array();
            for (const auto& p : presets)
                out.push_back({{"key", p.key}, {"name", p.name}, {"description", p.description}, {"targets", targetsToJson(p.targets)}});
            std::cout << out.dump(2) << '\n';
        } else {
            Table t({"preset", "LUFS", "ceiling dBTP", "width %", "description"});
            for (const auto& p : presets)
                t.add({p.name, fmt(p.targets.lufs), fmt(p.targets.ceilingDbtp), fmt(p.targets.widthPct, 0), p.description});
            std::cout << t.render();
        }
        setExitCode(0);
    });
}

} // namespace mm::cli
