#pragma once
// The numbers in a decision's reason, printf-style ("%+.1f dB at %.0f Hz"): the rule and
// neural policies word their reasons the same way.
#include <cstdio>
#include <string>

namespace mm {

/// `fmt` with up to three doubles (unused ones are ignored); at most 255 characters.
inline std::string reasonText(const char* fmt, double a, double b = 0.0, double c = 0.0)
{
    char buf[256];
    std::snprintf(buf, sizeof buf, fmt, a, b, c);
    return buf;
}

} // namespace mm
