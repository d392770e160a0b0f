#include "cli/Table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mm::cli {

std::string Table::render() const
{
    std::vector<std::size_t> widths;
    for (const auto& row : rows_)
        for (std::size_t c = 0; c < row.size(); ++c) {
            if (widths.size() <= c)
                widths.push_back(0);
            widths[c] = std::max(widths[c], row[c].size());
        }
    std::string out;
    for (std::size_t r = 0; r < rows_.size(); ++r) {
        const auto& row = rows_[r];
        for (std::size_t c = 0; c < row.size(); ++c) {
            const std::string pad(widths[c] - row[c].size(), ' ');
            out += c == 0 ? row[c] + pad : pad + row[c];
            if (c + 1 < row.size())
                out += "  ";
        }
        out += '\n';
        if (r == 0) {
            std::size_t total = 0;
            for (auto w : widths)
                total += w + 2;
            out += std::string(total > 2 ? total - 2 : total, '-') + '\n';
        }
    }
    return out;
}

std::string fmt(double value, int decimals)
{
    if (std::isnan(value))
        return "n/a";
    if (std::isinf(value))
        return value < 0 ? "-inf" : "inf";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

} // namespace mm::cli
