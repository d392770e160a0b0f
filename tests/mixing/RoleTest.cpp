#include "mixing/StemRole.h"

#include <gtest/gtest.h>

using namespace mm;

TEST(StemRole, GuessedFromFileNames)
{
    const std::pair<const char*, Role> cases[] = {
        {"kick.wav", Role::Kick},         {"Bass_DI.aif", Role::Bass},       {"lead-vox.wav", Role::Vocal},
        {"OH L.wav", Role::Drums},        {"BGV 2.wav", Role::BackingVocal}, {"Snare Top.flac", Role::Snare},
        {"HiHat.wav", Role::Drums},       {"Rhodes.wav", Role::Keys},        {"AcousticGuitar.wav", Role::Guitar},
        {"string_section.wav", Role::Strings}, {"Pad 1.wav", Role::Pad},     {"synth_lead.wav", Role::Synth},
        {"shaker.wav", Role::Percussion}, {"riser.wav", Role::Fx},           {"BassDrum.wav", Role::Kick},
        {"Piano.aiff", Role::Piano},      {"TR808.wav", Role::Bass},         {"808.wav", Role::Bass},
        {"BD1.wav", Role::Kick},          {"Vox2.wav", Role::Vocal},      {"trumpet.wav", Role::Brass},      {"Lead Melody.wav", Role::Lead},
    };
    for (const auto& [name, role] : cases) {
        const auto got = guessRoleFromName(name);
        ASSERT_TRUE(got.has_value()) << name;
        EXPECT_EQ(toString(*got), toString(role)) << name;
    }
    EXPECT_FALSE(guessRoleFromName("track 07.wav").has_value());
}

TEST(StemRole, ParsesEveryContractRoleAndRejectsOthers)
{
    for (const char* r : {"kick", "snare", "drums", "percussion", "bass", "keys", "piano", "synth", "pad", "guitar",
                          "strings", "brass", "lead", "vocal", "backing_vocal", "fx", "other"}) {
        const auto role = parseRole(r);
        ASSERT_TRUE(role.has_value()) << r;
        EXPECT_EQ(toString(*role), r);
    }
    EXPECT_FALSE(parseRole("tuba").has_value());
    EXPECT_FALSE(parseRole("Kick").has_value());
}
